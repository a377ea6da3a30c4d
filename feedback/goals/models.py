"""Development goals a manager saves from the plan tab of their report.

A goal belongs to one participation (`participant_id`: this manager in this round) and
points at exactly one statement or one leg of the round's framework, so a later follow-up
survey can ask the same raters about exactly these statements. It holds the manager's own
words (`text`), a target date and whether it is shared with the manager's supervisor.
A goal holds no rater data and no figures of the report.

Who sees goals:
- the manager: their own goals, on the report's plan tab and in the report's PDF; they add
  (at most three per report), edit and delete them;
- the supervisor (the manager's `Person.manager`), when they have an account: the goals the
  manager shared, on "Goals shared with me": the statement or leg text, the goal and the
  date, never a figure of the report and never the report itself;
- HR: on the web only how many managers of a round set goals (HR can open every report
  and PDF of a closed round, and the PDF prints the goals of its manager);
- nobody else.
"""

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.clock import utcnow
from feedback.extensions import db
from feedback.models import Leg, Participant, Round, Statement


class Goal(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    statement_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("statement.id", ondelete="CASCADE"), index=True
    )
    leg_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("leg.id", ondelete="CASCADE"), index=True
    )
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    target_date: so.Mapped[date]
    shared: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    round: so.Mapped[Round] = so.relationship()
    participant: so.Mapped[Participant] = so.relationship()
    statement: so.Mapped[Statement | None] = so.relationship()
    leg: so.Mapped[Leg | None] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("(statement_id IS NULL) <> (leg_id IS NULL)", name="statement_or_leg"),
    )
