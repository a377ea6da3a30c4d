"""Who may see which report, and the lists of reports a user may open.

    participant = visible_participant(current_user, participant_id)   # None -> 404

One permission rule (`may_see`) decides every access: a manager sees their own report once
the round is published, HR sees every report of a closed or published round, nobody else
sees anything. Views turn "no" into a 404, so a guessed id looks like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.extensions import db
from feedback.models import Participant, Person, Round, RoundStatus

HR_STATUSES = (RoundStatus.CLOSED.value, RoundStatus.PUBLISHED.value)
MANAGER_STATUSES = (RoundStatus.PUBLISHED.value,)


def may_see(user, rnd_status: str, participant_person_id: int) -> bool:
    """The one rule: HR sees closed and published rounds; a manager only their own report
    of a published round; anonymous users and everybody else nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_hr:
        return rnd_status in HR_STATUSES
    if user.role == "manager" and user.person_id is not None:
        return rnd_status in MANAGER_STATUSES and participant_person_id == user.person_id
    return False


def visible_participant(user, participant_id: int) -> Participant | None:
    """The participant (with round and person loaded) if `user` may see its report."""
    part = db.session.execute(
        sa.select(Participant)
        .where(Participant.id == participant_id)
        .options(so.joinedload(Participant.round), so.joinedload(Participant.person))
    ).scalar_one_or_none()
    if part is None or not may_see(user, part.round.status, part.person_id):
        return None
    return part


@dataclass(frozen=True)
class ReportLink:
    participant_id: int
    round_id: int
    round_name: str
    manager_name: str
    opens_on: date
    closes_on: date
    status: str


def my_reports(user) -> list[ReportLink]:
    """A manager's own reports: published rounds they were rated in, newest first."""
    if user.person_id is None:
        return []
    return _links(
        (Participant.person_id == user.person_id) & Round.status.in_(MANAGER_STATUSES),
        order=(Round.closes_on.desc(), Round.id.desc()),
    )


def hr_rounds() -> list[Round]:
    """Closed and published rounds, newest first (HR's entry to the reports)."""
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.status.in_(HR_STATUSES))
            .order_by(Round.closes_on.desc(), Round.id.desc())
        )
    )


def round_for_hr(round_id: int) -> Round | None:
    rnd = db.session.get(Round, round_id)
    return rnd if rnd is not None and rnd.status in HR_STATUSES else None


def round_reports(round_id: int) -> list[ReportLink]:
    """Every report of one round (HR), by manager name."""
    return _links(Participant.round_id == round_id, order=(Person.name, Participant.id))


def _links(where, order) -> list[ReportLink]:
    rows = db.session.execute(
        sa.select(
            Participant.id,
            Round.id,
            Round.name,
            Person.name,
            Round.opens_on,
            Round.closes_on,
            Round.status,
        )
        .join(Round, Round.id == Participant.round_id)
        .join(Person, Person.id == Participant.person_id)
        .where(where)
        .order_by(*order)
    )
    return [ReportLink(*row) for row in rows]
