"""Reminders to raters who have not answered: on a schedule per round, or now (by HR).

The schedule is a list of days after launch and a list of days before close, stored on the
round. `send-reminders` (cron, daily) sends the slots that are due, and records each sent
slot in `round_reminder`, whose primary key (round, slot) makes a second run find it taken:
run twice, it sends once. HR's "send reminders now" is limited to once an hour per round by
a conditional UPDATE of `round.last_reminder_at`.

A reminder needs a personal link, and only hashes of tokens are stored: each reminder mints
a new token for the invitation (old links keep working), in the same transaction that
records the reminder and queues the mail. HR only ever learns how many raters were
reminded, never who.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.admin import participation
from feedback.admin.labels import clock
from feedback.clock import today as clock_today
from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db
from feedback.mail import MailError, queue_delivery, send_mail
from feedback.mail_texts import compose
from feedback.models import (
    Invitation,
    Participant,
    Round,
    RoundReminder,
    RoundStatus,
)
from feedback.survey.drafts import mint_link
from feedback.tokens import survey_link

MANUAL_INTERVAL = timedelta(hours=1)
# A scheduled slot that falls within this time after another reminder is recorded as
# sent without mailing anyone: raters do not get two reminders in one day.
RECENT = timedelta(hours=20)
MAX_DAYS = 365
MAX_SLOTS = 10


class ReminderError(ValueError):
    """A refused reminder action, with a message for HR."""


# --- the schedule: pure functions ----------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    after_launch: tuple[int, ...] = ()
    before_close: tuple[int, ...] = ()


def parse_days(text: str | None) -> tuple[int, ...]:
    """ "3, 7" -> (3, 7): whole days from 1 to 365, sorted, without repeats."""
    text = (text or "").strip()
    if not text:
        return ()
    parts = [p for p in re.split(r"[\s,;]+", text) if p]
    if not all(p.isdigit() for p in parts):
        raise ReminderError(_("Give days as whole numbers separated by commas, e.g. 3, 7."))
    days = sorted({int(p) for p in parts})
    if days[0] < 1 or days[-1] > MAX_DAYS:
        raise ReminderError(_("Days are whole numbers from 1 to %(max)d.", max=MAX_DAYS))
    if len(days) > MAX_SLOTS:
        raise ReminderError(_("At most %(num)d reminders of each kind.", num=MAX_SLOTS))
    return tuple(days)


def format_days(days) -> str:
    return ", ".join(str(d) for d in days or ())


def slot_dates(schedule: Schedule, launched_on: date, closes_on: date) -> dict[str, date]:
    """Each slot ("after:3", "before:2") with its date, keeping only the slots that fall
    after the launch day and on or before the close date; in date order."""
    slots = {f"after:{d}": launched_on + timedelta(days=d) for d in schedule.after_launch}
    slots |= {f"before:{d}": closes_on - timedelta(days=d) for d in schedule.before_close}
    kept = {k: v for k, v in slots.items() if launched_on < v <= closes_on}
    return dict(sorted(kept.items(), key=lambda kv: (kv[1], kv[0])))


def due_slots(
    schedule: Schedule, launched_on: date, closes_on: date, today: date, sent: set[str]
) -> list[str]:
    """Slots whose day has come and that were not sent yet (none once the round closed).

    Several slots can be due at once when the command did not run for a while; they are
    all recorded, and the raters get one reminder.
    """
    if today > closes_on:
        return []
    return [
        slot
        for slot, day in slot_dates(schedule, launched_on, closes_on).items()
        if day <= today and slot not in sent
    ]


def next_manual_at(last: datetime | None, now: datetime) -> datetime | None:
    """When HR may press "send reminders now" again; None when they may now."""
    if last is None or now - last >= MANUAL_INTERVAL:
        return None
    return last + MANUAL_INTERVAL


def recently_reminded(last: datetime | None, now: datetime) -> bool:
    return last is not None and now - last < RECENT


def round_schedule(rnd: Round) -> Schedule:
    return Schedule(
        after_launch=tuple(rnd.reminder_days_after_launch or ()),
        before_close=tuple(rnd.reminder_days_before_close or ()),
    )


def launched_on(rnd: Round) -> date:
    return rnd.launched_at.date() if rnd.launched_at else rnd.opens_on


# --- what HR sees ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotRow:
    slot: str
    label: str
    day: date | None
    state: str  # "sent", "planned", "missed" (its day passed before launch or after close)


@dataclass(frozen=True)
class ReminderOverview:
    after_text: str
    before_text: str
    slots: list[SlotRow]
    editable: bool
    can_send_now: bool
    next_manual_at: datetime | None
    last_reminder_at: datetime | None


def _label(slot: str) -> str:
    kind, _sep, days = slot.partition(":")
    num = int(days) if days.isdigit() else 0
    if kind == "after":
        return ngettext("%(num)d day after launch", "%(num)d days after launch", num)
    return ngettext("%(num)d day before close", "%(num)d days before close", num)


def reminder_overview(rnd: Round, now: datetime | None = None) -> ReminderOverview:
    now = now or utcnow()
    schedule = round_schedule(rnd)
    sent = set(
        db.session.scalars(sa.select(RoundReminder.slot).where(RoundReminder.round_id == rnd.id))
    )
    start = launched_on(rnd) if rnd.status != RoundStatus.DRAFT else rnd.opens_on
    dates = slot_dates(schedule, start, rnd.closes_on)
    every = [f"after:{d}" for d in schedule.after_launch]
    every += [f"before:{d}" for d in schedule.before_close]
    rows = []
    for slot in sorted(every, key=lambda s: (dates.get(s, date.max), s)):
        if slot in sent:
            state = "sent"
        elif slot in dates:
            state = "planned"
        else:
            state = "missed"
        rows.append(SlotRow(slot=slot, label=_label(slot), day=dates.get(slot), state=state))
    is_open = rnd.status == RoundStatus.OPEN
    return ReminderOverview(
        after_text=format_days(schedule.after_launch),
        before_text=format_days(schedule.before_close),
        slots=rows,
        editable=rnd.status in (RoundStatus.DRAFT, RoundStatus.OPEN),
        can_send_now=is_open and next_manual_at(rnd.last_reminder_at, now) is None,
        next_manual_at=next_manual_at(rnd.last_reminder_at, now) if is_open else None,
        last_reminder_at=rnd.last_reminder_at,
    )


def pending_count(round_id: int) -> int | None:
    """How many raters had not answered at the last count: the round's total as on its
    dashboard (counted at most once an hour, feedback/admin/participation.py), never a live
    count. None when the round has no total HR may see."""
    rnd = db.session.get(Round, round_id)
    counts = participation.round_counts(round_id)
    if rnd is None or counts is None:
        return None
    rate = participation.round_total(counts, rnd.threshold).rate
    return rate.invited - rate.answered if rate.invited else None


def reminder_problems(rnd: Round, now: datetime | None = None) -> list[str]:
    """Why HR cannot send reminders now (empty: they can); read-only, for the confirm page.
    `send_reminders_now` decides again when it claims the round."""
    if not rnd.is_open:
        return [_("Reminders can only be sent while the round is open.")]
    again_at = next_manual_at(rnd.last_reminder_at, now or utcnow())
    if again_at is not None:
        return [
            _(
                "Reminders were sent less than an hour ago. You can send them again from %(time)s.",
                time=clock(again_at),
            )
        ]
    return []


# --- writing --------------------------------------------------------------------------------


def set_schedule(round_id: int, after_text: str, before_text: str) -> Schedule:
    """Save a round's reminder schedule (draft or open rounds)."""
    schedule = Schedule(after_launch=parse_days(after_text), before_close=parse_days(before_text))
    begin_write()
    rnd = db.session.scalar(sa.select(Round).where(Round.id == round_id).with_for_update())
    if rnd is None or rnd.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        db.session.rollback()
        raise ReminderError(_("Reminders can only be planned for a draft or open round."))
    rnd.reminder_days_after_launch = list(schedule.after_launch)
    rnd.reminder_days_before_close = list(schedule.before_close)
    db.session.commit()
    return schedule


@dataclass(frozen=True)
class ReminderResult:
    raters: int
    job_id: str | None = None


def send_reminders_now(round_id: int, now: datetime | None = None) -> ReminderResult:
    """HR's button: remind every pending rater of an open round, at most once an hour."""
    now = now or utcnow()
    begin_write()
    claimed = db.session.execute(
        sa.update(Round)
        .where(
            Round.id == round_id,
            Round.status == RoundStatus.OPEN,
            Round.closes_on >= now.date(),
            sa.or_(
                Round.last_reminder_at.is_(None),
                Round.last_reminder_at <= now - MANUAL_INTERVAL,
            ),
        )
        .values(last_reminder_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise ReminderError(_refusal(round_id, now))
    rnd = db.session.get(Round, round_id)
    try:
        raters = _remind_pending(rnd, now)
    except MailError as error:
        db.session.rollback()
        raise ReminderError(_("No reminder was sent: %(error)s", error=error)) from error
    if raters == 0:
        db.session.rollback()  # nothing sent: the hour does not start
        return ReminderResult(raters=0)
    db.session.commit()
    job = queue_delivery(round_id)
    return ReminderResult(raters=raters, job_id=job.id if job is not None else None)


def _refusal(round_id: int, now: datetime) -> str:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        return _("This round does not exist.")
    if rnd.status != RoundStatus.OPEN or rnd.closes_on < now.date():
        return _("Reminders can only be sent while the round is open.")
    again = next_manual_at(rnd.last_reminder_at, now)
    return _(
        "Reminders were sent less than an hour ago (at %(last)s). "
        "You can send them again from %(time)s.",
        last=clock(rnd.last_reminder_at),
        time=clock(again),
    )


@dataclass(frozen=True)
class ScheduledRun:
    round_id: int
    round_name: str
    slots: tuple[str, ...]
    raters: int
    skipped_recent: bool = False


def run_scheduled_reminders(
    today: date | None = None, now: datetime | None = None
) -> list[ScheduledRun]:
    """Send the due reminder slots of every open round (for cron). Safe to run twice.

    One transaction per round: claim its due slots (rows in round_reminder), mint links,
    queue the mails; all or nothing. The caller delivers the queued mail afterwards.
    """
    now = now or utcnow()
    today = today or clock_today()
    round_ids = list(
        db.session.scalars(
            sa.select(Round.id).where(Round.status == RoundStatus.OPEN).order_by(Round.id)
        )
    )
    db.session.rollback()
    runs = []
    for round_id in round_ids:
        try:
            run = _run_round(round_id, today, now)
        except sa.exc.IntegrityError:
            db.session.rollback()  # another run claimed the slot first: it sends
            continue
        if run is not None:
            runs.append(run)
    return runs


def _run_round(round_id: int, today: date, now: datetime) -> ScheduledRun | None:
    begin_write()
    # The row lock makes concurrent runs take turns; the primary key of round_reminder
    # would refuse a second claim anyway. (FOR NO KEY UPDATE on PostgreSQL: it does not
    # block the foreign-key checks of rows that point at the round.)
    rnd = db.session.scalar(
        sa.select(Round).where(Round.id == round_id).with_for_update(key_share=True)
    )
    if rnd is None or rnd.status != RoundStatus.OPEN:
        db.session.rollback()
        return None
    sent = set(
        db.session.scalars(sa.select(RoundReminder.slot).where(RoundReminder.round_id == round_id))
    )
    due = due_slots(round_schedule(rnd), launched_on(rnd), rnd.closes_on, today, sent)
    if not due:
        db.session.rollback()
        return None
    skipped = recently_reminded(rnd.last_reminder_at, now)
    raters = 0 if skipped else _remind_pending(rnd, now)
    for slot in due:
        db.session.add(RoundReminder(round_id=round_id, slot=slot, sent_at=now, raters=raters))
    if not skipped:
        rnd.last_reminder_at = now
    db.session.flush()
    db.session.commit()
    return ScheduledRun(round_id, rnd.name, tuple(due), raters, skipped_recent=skipped)


def _remind_pending(rnd: Round, now: datetime) -> int:
    """In the caller's transaction: a new link and a reminder for each pending rater."""
    invitations = db.session.scalars(
        sa.select(Invitation)
        .where(
            Invitation.round_id == rnd.id,
            Invitation.submitted.is_(False),
            Invitation.declined_reason.is_(None),  # declining also sets submitted: twice sure
        )
        .options(so.joinedload(Invitation.participant).joinedload(Participant.person))
        .order_by(Invitation.id)
    ).all()
    for invitation in invitations:
        token = mint_link(invitation)
        invitation.reminders_sent = (invitation.reminders_sent or 0) + 1
        invitation.last_reminded_at = now
        mail = compose(
            "reminder",
            invitation.language,
            round=rnd,
            manager_name=invitation.participant.person.name,
            is_self=invitation.group == "self",
            link=survey_link(token),
            closes_on=rnd.closes_on,
        )
        send_mail(
            invitation.email, mail.subject, mail.text, mail.html, kind="reminder", round_id=rnd.id
        )
    return len(invitations)
