"""The report's SQL: SQLAlchemy Core selects that aggregate in the database (GROUP BY).

Nothing here loops over answer rows in Python: each query returns one small row per
(statement or leg, rater group), turned into `Tally` tuples for the pure rules in
aggregation.py. Sums and sums of squares come back so that groups can be pooled ("others",
"all_others") and the sample SD computed without going back to the rows.

The tallies of one manager (the report) and of every manager of a round at once (insights)
come from the same two SELECTs, `statement_tallies_query` and `leg_counts_query`; the norms
of a round and the previous round for the trend follow. Every query of the reports is here,
so who counts for a figure is written once: that is why this module is over 400 lines.

Indexes that serve these queries (models/responses.py): response(participant_id, group),
response(round_id, participant_id, group) and the covering answer(statement_id, score).
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.extensions import db
from feedback.models import (
    Answer,
    Comment,
    Invitation,
    Leg,
    Participant,
    Response,
    Round,
    RoundStatus,
    Statement,
)
from feedback.reports.aggregation import NON_EXEMPT_GROUPS, SCORES, SELF, RawComment, Tally

answer = Answer.__table__
response = Response.__table__
comment = Comment.__table__
statement = Statement.__table__
leg = Leg.__table__
participant = Participant.__table__
round_ = Round.__table__

Tallies = dict[str, Tally]


def _session(session: so.Session | None) -> so.Session:
    return session if session is not None else db.session


def _distribution_columns(score: sa.ColumnElement) -> list[sa.ColumnElement]:
    return [
        sa.func.sum(sa.case((score == value, 1), else_=0)).label(f"c{value}") for value in SCORES
    ]


def _float(value) -> float:
    return float(value or 0)


# --- Who counts for a leg -----------------------------------------------------------------------


def _leg_sizes(framework_id) -> sa.Subquery:
    """Statements per leg of a framework."""
    return (
        sa.select(statement.c.leg_id, sa.func.count().label("size"))
        .select_from(statement.join(leg, leg.c.id == statement.c.leg_id))
        .where(leg.c.framework_id == framework_id)
        .group_by(statement.c.leg_id)
        .subquery("leg_size")
    )


def qualifying_raters(framework_id, where: sa.ColumnElement[bool]) -> sa.Subquery:
    """One row per (response, leg) whose rater answered at least half of the leg's statements
    ("don't know" does not count as answered): response_id, participant_id, group, leg_id.

    Only these raters count for a leg and for every statement of it: every statement
    figure joins its answers with this set, so a statement figure and its leg always
    count the same raters."""
    sizes = _leg_sizes(framework_id)
    score = answer.c.score
    return (
        sa.select(
            response.c.id.label("response_id"),
            response.c.participant_id,
            response.c.group,
            statement.c.leg_id,
        )
        .select_from(
            answer.join(response, response.c.id == answer.c.response_id)
            .join(statement, statement.c.id == answer.c.statement_id)
            .join(sizes, sizes.c.leg_id == statement.c.leg_id)
        )
        .where(where)
        .group_by(
            response.c.id,
            response.c.participant_id,
            response.c.group,
            statement.c.leg_id,
            sizes.c.size,
        )
        .having(2 * sa.func.count(score) >= sizes.c.size)
        .subquery("qualifying")
    )


def counted_answers(qualifying: sa.Subquery) -> sa.Join:
    """The answers that count: those of a qualifying rater for the statement's leg. The
    qualifying subquery carries the response's participant_id and group."""
    return answer.join(statement, statement.c.id == answer.c.statement_id).join(
        qualifying,
        (qualifying.c.response_id == answer.c.response_id)
        & (qualifying.c.leg_id == statement.c.leg_id),
    )


def statement_tally_columns(score: sa.ColumnElement) -> list[sa.ColumnElement]:
    """n, "don't know" count, sum, sum of squares and the distribution of one group."""
    return [
        sa.func.count(score).label("n"),
        (sa.func.count() - sa.func.count(score)).label("n_dont_know"),
        sa.func.sum(score).label("total"),
        sa.func.sum(score * score).label("total_sq"),
        *_distribution_columns(score),
    ]


# --- One manager, or every manager of a round ----------------------------------------------


def _raters(participant_id, framework_id, round_id) -> tuple[sa.Subquery, tuple]:
    """The qualifying raters of one manager (without arguments, the bind parameters
    "participant_id" and "framework_id") or, with round_id, of every manager of that round;
    and the columns that then lead every row and its GROUP BY (the manager's participant_id)."""
    framework = sa.bindparam("framework_id") if framework_id is None else framework_id
    if round_id is not None:
        raters = qualifying_raters(framework, response.c.round_id == round_id)
        return raters, (raters.c.participant_id,)
    manager = sa.bindparam("participant_id") if participant_id is None else participant_id
    return qualifying_raters(framework, response.c.participant_id == manager), ()


def statement_tallies_query(
    participant_id: int | None = None,
    framework_id: int | None = None,
    *,
    round_id: int | None = None,
) -> sa.Select:
    """Per (statement, group): n, "don't know" count, sum, sum of squares, distribution,
    over the raters who qualify for the statement's leg. One manager, or with round_id per
    (manager, statement, group) for the whole round (see _raters)."""
    raters, by_manager = _raters(participant_id, framework_id, round_id)
    keys = (*by_manager, answer.c.statement_id, raters.c.group)
    return (
        sa.select(*keys, *statement_tally_columns(answer.c.score))
        .select_from(counted_answers(raters))
        .group_by(*keys)
    )


def leg_counts_query(
    participant_id: int | None = None,
    framework_id: int | None = None,
    *,
    round_id: int | None = None,
) -> sa.Select:
    """Per (leg, group): the number of qualifying raters. One manager, or with round_id per
    (manager, leg, group) for the whole round (see _raters)."""
    raters, by_manager = _raters(participant_id, framework_id, round_id)
    keys = (*by_manager, raters.c.leg_id, raters.c.group)
    return sa.select(*keys, sa.func.count().label("n")).group_by(*keys)


_STATEMENT_TALLIES = statement_tallies_query()  # built once; SQLAlchemy caches its SQL
_LEG_COUNTS = leg_counts_query()


def _tally(n, n_dont_know, total, total_sq, *distribution) -> Tally:
    return Tally(
        n=n,
        total=_float(total),
        total_sq=_float(total_sq),
        n_dont_know=n_dont_know,
        distribution=tuple(int(c or 0) for c in distribution),
    )


def statement_tallies(
    participant_id: int, framework_id: int, session: so.Session | None = None
) -> dict[int, Tallies]:
    """{statement id: {group: Tally}} for one manager in one round (qualifying raters only)."""
    result: dict[int, Tallies] = {}
    rows = _session(session).execute(
        _STATEMENT_TALLIES, {"participant_id": participant_id, "framework_id": framework_id}
    )
    for statement_id, group, *tally in rows:
        result.setdefault(statement_id, {})[group] = _tally(*tally)
    return result


def leg_counts(
    participant_id: int, framework_id: int, session: so.Session | None = None
) -> dict[int, dict[str, int]]:
    """{leg id: {group: qualifying raters}}: the counts a leg's threshold is applied to
    (aggregation.leg_figure_stats derives the rest of a leg from its statements)."""
    result: dict[int, dict[str, int]] = {}
    rows = _session(session).execute(
        _LEG_COUNTS, {"participant_id": participant_id, "framework_id": framework_id}
    )
    for leg_id, group, n in rows:
        result.setdefault(leg_id, {})[group] = n
    return result


def round_statement_tallies(
    round_id: int, framework_id: int, session: so.Session | None = None
) -> dict[int, dict[int, Tallies]]:
    """{participant id: statement_tallies of that manager} for every manager of a round,
    in one query."""
    result: dict[int, dict[int, Tallies]] = {}
    query = statement_tallies_query(framework_id=framework_id, round_id=round_id)
    for participant_id, statement_id, group, *tally in _session(session).execute(query):
        result.setdefault(participant_id, {}).setdefault(statement_id, {})[group] = _tally(*tally)
    return result


def round_leg_counts(
    round_id: int, framework_id: int, session: so.Session | None = None
) -> dict[int, dict[int, dict[str, int]]]:
    """{participant id: leg_counts of that manager} for every manager of a round, in one query."""
    result: dict[int, dict[int, dict[str, int]]] = {}
    query = leg_counts_query(framework_id=framework_id, round_id=round_id)
    for participant_id, leg_id, group, n in _session(session).execute(query):
        result.setdefault(participant_id, {}).setdefault(leg_id, {})[group] = n
    return result


@dataclass(frozen=True)
class GradeTallies:
    grades: Tallies  # overall grade per group
    respondents: dict[str, int]  # responses per group (for the cover and the comments)


def _grade_tallies_query() -> sa.Select:
    grade = response.c.grade
    return (
        sa.select(
            response.c.group,
            sa.func.count().label("respondents"),
            sa.func.count(grade).label("n"),
            sa.func.sum(grade).label("total"),
            sa.func.sum(grade * grade).label("total_sq"),
        )
        .where(response.c.participant_id == sa.bindparam("participant_id"))
        .group_by(response.c.group)
    )


_GRADE_TALLIES = _grade_tallies_query()  # built once: a report reads it for every manager


def grade_tallies(participant_id: int, session: so.Session | None = None) -> GradeTallies:
    grades: Tallies = {}
    respondents: dict[str, int] = {}
    rows = _session(session).execute(_GRADE_TALLIES, {"participant_id": participant_id})
    for row in rows.all():
        grades[row.group] = Tally(n=row.n, total=_float(row.total), total_sq=_float(row.total_sq))
        respondents[row.group] = row.respondents
    return GradeTallies(grades=grades, respondents=respondents)


_COMMENTS = (  # built once: a report reads it for every manager
    sa.select(comment.c.id, comment.c.question_key, comment.c.text, response.c.group)
    .select_from(comment.join(response, response.c.id == comment.c.response_id))
    .where(response.c.participant_id == sa.bindparam("participant_id"))
    .order_by(comment.c.id)
)


def invited_counts(participant_id: int, session: so.Session | None = None) -> dict[str, int]:
    """How many raters of each group were invited to rate this manager (GROUP BY in SQL).
    The report shows a group's figure only beside that group's own count of answers."""
    rows = _session(session).execute(
        sa.select(Invitation.group, sa.func.count())
        .where(Invitation.participant_id == participant_id)
        .group_by(Invitation.group)
    )
    return {group: n for group, n in rows.all()}


def comments_of(participant_id: int, session: so.Session | None = None) -> list[RawComment]:
    """The manager's comments with their rater group, in random-key order."""
    rows = _session(session).execute(_COMMENTS, {"participant_id": participant_id}).all()
    return [
        RawComment(id=row.id, question_key=row.question_key, group=row.group, text=row.text)
        for row in rows
    ]


# --- The whole round: organisation norms ------------------------------------------------------


@dataclass(frozen=True)
class RoundNorms:
    """Per statement id and per leg id: (mean over managers of their all_others mean, number
    of managers counted). Only managers whose all_others figure meets the threshold count."""

    statements: dict[int, tuple[float, int]]
    legs: dict[int, tuple[float, int]]


@dataclass(frozen=True)
class ManagerMean:
    """One manager's visible all_others figure of one statement, as exact integers: the
    non-"don't know" scores of the qualifying raters except self (n) and their sum."""

    participant_id: int
    statement_id: int
    leg_id: int
    n: int
    total: int


def reduce_norms(means: Iterable[ManagerMean], legs_enough: set[tuple[int, int]]) -> RoundNorms:
    """The norms from the managers' visible statement means (pure, exact to the last digit).

    A statement's norm is the mean over managers of total / n; a leg's is the mean over the
    managers in `legs_enough` ((participant id, leg id) whose non-exempt qualifying raters
    reach the threshold) of the mean of their visible statement means of that leg. Every
    mean is `math.fsum` over the values divided by their number, which is correctly rounded
    and does not depend on the order of the values: the SQL on the answers and the summary
    kept at close (reports/summary.py) give the very same floats on SQLite and PostgreSQL."""
    by_statement: dict[int, list[float]] = {}
    by_manager_leg: dict[tuple[int, int], list[float]] = {}
    for m in means:
        mean = m.total / m.n
        by_statement.setdefault(m.statement_id, []).append(mean)
        key = (m.participant_id, m.leg_id)
        if key in legs_enough:
            by_manager_leg.setdefault(key, []).append(mean)
    by_leg: dict[int, list[float]] = {}
    for (_participant_id, leg_id), values in by_manager_leg.items():
        by_leg.setdefault(leg_id, []).append(math.fsum(values) / len(values))
    return RoundNorms(
        statements={k: (math.fsum(v) / len(v), len(v)) for k, v in by_statement.items()},
        legs={k: (math.fsum(v) / len(v), len(v)) for k, v in by_leg.items()},
    )


def _manager_statement_means(round_id: int, framework_id: int, threshold: int) -> sa.Subquery:
    """Per (manager, statement): n and sum of the all_others scores of the qualifying raters,
    for the managers whose all_others figure of that statement is visible, counting exactly
    the groups the report puts into it (aggregation.shown_in_all_others): the supervisor,
    every non-exempt group with n >= t, and the groups below t only when together they reach
    t (the pool). A group left out of the manager's figures is left out of the norm too, so
    its answers move no figure of any report. all_others is visible exactly when the
    non-exempt groups together reach the threshold (apply_threshold; tested against it),
    which after leaving out a pool below t is still the case exactly when the kept
    non-exempt groups reach it: the HAVING below keeps just those."""
    raters = qualifying_raters(framework_id, response.c.round_id == round_id)
    score = answer.c.score
    per_group = (
        sa.select(
            raters.c.participant_id,
            answer.c.statement_id,
            statement.c.leg_id,
            raters.c.group,
            sa.func.count(score).label("n"),
            sa.func.coalesce(sa.func.sum(score), 0).label("total"),
        )
        .select_from(counted_answers(raters))
        .where(raters.c.group != SELF)
        .group_by(
            raters.c.participant_id, answer.c.statement_id, statement.c.leg_id, raters.c.group
        )
        .subquery("manager_statement_group")
    )
    small = per_group.c.group.in_(NON_EXEMPT_GROUPS) & (per_group.c.n < threshold)
    with_pool = sa.select(
        per_group,
        sa.func.sum(sa.case((small, per_group.c.n), else_=0))
        .over(partition_by=(per_group.c.participant_id, per_group.c.statement_id))
        .label("pool"),
        small.label("small"),
    ).subquery("manager_statement_pool")
    g = with_pool.c
    kept = sa.not_(g.small) | (g.pool >= threshold)
    return (
        sa.select(
            g.participant_id,
            g.statement_id,
            g.leg_id,
            sa.func.sum(g.n).label("n"),
            sa.func.sum(g.total).label("total"),
        )
        .where(kept)
        .group_by(g.participant_id, g.statement_id, g.leg_id)
        .having(sa.func.sum(sa.case((g.group.in_(NON_EXEMPT_GROUPS), g.n), else_=0)) >= threshold)
        .subquery("manager_statement")
    )


def statement_norms_query(round_id: int, framework_id: int, threshold: int) -> sa.Select:
    """Per (manager, statement) with a visible all_others figure: participant_id,
    statement_id, leg_id, n, total (the ManagerMean rows the norms are reduced from)."""
    return sa.select(_manager_statement_means(round_id, framework_id, threshold))


def leg_norms_query(round_id: int, framework_id: int, threshold: int) -> sa.Select:
    """Per (manager, leg) whose non-exempt qualifying raters reach the threshold:
    participant_id, leg_id.

    A manager's all_others leg figure (aggregation.leg_figure_stats) is visible when the
    non-exempt qualifying raters reach the threshold and at least one statement's all_others
    figure is visible; it is then the mean of those visible statement means."""
    raters = qualifying_raters(framework_id, response.c.round_id == round_id)
    return (
        sa.select(raters.c.participant_id, raters.c.leg_id)
        .where(raters.c.group.in_(NON_EXEMPT_GROUPS))
        .group_by(raters.c.participant_id, raters.c.leg_id)
        .having(sa.func.count() >= threshold)
    )


def round_norms(
    round_id: int, framework_id: int, threshold: int, session: so.Session | None = None
) -> RoundNorms:
    """Norms for every statement and leg of a round from the answers, in two GROUP BY
    queries. A closed round keeps them in its summary (reports/summary.py, `norms`), which
    answers in a millisecond; this is the reference it is computed and tested against."""
    s = _session(session)
    means = [
        ManagerMean(row.participant_id, row.statement_id, row.leg_id, row.n, int(row.total))
        for row in s.execute(statement_norms_query(round_id, framework_id, threshold))
    ]
    enough = {
        (row.participant_id, row.leg_id)
        for row in s.execute(leg_norms_query(round_id, framework_id, threshold))
    }
    return reduce_norms(means, enough)


# --- The previous round ------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousRound:
    participant_id: int
    round_id: int
    round_name: str
    closes_on: date
    framework_id: int
    threshold: int
    leg_ids: dict[str, int]  # leg key -> leg id in that round's framework


def leg_keys(framework_id: int, session: so.Session | None = None) -> dict[str, int]:
    rows = _session(session).execute(
        sa.select(leg.c.key, leg.c.id).where(leg.c.framework_id == framework_id)
    )
    return {row.key: row.id for row in rows}


_PREVIOUS_ROUNDS = (  # built once: every report looks for the manager's previous round
    sa.select(
        participant.c.id.label("participant_id"),
        round_.c.id.label("round_id"),
        round_.c.name,
        round_.c.closes_on,
        round_.c.framework_id,
        round_.c.threshold,
    )
    .select_from(participant.join(round_, round_.c.id == participant.c.round_id))
    .where(
        participant.c.person_id == sa.bindparam("person_id"),
        round_.c.id != sa.bindparam("round_id"),
        round_.c.closes_on < sa.bindparam("closes_on"),
        round_.c.status.in_([RoundStatus.CLOSED.value, RoundStatus.PUBLISHED.value]),
    )
    .order_by(round_.c.closes_on.desc(), round_.c.id.desc())
)


def previous_round(
    person_id: int,
    round_id: int,
    closes_on: date,
    keys: Mapping[str, int] | set[str],
    session: so.Session | None = None,
) -> PreviousRound | None:
    """The most recent earlier round (closed or published) in which the same person was a
    participant and whose framework has legs with the same keys; None if there is none."""
    s = _session(session)
    rows = s.execute(
        _PREVIOUS_ROUNDS, {"person_id": person_id, "round_id": round_id, "closes_on": closes_on}
    ).all()
    wanted = set(keys)
    for row in rows:
        ids = leg_keys(row.framework_id, s)
        if set(ids) == wanted:
            return PreviousRound(
                participant_id=row.participant_id,
                round_id=row.round_id,
                round_name=row.name,
                closes_on=row.closes_on,
                framework_id=row.framework_id,
                threshold=row.threshold,
                leg_ids=ids,
            )
    return None
