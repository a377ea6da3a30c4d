"""A round's report figures, summed up once when the round closes (feedback/reports/summary.py).

A closed round takes no more answers, so the GROUP BYs of its reports never change. They
are computed in the close transaction, right after the envelopes are opened, and kept
here: per manager, statement and rater group the additive tally (n, sums, distribution),
per manager, leg and group the qualifying raters, and per statement and leg the round's
organisation norm. These are aggregates of rows that exist anyway after close, with
nothing finer than a rater group: they tell no more than the reports themselves.
"""

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.extensions import db


class RoundSummary(db.Model):
    """Present when a round's summary was computed (and so is complete)."""

    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    threshold: so.Mapped[int]  # the threshold the norms were computed with
    computed_at: so.Mapped[dt.datetime]


class StatementTally(db.Model):
    """queries.statement_tallies_query's row of one manager, statement and rater group."""

    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    statement_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("statement.id", ondelete="CASCADE"), primary_key=True
    )
    group: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    n: so.Mapped[int]
    n_dont_know: so.Mapped[int]
    total: so.Mapped[int]
    total_sq: so.Mapped[int]
    c1: so.Mapped[int]
    c2: so.Mapped[int]
    c3: so.Mapped[int]
    c4: so.Mapped[int]
    c5: so.Mapped[int]

    # One manager's rows lie together in key order: a report reads them in one range.
    __table_args__ = ({"sqlite_with_rowid": False},)


class LegTally(db.Model):
    """queries.leg_counts_query's row: qualifying raters of one manager, leg and group."""

    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    leg_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("leg.id", ondelete="CASCADE"), primary_key=True
    )
    group: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    n: so.Mapped[int]

    __table_args__ = ({"sqlite_with_rowid": False},)


class RoundNorm(db.Model):
    """The organisation norm of one statement or leg of a round (queries.RoundNorms)."""

    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), primary_key=True)  # statement | leg
    item_id: so.Mapped[int] = so.mapped_column(primary_key=True)
    norm: so.Mapped[float] = so.mapped_column(sa.Double)
    managers: so.Mapped[int]

    __table_args__ = ({"sqlite_with_rowid": False},)
