"""A closed round's report figures, computed once in the close transaction.

    summarise_round(round_id)              # feedback/admin/closing.py, right after the
                                           # envelopes are opened
    norms(rnd)                             # the organisation norms: a handful of rows
    statement_tallies(rnd, participant_id) # one manager's tallies, legs: an indexed read
    leg_counts(rnd, participant_id)

A closed round takes no more answers, so the GROUP BYs of its reports would give the same
rows every time: the per-round ones (`queries.round_statement_tallies`,
`queries.round_leg_counts`) run once at close, their rows are stored
(models/summary.py), and the norms are reduced from them with the same pure function as
the SQL on the answers (`queries.reduce_norms`), so both agree to the last digit (tested
on generated data). Reading a report then costs a few indexed selects instead of
aggregating every answer of the organisation.

A round without a summary (still open, or closed before summaries were kept) is read
from the answers as before (`queries`); `summarise_round` can be run on such a round at
any time after close, and again (it replaces what was stored).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.clock import utcnow
from feedback.extensions import db
from feedback.models import LegTally, Round, RoundNorm, RoundSummary, Statement, StatementTally
from feedback.models.framework import Leg
from feedback.reports import queries
from feedback.reports.aggregation import (
    NON_EXEMPT_GROUPS,
    RATER_GROUPS,
    Tally,
    apply_threshold,
    shown_in_all_others,
)

BATCH = 5000  # rows per executemany

statement_tally = StatementTally.__table__
leg_tally = LegTally.__table__
round_norm = RoundNorm.__table__
STATEMENT, LEG = "statement", "leg"


def _session(session: so.Session | None) -> so.Session:
    return session if session is not None else db.session


def _insert(s: so.Session, table: sa.Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        s.execute(sa.insert(table), rows[start : start + BATCH])


def manager_means(
    tallies: dict[int, dict[int, dict[str, Tally]]],
    leg_of: dict[int, int],
    threshold: int,
) -> list[queries.ManagerMean]:
    """The visible all_others statement figures of every manager, from the round's tallies:
    the groups the report puts into all_others (aggregation.shown_in_all_others: a group left
    out of the manager's figures is left out of the norm too), kept when visible."""
    means = []
    for participant_id, by_statement in tallies.items():
        for statement_id, by_group in by_statement.items():
            counts = {g: by_group[g].n if g in by_group else 0 for g in RATER_GROUPS}
            visibility = apply_threshold(counts, threshold)
            if not visibility.all_others_visible:
                continue
            others = [by_group[g] for g in shown_in_all_others(visibility)]
            n = sum(t.n for t in others)
            if n:
                total = int(sum(t.total for t in others))
                means.append(
                    queries.ManagerMean(
                        participant_id, statement_id, leg_of[statement_id], n, total
                    )
                )
    return means


def legs_enough(counts: dict[int, dict[int, dict[str, int]]], threshold: int) -> set:
    """(participant id, leg id) whose non-exempt qualifying raters reach the threshold."""
    return {
        (participant_id, leg_id)
        for participant_id, by_leg in counts.items()
        for leg_id, by_group in by_leg.items()
        if sum(by_group.get(g, 0) for g in NON_EXEMPT_GROUPS) >= threshold
    }


def summarise_round(round_id: int, session: so.Session | None = None) -> queries.RoundNorms:
    """In the caller's transaction: compute and store the round's summary (replacing any
    earlier one); returns its norms. Run it once the answers are final (at close)."""
    s = _session(session)
    rnd = s.get(Round, round_id)
    fid, t = rnd.framework_id, rnd.threshold
    tallies = queries.round_statement_tallies(round_id, fid, s)
    counts = queries.round_leg_counts(round_id, fid, s)
    leg_of = dict(
        s.execute(
            sa.select(Statement.id, Statement.leg_id)
            .join(Leg, Leg.id == Statement.leg_id)
            .where(Leg.framework_id == fid)
        ).all()
    )
    found = queries.reduce_norms(manager_means(tallies, leg_of, t), legs_enough(counts, t))

    for model in (StatementTally, LegTally, RoundNorm, RoundSummary):
        s.execute(
            sa.delete(model)
            .where(model.round_id == round_id)
            .execution_options(synchronize_session=False)
        )
    _insert(
        s,
        statement_tally,
        [
            {
                "round_id": round_id,
                "participant_id": participant_id,
                "statement_id": statement_id,
                "group": group,
                "n": tally.n,
                "n_dont_know": tally.n_dont_know,
                "total": int(tally.total),
                "total_sq": int(tally.total_sq),
                **{f"c{i}": c for i, c in enumerate(tally.distribution, start=1)},
            }
            for participant_id, by_statement in tallies.items()
            for statement_id, by_group in by_statement.items()
            for group, tally in by_group.items()
        ],
    )
    _insert(
        s,
        leg_tally,
        [
            {
                "round_id": round_id,
                "participant_id": participant_id,
                "leg_id": leg_id,
                "group": group,
                "n": n,
            }
            for participant_id, by_leg in counts.items()
            for leg_id, by_group in by_leg.items()
            for group, n in by_group.items()
        ],
    )
    _insert(
        s,
        round_norm,
        [
            {"round_id": round_id, "kind": kind, "item_id": item, "norm": norm, "managers": m}
            for kind, figures in ((STATEMENT, found.statements), (LEG, found.legs))
            for item, (norm, m) in figures.items()
        ],
    )
    s.add(RoundSummary(round_id=round_id, threshold=t, computed_at=utcnow()))
    s.flush()
    return found


# --- reading ------------------------------------------------------------------------------

_HAS_SUMMARY = sa.select(RoundSummary.threshold).where(
    RoundSummary.round_id == sa.bindparam("round_id")
)
_NORMS = sa.select(
    round_norm.c.kind, round_norm.c.item_id, round_norm.c.norm, round_norm.c.managers
).where(round_norm.c.round_id == sa.bindparam("round_id"))
_STATEMENT_TALLIES = sa.select(
    statement_tally.c.statement_id,
    statement_tally.c.group,
    statement_tally.c.n,
    statement_tally.c.n_dont_know,
    statement_tally.c.total,
    statement_tally.c.total_sq,
    statement_tally.c.c1,
    statement_tally.c.c2,
    statement_tally.c.c3,
    statement_tally.c.c4,
    statement_tally.c.c5,
).where(statement_tally.c.participant_id == sa.bindparam("participant_id"))
_LEG_COUNTS = sa.select(leg_tally.c.leg_id, leg_tally.c.group, leg_tally.c.n).where(
    leg_tally.c.participant_id == sa.bindparam("participant_id")
)


def has_summary(rnd: Round, session: so.Session | None = None) -> bool:
    """Whether the round's figures were summed up for the threshold it has now."""
    threshold = _session(session).execute(_HAS_SUMMARY, {"round_id": rnd.id}).scalar()
    return threshold is not None and threshold == rnd.threshold


def stored_norms(round_id: int, session: so.Session | None = None) -> queries.RoundNorms:
    statements: dict[int, tuple[float, int]] = {}
    legs: dict[int, tuple[float, int]] = {}
    for kind, item, norm, managers in _session(session).execute(_NORMS, {"round_id": round_id}):
        (statements if kind == STATEMENT else legs)[item] = (norm, managers)
    return queries.RoundNorms(statements=statements, legs=legs)


def norms(rnd: Round, session: so.Session | None = None) -> queries.RoundNorms:
    """The round's organisation norms: from its summary, else from the answers."""
    s = _session(session)
    if has_summary(rnd, s):
        return stored_norms(rnd.id, s)
    return queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold, s)


def stored_statement_tallies(
    participant_id: int, session: so.Session | None = None
) -> dict[int, queries.Tallies]:
    result: dict[int, queries.Tallies] = {}
    rows = _session(session).execute(_STATEMENT_TALLIES, {"participant_id": participant_id}).all()
    for statement_id, group, n, n_dont_know, total, total_sq, *distribution in rows:
        result.setdefault(statement_id, {})[group] = Tally(
            n=n,
            total=float(total),
            total_sq=float(total_sq),
            n_dont_know=n_dont_know,
            distribution=tuple(distribution),
        )
    return result


def stored_leg_counts(
    participant_id: int, session: so.Session | None = None
) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = {}
    rows = _session(session).execute(_LEG_COUNTS, {"participant_id": participant_id}).all()
    for leg_id, group, n in rows:
        result.setdefault(leg_id, {})[group] = n
    return result


def manager_tallies(
    participant_id: int, framework_id: int, summarised: bool, session: so.Session | None = None
) -> tuple[dict[int, queries.Tallies], dict[int, dict[str, int]]]:
    """One manager's statement tallies and qualifying raters per leg: from the summary when
    the round has one (`summarised`, see has_summary), else from the answers."""
    if summarised:
        return stored_statement_tallies(participant_id, session), stored_leg_counts(
            participant_id, session
        )
    return (
        queries.statement_tallies(participant_id, framework_id, session),
        queries.leg_counts(participant_id, framework_id, session),
    )
