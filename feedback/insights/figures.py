"""Every manager's figures of a closed round, in a handful of GROUP BY queries.

    rnd = results_round(round_id)              # None: no such round; check has_results(rnd)
    results = round_results(rnd, "nl")         # legs (and statements) of every manager

The threshold rules are the reports' own: each statement goes through
`aggregation.figure_stats` (which calls `apply_threshold`) and each leg is derived from
those with `aggregation.leg_figure_stats`, exactly as `build_report` does,
and the norms come from `queries.round_norms` through `aggregation.usable_norm`. So neither
the overview (overview.py) nor an export (exports.py) can show a number that the manager's
report hides; tests/insights compare them with build_report figure by figure.

Even the queries are the reports' own (queries.round_statement_tallies and
queries.round_leg_counts): the same SELECT, grouped by manager over the whole round
instead of filtered to one manager.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Participant, Person, Round
from feedback.reports import aggregation as agg
from feedback.reports import queries
from feedback.reports.access import HR_STATUSES
from feedback.reports.builder import norms_for_round
from feedback.reports.model import GroupStat


def results_round(round_id: int) -> Round | None:
    return db.session.get(Round, round_id)


def has_results(rnd: Round) -> bool:
    """Results exist once a round is closed: draft and open rounds have none."""
    return rnd.status in HR_STATUSES


# --- Figures of every manager -------------------------------------------------------------------


@dataclass(frozen=True)
class LegInfo:
    id: int
    key: str
    position: int
    name: str


@dataclass(frozen=True)
class StatementInfo:
    id: int
    key: str
    leg_key: str
    order: int
    text: str


@dataclass(frozen=True)
class ManagerResults:
    participant_id: int
    name: str
    team: str  # "" when the person has no team
    legs: dict[str, tuple[GroupStat, ...]]  # leg key -> stats per report group
    statements: dict[int, tuple[GroupStat, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundResults:
    round_id: int
    round_name: str
    status: str
    threshold: int
    lang: str
    legs: tuple[LegInfo, ...]
    statements: tuple[StatementInfo, ...]
    managers: tuple[ManagerResults, ...]  # by name
    leg_norms: dict[str, float | None]  # leg key -> usable norm (None: too few managers)
    statement_norms: dict[int, float | None]


def round_results(rnd: Round, lang: str, *, with_statements: bool = False) -> RoundResults:
    """Every manager's legs (and statements) with the report's threshold rules applied.

    Five queries whatever the number of managers: participants, statement tallies, leg
    counts, and the norms (two, computed once). The legs are derived from the statements
    (aggregation.leg_figure_stats), as in build_report; with_statements also returns the
    statement figures.
    """
    agg.check_lang(lang)
    t = rnd.threshold
    framework = rnd.framework
    legs = tuple(LegInfo(leg.id, leg.key, leg.position, leg.name(lang)) for leg in framework.legs)
    statements: list[StatementInfo] = []
    leg_statements: dict[int, list[int]] = {}
    for leg in framework.legs:
        for st in leg.statements:
            statements.append(
                StatementInfo(st.id, st.key, leg.key, len(statements) + 1, st.text(lang))
            )
            leg_statements.setdefault(leg.id, []).append(st.id)
    norms = norms_for_round(rnd, db.session)
    leg_counts = queries.round_leg_counts(rnd.id, rnd.framework_id)
    statement_tallies = queries.round_statement_tallies(rnd.id, rnd.framework_id)

    people = db.session.execute(
        sa.select(Participant.id, Person.name, Person.team)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.round_id == rnd.id)
        .order_by(Person.name, Participant.id)
    )
    managers = []
    for pid, name, team in people:
        own_counts = leg_counts.get(pid, {})
        own_tallies = statement_tallies.get(pid, {})
        own_statements = {
            st.id: agg.figure_stats(own_tallies.get(st.id, {}), t) for st in statements
        }
        own_legs = {
            leg.key: agg.leg_figure_stats(
                [own_statements[sid] for sid in leg_statements.get(leg.id, [])],
                own_counts.get(leg.id, {}),
                t,
            )
            for leg in legs
        }
        managers.append(
            ManagerResults(
                participant_id=pid,
                name=name,
                team=team or "",
                legs=own_legs,
                statements=own_statements if with_statements else {},
            )
        )
    return RoundResults(
        round_id=rnd.id,
        round_name=rnd.name,
        status=rnd.status,
        threshold=t,
        lang=lang,
        legs=legs,
        statements=tuple(statements),
        managers=tuple(managers),
        leg_norms={leg.key: _usable(norms.legs.get(leg.id)) for leg in legs},
        statement_norms={st.id: _usable(norms.statements.get(st.id)) for st in statements},
    )


def _usable(norm: tuple[float, int] | None) -> float | None:
    mean, managers = norm if norm else (None, 0)
    return agg.usable_norm(mean, managers)
