"""The competency framework: legs, behaviour statements, open questions (NL and EN).

A framework row is either a template (loaded from the data files in feedback/frameworks/)
or a round's own copy, which is frozen once the round's first answer arrives.
"""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.clock import utcnow
from feedback.extensions import db


class Framework(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(60))
    version: so.Mapped[str] = so.mapped_column(sa.String(20))
    name_nl: so.Mapped[str] = so.mapped_column(sa.String(200))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(200))
    is_template: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    legs: so.Mapped[list["Leg"]] = so.relationship(
        back_populates="framework", order_by="Leg.position", cascade="all, delete-orphan"
    )
    open_questions: so.Mapped[list["OpenQuestion"]] = so.relationship(
        back_populates="framework",
        order_by="OpenQuestion.position",
        cascade="all, delete-orphan",
    )

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_nl

    @property
    def statements(self) -> list["Statement"]:
        return [s for leg in self.legs for s in leg.statements]


class Leg(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    framework_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(40))
    position: so.Mapped[int]
    name_nl: so.Mapped[str] = so.mapped_column(sa.String(120))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(120))
    description_nl: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    description_en: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Suggested development actions for the report's plan page: lists of strings.
    actions_nl: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    actions_en: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)

    framework: so.Mapped[Framework] = so.relationship(back_populates="legs")
    statements: so.Mapped[list["Statement"]] = so.relationship(
        back_populates="leg", order_by="Statement.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("framework_id", "key"),)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_nl

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_nl

    def actions(self, lang: str) -> list[str]:
        return list(self.actions_en if lang == "en" else self.actions_nl)


class Statement(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    leg_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("leg.id", ondelete="CASCADE"), index=True
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(60))
    position: so.Mapped[int]
    text_nl: so.Mapped[str] = so.mapped_column(sa.Text)
    text_en: so.Mapped[str] = so.mapped_column(sa.Text)

    leg: so.Mapped[Leg] = so.relationship(back_populates="statements")

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_nl


class OpenQuestion(db.Model):
    """Start / stop / continue: free-text questions."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    framework_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(40))
    position: so.Mapped[int]
    text_nl: so.Mapped[str] = so.mapped_column(sa.Text)
    text_en: so.Mapped[str] = so.mapped_column(sa.Text)

    framework: so.Mapped[Framework] = so.relationship(back_populates="open_questions")

    __table_args__ = (sa.UniqueConstraint("framework_id", "key"),)

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_nl
