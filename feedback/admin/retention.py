"""Purging a finished round's invitations, personal links and drafts.

After a round is closed, the invitations are the only record of who was asked (and who did
not answer). Once the retention period has passed (RETENTION_DAYS after closing, or the
round's own `retention_days`) they are deleted with their tokens and drafts. Responses,
answers, comments and participants stay: reports do not need invitations. The round's
stored mails lose their personal links, reminders (which went only to raters who had not
answered) are deleted, and mail still waiting to be sent is dropped: its links are dead.

Re-running is harmless: a purged round is recorded (`invitations_purged_at`) and skipped.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from feedback.clock import today as clock_today
from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db
from feedback.mail import erase_round_mail
from feedback.models import (
    Invitation,
    InvitationToken,
    OutboxMessage,
    Round,
    RoundStatus,
)

FINISHED = (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
MAX_RETENTION_DAYS = 3650


class RetentionError(ValueError):
    """A refused purge, with a message for HR."""


def retention_days(rnd: Round, default: int) -> int:
    return rnd.retention_days if rnd.retention_days else default


def closed_on(rnd: Round) -> date:
    return rnd.closed_at.date() if rnd.closed_at else rnd.closes_on


def purge_date(rnd: Round, default: int) -> date | None:
    """The first day the round may be purged by the schedule; None while it is not closed."""
    if rnd.status not in FINISHED:
        return None
    return closed_on(rnd) + timedelta(days=retention_days(rnd, default))


def purge_due(rnd: Round, today: date, default: int) -> bool:
    """Closed or published, not purged yet, and the retention period is over."""
    due = purge_date(rnd, default)
    return due is not None and rnd.invitations_purged_at is None and today >= due


@dataclass(frozen=True)
class PurgeResult:
    round_id: int
    round_name: str
    invitations: int
    tokens: int
    drafts: int
    mails: int  # stored mails whose links were removed, or that were dropped
    dry_run: bool = False


def _counts(round_id: int) -> tuple[int, int, int, int]:
    in_round = sa.select(Invitation.id).where(Invitation.round_id == round_id)
    invitations = db.session.scalar(
        sa.select(sa.func.count()).where(Invitation.round_id == round_id)
    )
    tokens = db.session.scalar(
        sa.select(sa.func.count()).where(InvitationToken.invitation_id.in_(in_round))
    )
    drafts = db.session.scalar(
        sa.select(sa.func.count()).where(
            Invitation.round_id == round_id, Invitation.draft.is_not(None)
        )
    )
    mails = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.round_id == round_id))
    return invitations, tokens, drafts, mails


def purge_round(round_id: int, *, only_if_due: bool = False, today: date | None = None):
    """Delete a closed or published round's invitations, tokens and drafts (one transaction).

    HR's button may purge any time after closing; the command (`only_if_due`) waits for the
    retention period. A round already purged returns None and changes nothing.
    """
    today = today or clock_today()
    begin_write()
    rnd = db.session.scalar(sa.select(Round).where(Round.id == round_id).with_for_update())
    try:
        if rnd is None:
            raise RetentionError(_("This round does not exist."))
        if rnd.status not in FINISHED:
            raise RetentionError(_("Only a closed or published round can be purged."))
        if rnd.invitations_purged_at is not None:
            db.session.rollback()
            return None
        if only_if_due and not purge_due(rnd, today, _default()):
            raise RetentionError(_("The retention period of this round is not over yet."))
    except RetentionError:
        db.session.rollback()
        raise
    invitations, tokens, drafts, mails = _counts(round_id)
    in_round = sa.select(Invitation.id).where(Invitation.round_id == round_id)
    db.session.execute(
        sa.delete(InvitationToken).where(InvitationToken.invitation_id.in_(in_round))
    )
    db.session.execute(sa.delete(Invitation).where(Invitation.round_id == round_id))
    _scrub_mail(round_id)
    rnd.invitations_purged_at = utcnow()
    db.session.commit()
    return PurgeResult(round_id, rnd.name, invitations, tokens, drafts, mails)


def _scrub_mail(round_id: int) -> None:
    # The same rule as the round's close (which ran it already): no reminders, nothing left
    # waiting with a dead link, no personal link in any stored body.
    erase_round_mail(round_id)


def _default() -> int:
    return current_app.config["RETENTION_DAYS"]


def due_rounds(today: date | None = None) -> list[Round]:
    """Finished rounds whose retention period is over and that were not purged yet."""
    today = today or clock_today()
    rounds = db.session.scalars(
        sa.select(Round)
        .where(Round.status.in_(FINISHED), Round.invitations_purged_at.is_(None))
        .order_by(Round.id)
    ).all()
    return [r for r in rounds if purge_due(r, today, _default())]


def purge_due_rounds(today: date | None = None, dry_run: bool = False) -> list[PurgeResult]:
    """Purge every round that is due (for cron); with dry_run only say what would go."""
    today = today or clock_today()
    results = []
    for rnd in due_rounds(today):
        if dry_run:
            counts = _counts(rnd.id)
            results.append(PurgeResult(rnd.id, rnd.name, *counts, dry_run=True))
            continue
        result = purge_round(rnd.id, only_if_due=True, today=today)
        if result is not None:
            results.append(result)
    db.session.rollback()
    return results


@dataclass(frozen=True)
class RetentionView:
    days: int
    own: bool  # the round has its own period (not the default)
    purge_on: date | None
    purged_at: datetime | None
    can_purge: bool
    editable: bool


def retention_view(rnd: Round) -> RetentionView:
    default = _default()
    return RetentionView(
        days=retention_days(rnd, default),
        own=bool(rnd.retention_days),
        purge_on=purge_date(rnd, default),
        purged_at=rnd.invitations_purged_at,
        can_purge=rnd.status in FINISHED and rnd.invitations_purged_at is None,
        editable=rnd.invitations_purged_at is None,
    )


def purge_problems(rnd: Round) -> list[str]:
    """Why a round's invitations cannot be purged now (empty: they can); read-only, for the
    confirm page. `purge_round` decides again under its lock of the round."""
    if rnd.invitations_purged_at is not None:
        return [_("This round's invitations were purged already.")]
    if rnd.status not in FINISHED:
        return [_("Only a closed or published round can be purged.")]
    return []


def set_retention(round_id: int, days_text: str | None) -> int | None:
    """A round's own retention period in days; empty for the default."""
    text = (days_text or "").strip()
    if text and (not text.isdigit() or not 1 <= int(text) <= MAX_RETENTION_DAYS):
        raise RetentionError(
            _("Give the retention period as days from 1 to %(max)d.", max=MAX_RETENTION_DAYS)
        )
    days = int(text) if text else None
    begin_write()
    rnd = db.session.scalar(sa.select(Round).where(Round.id == round_id).with_for_update())
    if rnd is None or rnd.invitations_purged_at is not None:
        db.session.rollback()
        raise RetentionError(_("This round's invitations were purged already."))
    rnd.retention_days = days
    db.session.commit()
    return days
