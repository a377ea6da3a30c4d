"""The competency framework: legs, behaviour statements, open questions (NL and EN).

A framework row is either a template (loaded from the data files in feedback/frameworks/)
or a round's own copy, which is frozen once the round's first answer arrives.

Statements and open questions are worded per reader. `text(lang)` is the neutral form the
reports show ("Hires salespeople who ..."); `rater_text(lang, group, manager_name)` is the
form a rater of that group answers: first person for the self-assessment ("I hire ..."),
"My manager ..." for direct reports, the manager's name for peers and the supervisor
("{name} hires ...", "This manager hires ..." when no name is known). The rater forms live
in `forms` ({"nl": {"self": ..., "direct": ..., "other": ...}, "en": {...}}); a row without
them (one that was not loaded from a framework file with forms) uses its text for every
form.
"""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.clock import utcnow
from feedback.extensions import db

# The wording forms of a statement or open question: `neutral` is text_nl / text_en, the
# others are the rater forms held in `forms`.
NEUTRAL = "neutral"
RATER_FORMS = ("self", "direct", "other")
FORMS = (NEUTRAL, *RATER_FORMS)
NAME = "{name}"  # where the `other` form puts the manager's name
# Which form each rater group (RaterGroup in models/rounds.py) answers.
FORM_OF_GROUP = {
    "self": "self",
    "direct_report": "direct",
    "peer": "other",
    "supervisor": "other",
}
# Stands in for the name in an `other` form when the manager's name is not known.
UNNAMED = {"nl": "deze manager", "en": "this manager"}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def with_name(text: str, lang: str, manager_name: str | None) -> str:
    """An `other` form with the manager's name put in (or "this manager": capitalised when
    it opens the sentence). Plain replacement: a name with braces in it stays as it is."""
    if NAME not in text:
        return text
    name = (manager_name or "").strip()
    if name:
        return text.replace(NAME, name)
    unnamed = UNNAMED[_lang(lang)]
    if text.startswith(NAME):
        text = unnamed[:1].upper() + unnamed[1:] + text[len(NAME) :]
    return text.replace(NAME, unnamed)


class _Worded:
    """The text of a statement or open question in its neutral and rater forms (the
    model has text_nl, text_en and forms)."""

    def text(self, lang: str) -> str:
        """The neutral form, as reports show it."""
        return self.text_en if lang == "en" else self.text_nl

    def form(self, lang: str, form: str) -> str:
        """One wording form as stored, `{name}` left in place (the text when it has none)."""
        if form not in FORMS:
            raise ValueError(f"unknown wording form {form!r}")
        if form == NEUTRAL:
            return self.text(lang)
        stored = ((self.forms or {}).get(_lang(lang)) or {}).get(form)
        return stored or self.text(lang)

    def rater_text(self, lang: str, group: str, manager_name: str | None = None) -> str:
        """What a rater of `group` (a RaterGroup) reads in the survey, with the manager's
        display name where the form names them."""
        try:
            form = FORM_OF_GROUP[str(group)]
        except KeyError:
            raise ValueError(f"unknown rater group {group!r}") from None
        return with_name(self.form(lang, form), lang, manager_name)


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


class Statement(_Worded, db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    leg_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("leg.id", ondelete="CASCADE"), index=True
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(60))
    position: so.Mapped[int]
    text_nl: so.Mapped[str] = so.mapped_column(sa.Text)  # the neutral form
    text_en: so.Mapped[str] = so.mapped_column(sa.Text)
    forms: so.Mapped[dict | None] = so.mapped_column(sa.JSON)  # the rater forms (see above)

    leg: so.Mapped[Leg] = so.relationship(back_populates="statements")


class OpenQuestion(_Worded, db.Model):
    """Start / stop / continue: free-text questions."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    framework_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(40))
    position: so.Mapped[int]
    text_nl: so.Mapped[str] = so.mapped_column(sa.Text)  # the neutral form
    text_en: so.Mapped[str] = so.mapped_column(sa.Text)
    forms: so.Mapped[dict | None] = so.mapped_column(sa.JSON)  # the rater forms (see above)

    framework: so.Mapped[Framework] = so.relationship(back_populates="open_questions")

    __table_args__ = (sa.UniqueConstraint("framework_id", "key"),)
