"""Outgoing mail: validate, store in the outbox table, deliver by SMTP after commit.

Every mail becomes an OutboxMessage row in the caller's transaction (`send_mail` does not
commit): the mails of a launch or a reminder are stored together with the tokens they
carry, or not at all. What happens next depends on the configuration:

- MAIL_SERVER unset (the laptop default): the row is "kept" and HR reads it at /admin/outbox.
- MAIL_SERVER set: the row is "queued". A delivery step (`mail_delivery.deliver_queued`, run as a
  background job after a launch or a reminder, and by `flask --app wsgi deliver-mail` from
  cron) sends it, outside any database transaction:

      claim    UPDATE ... SET status='sending', attempts+1 WHERE status='queued'   (commit)
      send     one SMTP transaction, with the bodies unsealed
      mark     UPDATE ... SET status='sent', sealed bodies erased                 (commit)

Why this is safe when the SMTP server fails halfway: every claimed mail is sent and marked
on its own, so the mails already accepted are "sent" and the rest stay "queued" for the
next run (no rater is left without a link, nothing is sent twice). A refused recipient
(5xx) is marked "failed"; a temporary error (4xx, a lost connection) puts the mail back in
the queue, and after MAIL_MAX_ATTEMPTS tries it is "failed" too. Claims are exclusive, so
two delivery runs never send the same row. The one window left is a process that dies
after the server accepted a mail and before "sent" was committed: the row stays "sending"
and is retried after MAIL_SENDING_LEASE seconds with the same Message-ID (fixed when it was
queued), so a duplicate can only happen then, and is recognisable as one.

No live secret at rest (DESIGN.md, rule 7): a personal link in the database would open a
rater's survey (or set a manager's password) for anyone who can read the table. So
`body_text` and `body_html` are stored with every personal link already redacted
(feedback/tokens.py), whatever the status. A queued mail keeps its real bodies sealed
(feedback/sealing.py) in `sealed_body`, which only the delivery step opens; "sent" and
"failed" erase it, and so does the close of the mail's round for mail still waiting
(`erase_round_mail`). A "kept" mail (no mail server) stores no link at all, sealed or not:
nobody would deliver it, and HR must not be able to use it. (The demo prints its sample
links itself.)
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr

import sqlalchemy as sa
from blinker import Namespace
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from feedback.clock import utcnow
from feedback.extensions import db
from feedback.models import OutboxMessage
from feedback.sealing import seal_text
from feedback.text import strip_bidi
from feedback.tokens import redact_links

KINDS = ("invitation", "reminder", "password", "other")
MAX_SUBJECT = 300
MAX_ERROR = 300

KEPT = "kept"
QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATUSES = (KEPT, QUEUED, SENDING, SENT, FAILED)

LINK_REMOVED = "[personal link not stored]"
LINK_DEAD = "Not sent: its round was closed, and the link in this mail no longer works."

# Sent with each mail as it is stored, the real bodies included (links and all): for tests
# and other code in this process that must see what the recipient gets. Nothing here keeps
# what it is given.
mail_stored = Namespace().signal("mail-stored")


class MailError(ValueError):
    """A message that must not be sent: a bad address or header."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None
    kind: str


def backend_name() -> str:
    return "smtp" if current_app.config.get("MAIL_SERVER") else "outbox"


# --- validation ----------------------------------------------------------------------------


def clean_address(value: str) -> str:
    """One valid address, no display name, no header injection; returns it normalised."""
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise MailError("An e-mail address may not contain line breaks.")
    try:
        # test_environment admits the reserved .test domain (used in demos and tests);
        # deliverability is for the mail server to judge, not a DNS lookup here.
        result = validate_email(value.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise MailError(f"{value.strip()!r} is not a valid e-mail address: {error}") from error
    return result.normalized


def clean_subject(value: str) -> str:
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise MailError("A subject may not contain line breaks.")
    value = strip_bidi(value).strip()  # names and round names in it: shown as they are
    if not value:
        raise MailError("A subject is required.")
    if len(value) > MAX_SUBJECT:
        raise MailError(f"A subject is at most {MAX_SUBJECT} characters.")
    return value


def sender_address(value: str) -> Address:
    """MAIL_FROM ("HR <hr@example.com>" or "hr@example.com") as a checked header address."""
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise MailError("MAIL_FROM may not contain line breaks.")
    name, addr = parseaddr(value)
    if not addr:
        raise MailError(f"MAIL_FROM {value!r} is not an e-mail address.")
    return Address(display_name=name.strip(), addr_spec=clean_address(addr))


# --- queueing (in the caller's transaction) ---------------------------------------------------


def send_mail(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    kind: str = "other",
    round_id: int | None = None,
) -> Mail:
    """Validate and store the mail: kept for HR, or queued for SMTP. The caller commits."""
    if kind not in KINDS:
        raise MailError(f"Unknown kind of mail: {kind!r}.")
    mail = Mail(
        to=clean_address(to), subject=clean_subject(subject), text=text, html=html, kind=kind
    )
    smtp = backend_name() == "smtp"
    message_id = new_message_id() if smtp else None
    db.session.add(
        OutboxMessage(
            to=mail.to,
            subject=mail.subject,
            body_text=blank_links(mail.text),
            body_html=blank_links(mail.html),
            # Only a mail that will be delivered keeps its link, sealed, until it is.
            sealed_body=_seal_bodies(mail, message_id) if smtp else None,
            kind=mail.kind,
            round_id=round_id,
            status=QUEUED if smtp else KEPT,
            message_id=message_id,
        )
    )
    mail_stored.send(current_app._get_current_object(), mail=mail)
    return mail


def new_message_id() -> str:
    domain = sender_address(current_app.config["MAIL_FROM"]).domain
    return make_msgid(domain=domain)


def blank_links(text: str | None) -> str | None:
    """The text with every personal link (survey, set password) made unusable."""
    if text is None:
        return None
    return redact_links(text, LINK_REMOVED)


def seal_context(message_id: str, to: str) -> str:
    # The row id is not known before the flush, so the seal is bound to what is, and is
    # stored in the row: its Message-ID (unique per mail, fixed when it is queued) and its
    # recipient. A sealed body copied to another row does not open there, and neither does
    # one whose row was given another recipient: a link cannot be redirected to someone
    # else's mailbox by editing the table.
    return f"mail:{message_id}:{to}"


def _seal_bodies(mail: Mail, message_id: str) -> bytes:
    bodies = json.dumps({"text": mail.text, "html": mail.html})
    return seal_text(bodies, seal_context(message_id, mail.to))


# --- a round's mail once the round is closed -------------------------------------------------


def erase_round_mail(round_id: int) -> None:
    """Leave nothing in a round's stored mail that tells who took part or opens a door.

    Called when the round closes (and again by the retention purge), inside the caller's
    transaction: it does not commit.

    - Reminders are deleted: they went only to raters who had not answered yet, so each
      row is per-person participation history.
    - Mail still waiting (queued, or being sent right now) is marked failed with its sealed
      body erased: a survey link dies with the round. A set-password mail is left to go
      out while its link is valid (PASSWORD_LINK_HOURS from when it was written): that
      link does not depend on the round, and the manager needs it to read the report.
      A mail the server is accepting at this very moment may still arrive; its row says
      failed, and its link does not work either way.
    - Bodies stored before links were sealed lose their links.
    """
    of_round = OutboxMessage.round_id == round_id
    db.session.execute(
        sa.delete(OutboxMessage).where(of_round, OutboxMessage.kind == "reminder"),
        execution_options={"synchronize_session": "fetch"},
    )
    link_written_before = utcnow() - timedelta(hours=current_app.config["PASSWORD_LINK_HOURS"])
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            of_round,
            OutboxMessage.status.in_((QUEUED, SENDING)),
            sa.or_(
                OutboxMessage.kind != "password",
                OutboxMessage.created_at < link_written_before,
            ),
        )
        .values(status=FAILED, sealed_body=None, last_error=LINK_DEAD),
        execution_options={"synchronize_session": "fetch"},
    )
    rows = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.body_text, OutboxMessage.body_html).where(
            of_round
        )
    ).all()
    for message_id, text, html in rows:
        redacted = blank_links(text), blank_links(html)
        if redacted != (text, html):
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(body_text=redacted[0], body_html=redacted[1]),
                execution_options={"synchronize_session": "fetch"},
            )


def queued_count(round_id: int | None = None) -> int:
    query = sa.select(sa.func.count()).where(OutboxMessage.status.in_((QUEUED, SENDING)))
    if round_id is not None:
        query = query.where(OutboxMessage.round_id == round_id)
    count = db.session.scalar(query) or 0
    db.session.rollback()
    return count


@dataclass(frozen=True)
class MailCounts:
    queued: int
    sent: int
    failed: int

    @property
    def any(self) -> bool:
        return bool(self.queued or self.sent or self.failed)


def mail_counts(round_id: int) -> MailCounts:
    """How many of a round's mails wait, went out, or failed (counts only, never who)."""
    rows = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count())
            .where(OutboxMessage.round_id == round_id)
            .group_by(OutboxMessage.status)
        ).all()
    )
    return MailCounts(
        queued=rows.get(QUEUED, 0) + rows.get(SENDING, 0),
        sent=rows.get(SENT, 0),
        failed=rows.get(FAILED, 0),
    )


def queue_delivery(round_id: int | None):
    """Hand a round's queued mail to a background job; None when nothing waits."""
    from feedback.jobs import enqueue

    if backend_name() != "smtp" or not queued_count(round_id):
        return None
    return enqueue("send_mail", round_id=round_id)
