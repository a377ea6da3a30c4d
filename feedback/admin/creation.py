"""Creating a round: the managers HR can choose, the new-round form's picker, create_round.

A new round is a draft with a copy of the framework and, per chosen manager, the raters
proposed by raters.py (self, active direct reports, the active own manager).
"""

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from feedback.admin.raters import new_invitation, proposed_raters
from feedback.admin.rounds import AdminError, RoundSettings, check_settings
from feedback.db import begin_write, contains
from feedback.extensions import db
from feedback.frameworks import copy_framework, load_framework
from feedback.models import Participant, Person, Round, RoundStatus

# --- the managers to choose from --------------------------------------------------------------


def _has_active_reports():
    report = so.aliased(Person)
    return (
        sa.select(report.id).where(report.manager_id == Person.id, report.active.is_(True)).exists()
    )


def eligible_managers(search: str | None = None) -> list[Person]:
    """Active people with at least one active direct report, optionally filtered."""
    query = sa.select(Person).where(Person.active.is_(True), _has_active_reports())
    search = (search or "").strip()
    if search:
        query = query.where(
            sa.or_(
                contains(Person.name, search),
                contains(Person.email, search),
                contains(sa.func.coalesce(Person.team, ""), search),
            )
        )
    return list(db.session.scalars(query.order_by(Person.name, Person.id)))


@dataclass(frozen=True)
class ManagerOption:
    id: int
    name: str
    email: str
    team: str | None
    reports: int
    checked: bool


@dataclass(frozen=True)
class ManagerPicker:
    shown: list[ManagerOption]
    hidden_selected: list[int]  # chosen, but not matching the filter: kept as hidden inputs
    selected_count: int
    total: int
    search: str


def manager_picker(
    search: str | None, selected_ids: list[int], action: str | None = None
) -> ManagerPicker:
    """The checkbox list of the new-round form: filter, select all shown, clear shown.

    Works the same for a plain form post and an htmx request, so choices survive filtering.
    """
    search = (search or "").strip()
    everyone = eligible_managers()
    shown = eligible_managers(search) if search else everyone
    valid = {p.id for p in everyone}
    selected = {i for i in selected_ids if i in valid}
    shown_ids = [p.id for p in shown]
    if action == "select_all":
        selected |= set(shown_ids)
    elif action == "select_none":
        selected -= set(shown_ids)
    reports = dict(
        db.session.execute(
            sa.select(Person.manager_id, sa.func.count())
            .where(Person.active.is_(True), Person.manager_id.is_not(None))
            .group_by(Person.manager_id)
        ).all()
    )
    return ManagerPicker(
        shown=[
            ManagerOption(
                id=p.id,
                name=p.name,
                email=p.email,
                team=p.team,
                reports=reports.get(p.id, 0),
                checked=p.id in selected,
            )
            for p in shown
        ],
        hidden_selected=sorted(selected - set(shown_ids)),
        selected_count=len(selected),
        total=len(everyone),
        search=search,
    )


# --- creating ------------------------------------------------------------------------------


def create_round(settings: RoundSettings, manager_ids: list[int]) -> Round:
    """A draft round with a copy of the framework and proposed raters per manager."""
    problems = check_settings(settings)
    if not manager_ids:
        problems.append(_("Choose at least one manager to rate."))
    if problems:
        raise AdminError(" ".join(problems))
    begin_write()
    wanted = set(manager_ids)
    managers = [p for p in eligible_managers() if p.id in wanted]
    if len(managers) != len(wanted):
        db.session.rollback()
        raise AdminError(_("Some chosen managers are not active managers with a team any more."))
    framework = copy_framework(load_framework())
    rnd = Round(
        name=settings.name.strip(),
        opens_on=settings.opens_on,
        closes_on=settings.closes_on,
        threshold=settings.threshold,
        status=RoundStatus.DRAFT,
        framework=framework,
    )
    db.session.add(rnd)
    db.session.flush()
    for manager in managers:
        participant = Participant(round=rnd, person=manager)
        db.session.add(participant)
        db.session.flush()
        for person, group in proposed_raters(manager):
            db.session.add(new_invitation(participant, person, group))
    db.session.commit()
    return rnd
