"""A round as HR lists and sets it up: the rounds list, its settings and their lock.

A refused action raises AdminError with a message for HR and changes nothing; every
function that writes starts with `begin_write()` and commits or rolls back itself (so do
the other admin modules that use AdminError). Creating a round is in creation.py, its
raters in raters.py, launching in launch.py, closing and publishing in transitions.py.

Anonymity: the rounds list reads the counts per manager and rater group that
feedback/admin/participation.py keeps (counted at most once an hour, so a submit cannot be
timed), never a live sum over the invitations.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.admin import participation
from feedback.admin.completion import Rate
from feedback.db import begin_write
from feedback.extensions import db
from feedback.models import Participant, Round, RoundStatus

MIN_THRESHOLD = 2
MAX_THRESHOLD = 50


class AdminError(ValueError):
    """A refused action, with a message for HR."""


# --- rounds list -------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundRow:
    id: int
    name: str
    status: str
    opens_on: date
    closes_on: date
    managers: int
    rate: Rate  # as on the round's dashboard: managers with a hidden total are left out
    purged: bool = False  # invitations deleted after the retention period (counts stay)
    counted_at: datetime | None = None


def list_rounds() -> list[RoundRow]:
    """All rounds, newest first, with manager count and overall response rate.

    The rate is the round's total of the stored counts (feedback/admin/participation.py),
    the same figure as on its dashboard, never a live sum over the invitations.
    """
    managers = (
        sa.select(Participant.round_id, sa.func.count().label("n"))
        .group_by(Participant.round_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Round.id,
            Round.name,
            Round.status,
            Round.opens_on,
            Round.closes_on,
            sa.func.coalesce(managers.c.n, 0),
            Round.invitations_purged_at,
            Round.threshold,
        )
        .outerjoin(managers, managers.c.round_id == Round.id)
        .order_by(Round.opens_on.desc(), Round.id.desc())
    ).all()
    counts = participation.read_counts(r.id for r in rows)
    result = []
    for r in rows:
        rc = counts.get(r.id)
        rate = participation.round_total(rc, r.threshold).rate if rc else Rate(0, 0)
        result.append(
            RoundRow(
                id=r.id,
                name=r.name,
                status=r.status,
                opens_on=r.opens_on,
                closes_on=r.closes_on,
                managers=r[5],
                rate=rate,
                purged=r.invitations_purged_at is not None,
                counted_at=rc.counted_at if rc else None,
            )
        )
    return result


def get_round(round_id: int) -> Round | None:
    return db.session.get(Round, round_id)


# --- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundSettings:
    name: str
    opens_on: date
    closes_on: date
    threshold: int


def check_settings(settings: RoundSettings) -> list[str]:
    """Problems with a round's name, dates and threshold (empty when fine)."""
    problems = []
    if not settings.name.strip():
        problems.append(_("Give the round a name."))
    if len(settings.name) > 200:
        problems.append(_("The name is at most %(max)d characters.", max=200))
    if settings.closes_on <= settings.opens_on:
        problems.append(_("The close date must be after the open date."))
    if not MIN_THRESHOLD <= settings.threshold <= MAX_THRESHOLD:
        problems.append(
            _(
                "The anonymity threshold must be a whole number from %(min)d to %(max)d.",
                min=MIN_THRESHOLD,
                max=MAX_THRESHOLD,
            )
        )
    return problems


def update_round(round_id: int, settings: RoundSettings) -> Round:
    """Name, dates and threshold, while the round is a draft; the threshold until locked."""
    problems = check_settings(settings)
    if problems:
        raise AdminError(" ".join(problems))
    begin_write()
    rnd = round_for_update(round_id)
    if rnd.status != RoundStatus.DRAFT:
        db.session.rollback()
        raise AdminError(_("Settings can only be changed before the round is launched."))
    if rnd.is_locked and settings.threshold != rnd.threshold:
        db.session.rollback()
        raise AdminError(_("The threshold is locked: answers have started to arrive."))
    rnd.name = settings.name.strip()
    rnd.opens_on = settings.opens_on
    rnd.closes_on = settings.closes_on
    rnd.threshold = settings.threshold
    db.session.commit()
    return rnd


@dataclass(frozen=True)
class SettingsLock:
    editable: bool
    threshold_locked: bool
    reason: str | None
    title: str | None = None  # the notice's first word ("Locked.", "Final.")


ANSWERS_LOCK = _l(
    "The threshold and the framework are locked: answers have started to arrive. "
    "Changing them now would make earlier answers incomparable or could expose small groups."
)
LAUNCHED_LOCK = _l("Settings are fixed once a round is launched: raters were told these dates.")
LAUNCHED_ANSWERS_LOCK = _l(
    "Settings are fixed once a round is launched: raters were told these dates. "
    "The threshold and the framework are locked too: answers have started to arrive."
)
CLOSED_LOCK = _l(
    "The round is closed: its dates, threshold and framework no longer change. "
    "The reports are made from the answers submitted before it closed."
)
PUBLISHED_LOCK = _l(
    "The reports are published: the round's dates, threshold and framework are final, "
    "and no answer is accepted any more."
)


def settings_lock(rnd: Round) -> SettingsLock:
    """What HR may still change about a round, and why not: a notice true for its state.

    A draft is editable (its threshold locked once answers exist); an open round is fixed,
    and says whether answers have arrived; a closed or published round says it is over.
    """
    locked, final = _l("Locked."), _l("Final.")
    if rnd.status == RoundStatus.DRAFT:
        if rnd.is_locked:
            return SettingsLock(True, True, str(ANSWERS_LOCK), str(locked))
        return SettingsLock(editable=True, threshold_locked=False, reason=None)
    if rnd.status == RoundStatus.OPEN:
        if rnd.is_locked:
            return SettingsLock(False, True, str(LAUNCHED_ANSWERS_LOCK), str(locked))
        return SettingsLock(False, False, str(LAUNCHED_LOCK), str(locked))
    if rnd.status == RoundStatus.CLOSED:
        return SettingsLock(False, True, str(CLOSED_LOCK), str(locked))
    return SettingsLock(False, True, str(PUBLISHED_LOCK), str(final))


def round_for_update(round_id: int) -> Round:
    """The round, locked for this write transaction; refused (rolled back) when missing."""
    rnd = db.session.scalar(sa.select(Round).where(Round.id == round_id).with_for_update())
    if rnd is None:
        db.session.rollback()
        raise AdminError(_("This round does not exist."))
    return rnd
