"""HR's view of the stored mail (the outbox): never a working link, never who was reminded.

Stored mail bodies hold no working personal link (feedback/mail.py); what is shown is
redacted once more. Reminders went only to raters who had not answered, so their
recipient, subject and text are hidden.
"""

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.db import paginate
from feedback.extensions import db
from feedback.mail import FAILED, KEPT, QUEUED, SENDING, SENT, blank_links
from feedback.models import OutboxMessage
from feedback.tokens import mentions_link

HIDDEN_KINDS = ("reminder",)
LINKS_NOTE = _l(
    "Personal links are never stored or shown here: a survey link would let its holder "
    "answer as the rater, a set-password link would let its holder log in as the manager."
)
_SEALED = _l("It is sealed until delivery; the e-mail itself will carry the working link.")
LINK_FATE = {
    KEPT: _l(
        "Without a mail server this e-mail was not sent and its link was not kept: nobody has it."
    ),
    QUEUED: _SEALED,
    SENDING: _SEALED,
    SENT: _l("The delivered e-mail carried the working link; this copy never did."),
    FAILED: _l("The e-mail was not delivered and its sealed link is erased."),
}
KIND_LABELS = {
    "invitation": _l("invitation"),
    "password": _l("set password"),
    "reminder": _l("reminder"),
}
STATUS_LABELS = {
    KEPT: _l("kept"),
    QUEUED: _l("queued"),
    SENDING: _l("sending"),
    SENT: _l("sent"),
    FAILED: _l("failed"),
}


@dataclass(frozen=True)
class OutboxRow:
    id: int
    created_at: object
    to: str | None  # None: hidden
    subject: str
    kind: str
    status: str

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


@dataclass(frozen=True)
class OutboxDetail(OutboxRow):
    text: str | None  # None: hidden
    note: str | None


def _recipient(msg: OutboxMessage) -> str | None:
    # A reminder goes only to raters who have not answered: its recipient must not show.
    return None if msg.kind in HIDDEN_KINDS else msg.to


HIDDEN_SUBJECT = _l("Reminder (subject hidden)")


def _subject(msg: OutboxMessage) -> str:
    # Its language alone could point at the one English-speaking rater who has not answered.
    return str(HIDDEN_SUBJECT) if msg.kind in HIDDEN_KINDS else msg.subject


def _shown(msg: OutboxMessage) -> dict:
    """The fields of an OutboxRow: what the list and the detail page show of every mail."""
    return {
        "id": msg.id,
        "created_at": msg.created_at,
        "to": _recipient(msg),
        "subject": blank_links(_subject(msg)),
        "kind": msg.kind,
        "status": msg.status,
    }


def list_outbox(page: int = 1, per_page: int = 100) -> tuple[list[OutboxRow], bool]:
    """Newest first; returns the page and whether there is a next one."""
    pagination = paginate(
        sa.select(OutboxMessage)
        .options(
            so.load_only(
                OutboxMessage.created_at,
                OutboxMessage.to,
                OutboxMessage.subject,
                OutboxMessage.kind,
                OutboxMessage.status,
            )
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page,
        per_page,
    )
    rows = [OutboxRow(**_shown(m)) for m in pagination.items]
    return rows, pagination.has_next


def outbox_detail(message_id: int) -> OutboxDetail | None:
    msg = db.session.get(OutboxMessage, message_id)
    if msg is None:
        return None
    if msg.kind in HIDDEN_KINDS:
        text, note = None, _("Reminders are hidden: they would show who has not answered yet.")
    else:
        # Stored bodies hold no working link (feedback/mail.py); redacting again here also
        # covers a mail stored before that was so.
        text = blank_links(msg.body_text)
        note = None
        if mentions_link(msg.body_text):
            note = f"{LINKS_NOTE} {LINK_FATE.get(msg.status, '')}".strip()
    return OutboxDetail(**_shown(msg), text=text, note=note)
