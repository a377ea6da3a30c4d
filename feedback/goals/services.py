"""Goals: who may touch which, the choices a manager has, checking input, saving.

    participant = manager_participant(current_user, participant_id)   # None -> 404
    errors = save_goal(participant, goal_input(form), goal=None)      # {} when saved

The choices and the suggested texts come from the report's data (model.ManagerReport):
the weakest statements (development areas) and the legs of the plan suggestions, each
with the leg's first suggested action as a starting text; when the report has neither
(too few answers), every leg of the framework. Input is checked in one place
(`check_goal`): one of the offered targets, a text, a target date after today and at most
two years ahead. Bad input changes nothing. Messages are lazy strings: they are written in
the language of the page that shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from feedback.clock import today as clock_today
from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db
from feedback.goals.models import Goal
from feedback.models import Leg, Participant, Person, Round
from feedback.reports import access
from feedback.reports.model import ManagerReport

MAX_GOALS = 3
MAX_TEXT = 1000
HORIZON = timedelta(days=730)  # a target date at most about two years ahead


@dataclass(frozen=True)
class Target:
    """A statement or leg a goal may aim at. value: "statement:<id>" or "leg:<id>"."""

    value: str
    kind: str  # "statement" or "leg"
    id: int
    label: str
    suggestion: str  # the text a new goal starts with (editable)


@dataclass(frozen=True)
class GoalInput:
    target: str
    text: str
    target_date: str
    shared: bool


# ---------------------------------------------------------------------------- access


def manager_participant(user, participant_id: int) -> Participant | None:
    """The participant if `user` is its manager and may see its report (published)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_hr:
        return None
    participant = access.visible_participant(user, participant_id)
    if participant is None or participant.person_id != user.person_id:
        return None
    return participant


def manager_goal(user, goal_id: int) -> Goal | None:
    """A goal of `user`'s own report, else None (another manager's goal looks missing)."""
    goal = db.session.get(Goal, goal_id)
    if goal is None or manager_participant(user, goal.participant_id) is None:
        return None
    return goal


# ---------------------------------------------------------------------------- choices


def targets(report: ManagerReport) -> list[Target]:
    """What a goal may aim at in this report, weakest first."""
    lang = report.lang
    statement_ids = {st.key: st.id for leg in report.legs for st in leg.statements}
    statement_leg = {st.key: leg.key for leg in report.legs for st in leg.statements}
    legs = {leg.key: leg for leg in report.legs}
    actions = {s.leg_key: s.actions for s in report.plan}
    if not actions:
        actions = {key: tuple(leg.actions(lang)) for key, leg in _framework_legs(report)}
    found: list[Target] = []
    for item in report.development_areas:
        if item.kind != "statement" or item.key not in statement_ids:
            continue
        first = actions.get(statement_leg[item.key], ())
        sid = statement_ids[item.key]
        found.append(
            Target(f"statement:{sid}", "statement", sid, item.text, first[0] if first else "")
        )
    for s in report.plan:
        leg = legs.get(s.leg_key)
        if leg is not None:
            found.append(
                Target(f"leg:{leg.id}", "leg", leg.id, leg.name, s.actions[0] if s.actions else "")
            )
    if not found:
        for key, leg in _framework_legs(report):
            first = actions.get(key, ())
            found.append(
                Target(f"leg:{leg.id}", "leg", leg.id, leg.name(lang), first[0] if first else "")
            )
    return found


def _framework_legs(report: ManagerReport) -> list[tuple[str, Leg]]:
    rnd = db.session.get(Round, report.round_id)
    return [(leg.key, leg) for leg in rnd.framework.legs]


def target_of(goal: Goal, lang: str) -> Target:
    """The target a saved goal aims at, named in `lang`."""
    if goal.statement_id is not None:
        return Target(
            f"statement:{goal.statement_id}",
            "statement",
            goal.statement_id,
            goal.statement.text(lang),
            "",
        )
    return Target(f"leg:{goal.leg_id}", "leg", goal.leg_id, goal.leg.name(lang), "")


# ---------------------------------------------------------------------------- checking


def check_goal(data: GoalInput, allowed: set[str], today: date) -> tuple[dict, dict]:
    """(errors by field, clean values). Clean values are complete only without errors."""
    errors: dict[str, object] = {}
    clean: dict[str, object] = {"shared": bool(data.shared)}
    if data.target not in allowed:
        errors["target"] = _l("Choose a statement or leg from the list.")
    else:
        kind, _sep, number = data.target.partition(":")
        clean["statement_id" if kind == "statement" else "leg_id"] = int(number)
    text = " ".join((data.text or "").split())
    if not text:
        errors["text"] = _l("Write what you will do.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _l("Keep the goal under %(max)s characters.", max=MAX_TEXT)
    clean["text"] = text
    try:
        when = date.fromisoformat((data.target_date or "").strip())
    except ValueError:
        errors["target_date"] = _l("Enter the target date as a date, for example 31-12-2027.")
    else:
        if when <= today:
            errors["target_date"] = _l("The target date must be after today.")
        elif when > today + HORIZON:
            errors["target_date"] = _l("Choose a target date within two years.")
        clean["target_date"] = when
    return errors, clean


# ---------------------------------------------------------------------------- reading


def goals_of(participant_id: int) -> list[Goal]:
    return list(
        db.session.scalars(
            sa.select(Goal)
            .where(Goal.participant_id == participant_id)
            .options(so.joinedload(Goal.statement), so.joinedload(Goal.leg))
            .order_by(Goal.created_at, Goal.id)
        )
    )


def fingerprint(participant_id: int) -> list:
    """What the PDF prints of the goals: changes whenever a goal is added, edited, shared
    or deleted (part of the PDF cache's key)."""
    rows = db.session.execute(
        sa.select(Goal.id, Goal.updated_at)
        .where(Goal.participant_id == participant_id)
        .order_by(Goal.id)
    )
    return [[goal_id, updated.isoformat()] for goal_id, updated in rows]


@dataclass(frozen=True)
class SharedGoal:
    target: str
    text: str
    target_date: date


@dataclass(frozen=True)
class SharedGoals:
    manager_name: str
    round_name: str
    goals: tuple[SharedGoal, ...]


def shared_with(user, lang: str) -> list[SharedGoals]:
    """The shared goals of the managers who report directly to `user`'s person, by manager
    and newest round first. Texts only: no figure of any report."""
    if user is None or user.is_hr or user.person_id is None:
        return []
    rows = db.session.execute(
        sa.select(Goal, Person.name, Round.name)
        .join(Participant, Participant.id == Goal.participant_id)
        .join(Person, Person.id == Participant.person_id)
        .join(Round, Round.id == Goal.round_id)
        .where(
            Goal.shared.is_(True),
            Person.manager_id == user.person_id,
            Person.id != user.person_id,
            Round.status == access.MANAGER_STATUSES[0],
        )
        .options(so.joinedload(Goal.statement), so.joinedload(Goal.leg))
        .order_by(Person.name, Person.id, Round.closes_on.desc(), Round.id, Goal.id)
    ).all()
    groups: dict[tuple[str, str], list[SharedGoal]] = {}
    for goal, manager_name, round_name in rows:
        groups.setdefault((manager_name, round_name), []).append(
            SharedGoal(target_of(goal, lang).label, goal.text, goal.target_date)
        )
    return [SharedGoals(m, r, tuple(g)) for (m, r), g in groups.items()]


def managers_with_goals(round_id: int) -> int:
    """HR: how many managers of a round have saved at least one goal."""
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Goal.participant_id))).where(Goal.round_id == round_id)
    )


# ---------------------------------------------------------------------------- writing


def save_goal(
    participant: Participant,
    data: GoalInput,
    allowed: set[str],
    goal: Goal | None = None,
    today: date | None = None,
) -> dict:
    """Add a goal (goal None) or change one; the errors, or {} when it was saved."""
    errors, clean = check_goal(data, allowed, today or clock_today())
    if goal is None and len(goals_of(participant.id)) >= MAX_GOALS:
        errors["target"] = _l("You have three goals: change or delete one first.")
    if errors:
        return errors
    begin_write()
    if goal is None:
        goal = Goal(
            round_id=participant.round_id, participant_id=participant.id, created_at=utcnow()
        )
        db.session.add(goal)
    goal.statement_id = clean.get("statement_id")
    goal.leg_id = clean.get("leg_id")
    goal.text = clean["text"]
    goal.target_date = clean["target_date"]
    goal.shared = clean["shared"]
    goal.updated_at = utcnow()
    db.session.commit()
    return {}


def delete_goal(goal: Goal) -> None:
    begin_write()
    db.session.delete(goal)
    db.session.commit()
