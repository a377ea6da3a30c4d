"""What raters said, stored so that it cannot be traced back to who said it.

Structural rules (tested in tests/test_schema.py):
- no column or foreign key leads to an invitation, a person or an account;
- no timestamp at all: a response belongs to a round, and that is as fine as time gets;
- keys are random UUID4 strings, and on SQLite the tables are WITHOUT ROWID, so rows are
  stored in key order: the physical order says nothing about when a response arrived.
  On PostgreSQL closing a round re-clusters these tables on their random keys.
"""

import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.extensions import db


def _uuid() -> str:
    return str(uuid.uuid4())


_NO_ROWID = {"sqlite_with_rowid": False}


class Response(db.Model):
    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_uuid)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    group: so.Mapped[str] = so.mapped_column(sa.String(20))
    grade: so.Mapped[int | None]  # overall grade, Dutch 1-10

    answers: so.Mapped[list["Answer"]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    comments: so.Mapped[list["Comment"]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint("grade IS NULL OR (grade BETWEEN 1 AND 10)", name="grade_range"),
        sa.CheckConstraint(
            "\"group\" IN ('self', 'supervisor', 'direct_report', 'peer')", name="group_known"
        ),
        # Reports: one manager's figures, and the organisation norms of a round.
        sa.Index("ix_response_participant_group", "participant_id", "group"),
        sa.Index("ix_response_round_participant_group", "round_id", "participant_id", "group"),
        _NO_ROWID,
    )


class Answer(db.Model):
    """A score 1-5 for one statement; NULL score means "don't know"."""

    response_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    statement_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("statement.id"), primary_key=True, index=True
    )
    score: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)

    __table_args__ = (
        sa.CheckConstraint("score IS NULL OR (score BETWEEN 1 AND 5)", name="score_range"),
        # Covering index for the organisation norms (WITHOUT ROWID: it carries response_id).
        sa.Index("ix_answer_statement_score", "statement_id", "score"),
        _NO_ROWID,
    )


class Comment(db.Model):
    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_uuid)
    response_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    question_key: so.Mapped[str] = so.mapped_column(sa.String(40))
    text: so.Mapped[str] = so.mapped_column(sa.Text)

    __table_args__ = (_NO_ROWID,)


RESPONSE_TABLES = ("response", "answer", "comment")


class SealedResponse(db.Model):
    """A submitted response while its round is open: one envelope, sealed with the instance
    key (feedback/sealing.py), holding manager, group, grade, scores and comments.

    Its key is random and nothing in it points at an invitation; the database alone cannot
    read it. Closing the round opens every envelope of the round and deletes it.
    """

    __tablename__ = "sealed_response"

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_uuid)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    sealed: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)

    __table_args__ = (_NO_ROWID,)
