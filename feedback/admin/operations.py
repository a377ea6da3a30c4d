"""The operations part of a round page: reminders, retention and mail delivery, read together.

The rules and writes are in reminders.py, retention.py and feedback/mail.py; the routes in
operations_routes.py.
"""

from dataclasses import dataclass

from feedback.admin import reminders, retention
from feedback.mail import backend_name, mail_counts
from feedback.models import Round, RoundStatus


@dataclass(frozen=True)
class RoundOperations:
    reminders: object  # reminders.ReminderOverview, or None once the round is finished
    retention: object  # retention.RetentionView
    mail: object  # feedback.mail.MailCounts
    pending: int | None  # not answered at the last count (round level, never who)
    smtp: bool


def round_operations(rnd: Round) -> RoundOperations:
    return RoundOperations(
        reminders=reminders.reminder_overview(rnd)
        if rnd.status in (RoundStatus.DRAFT, RoundStatus.OPEN)
        else None,
        retention=retention.retention_view(rnd),
        mail=mail_counts(rnd.id),
        pending=reminders.pending_count(rnd.id) if rnd.status == RoundStatus.OPEN else 0,
        smtp=backend_name() == "smtp",
    )
