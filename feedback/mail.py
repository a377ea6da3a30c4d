"""Outgoing mail: validate, store in the outbox table, deliver by SMTP after commit.

Every mail becomes an OutboxMessage row in the caller's transaction (`send_mail` does not
commit): the mails of a launch or a reminder are stored together with the tokens they
carry, or not at all. What happens next depends on the configuration:

- MAIL_SERVER unset (the laptop default): the row is "kept" and HR reads it at /admin/outbox.
- MAIL_SERVER set: the row is "queued". A delivery step (`deliver_queued`, run as a
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
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

import sqlalchemy as sa
from blinker import Namespace
from cryptography.exceptions import InvalidTag
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db
from feedback.models import OutboxMessage
from feedback.sealing import SealError, seal_text, unseal_text
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
    message_id = _new_message_id() if smtp else None
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


def _new_message_id() -> str:
    domain = sender_address(current_app.config["MAIL_FROM"]).domain
    return make_msgid(domain=domain)


def blank_links(text: str | None) -> str | None:
    """The text with every personal link (survey, set password) made unusable."""
    if text is None:
        return None
    return redact_links(text, LINK_REMOVED)


def _seal_context(message_id: str, to: str) -> str:
    # The row id is not known before the flush, so the seal is bound to what is, and is
    # stored in the row: its Message-ID (unique per mail, fixed when it is queued) and its
    # recipient. A sealed body copied to another row does not open there, and neither does
    # one whose row was given another recipient: a link cannot be redirected to someone
    # else's mailbox by editing the table.
    return f"mail:{message_id}:{to}"


def _seal_bodies(mail: Mail, message_id: str) -> bytes:
    bodies = json.dumps({"text": mail.text, "html": mail.html})
    return seal_text(bodies, _seal_context(message_id, mail.to))


# --- building and sending ------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """A claimed row, detached from the session: what the SMTP transaction needs."""

    id: int
    to: str
    subject: str
    text: str
    html: str | None
    message_id: str | None
    sealed: bytes | None = None  # the real bodies, until `_unsealed` opens them


def build_message(outgoing: Outgoing, sender: str) -> EmailMessage:
    """A MIME message: plain text with an HTML alternative, UTF-8, Message-ID and Date."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = sender_address(sender)
    message["To"] = Address(addr_spec=clean_address(outgoing.to))
    message["Subject"] = clean_subject(outgoing.subject)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = outgoing.message_id or _new_message_id()
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(outgoing.text, charset="utf-8")
    if outgoing.html:
        message.add_alternative(outgoing.html, subtype="html", charset="utf-8")
    return message


class Transport(Protocol):
    def open(self) -> None: ...
    def send(self, message: EmailMessage) -> None: ...
    def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection for a delivery run (SSL, or STARTTLS, and a login when set)."""

    def __init__(self, config) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def open(self) -> None:
        config = self.config
        host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
        context = ssl.create_default_context()
        if config.get("MAIL_USE_SSL"):
            connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                connection.starttls(context=context)
            if config.get("MAIL_USERNAME"):
                connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except BaseException:
            connection.close()
            raise
        self.connection = connection

    def send(self, message: EmailMessage) -> None:
        assert self.connection is not None
        self.connection.send_message(message)

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None


TRANSPORTS: dict[str, Callable[..., Transport]] = {"smtp": SmtpTransport}


def get_transport() -> Transport:
    return TRANSPORTS["smtp"](current_app.config)


# --- the delivery step ---------------------------------------------------------------------


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    retry: int = 0  # put back in the queue after a temporary error
    remaining: int = 0  # still queued when the run ended
    error: str | None = None  # why the run stopped early (the server, not one recipient)
    errors: list[str] = field(default_factory=list)


class _ServerProblem(Exception):
    """The server (not one recipient) failed: stop this run, keep the rest queued."""


def _claimable(now, round_id: int | None):
    stale = now - timedelta(seconds=current_app.config["MAIL_SENDING_LEASE"])
    condition = sa.or_(
        OutboxMessage.status == QUEUED,
        sa.and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < stale),
    )
    if round_id is not None:
        condition = sa.and_(condition, OutboxMessage.round_id == round_id)
    return condition


def deliver_queued(
    round_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    transport: Transport | None = None,
) -> DeliveryResult:
    """Send the queued mail (of one round, or all), one claimed row at a time.

    Runs its own short transactions: call it with nothing of yours left to commit. The
    SMTP conversation happens between them, never inside one.
    """
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("commit before delivering mail: the delivery runs its own transactions")
    result = DeliveryResult()
    ids = list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(_claimable(utcnow(), round_id))
            .order_by(OutboxMessage.id)
        )
    )
    db.session.rollback()  # end the read: claims are write transactions of their own
    total = len(ids)
    if progress:
        progress(0, total)
    sender = current_app.config["MAIL_FROM"]
    transport = transport or get_transport()
    opened = False
    try:
        for done, message_id in enumerate(ids, start=1):
            outgoing = _claim(message_id, round_id)
            if outgoing is None:
                continue  # another run took it
            try:
                message = build_message(_unsealed(outgoing), sender)
                if not opened:
                    _open(transport)
                    opened = True
                _send_one(transport, message)
            except (_ServerProblem, MailError) as problem:
                _release(message_id, str(problem), result)
                result.error = str(problem)
                break
            except _RecipientProblem as problem:
                if problem.permanent:
                    _fail(message_id, str(problem))
                    result.failed += 1
                else:
                    _release(message_id, str(problem), result)
                result.errors.append(str(problem))
            else:
                _mark_sent(message_id)
                result.sent += 1
            if progress:
                progress(done, total)
    finally:
        if opened:
            transport.close()
    result.remaining = queued_count(round_id)
    return result


def _open(transport: Transport) -> None:
    try:
        transport.open()
    except (smtplib.SMTPException, OSError) as error:
        raise _ServerProblem(_describe(error)) from error


class _RecipientProblem(Exception):
    """This one mail (its recipient, its content) failed, not the server."""

    def __init__(self, text: str, permanent: bool):
        super().__init__(text)
        self.permanent = permanent


def _send_one(transport: Transport, message: EmailMessage) -> None:
    try:
        transport.send(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        raise _RecipientProblem(_describe(error), permanent) from error
    except smtplib.SMTPDataError as error:
        raise _RecipientProblem(_describe(error), error.smtp_code >= 500) from error
    except (smtplib.SMTPException, OSError) as error:
        # Sender refused, disconnected, a timeout: a problem of the server or the set-up.
        raise _ServerProblem(_describe(error)) from error


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_text(msg)}" for code, msg in error.recipients.values()]
        text = "recipient refused: " + "; ".join(parts)
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_text(error.smtp_error)}"
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _claim(message_id: int, round_id: int | None) -> Outgoing | None:
    begin_write()
    now = utcnow()
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _claimable(now, round_id))
        .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    row = db.session.execute(
        sa.select(
            OutboxMessage.to,
            OutboxMessage.subject,
            OutboxMessage.body_text,
            OutboxMessage.body_html,
            OutboxMessage.message_id,
            OutboxMessage.sealed_body,
        ).where(OutboxMessage.id == message_id)
    ).one()
    db.session.commit()
    return Outgoing(message_id, row[0], row[1], row[2], row[3], row[4], row[5])


def _unsealed(outgoing: Outgoing) -> Outgoing:
    """The claimed mail with its real bodies (the stored ones have their links redacted)."""
    if outgoing.sealed is None:
        return outgoing  # nothing was sealed: a mail stored before links were sealed
    context = _seal_context(outgoing.message_id or "", outgoing.to)
    try:
        bodies = json.loads(unseal_text(outgoing.sealed, context))
    except SealError as error:
        if isinstance(error.__cause__, InvalidTag):
            # It will never open: the row was changed (its recipient, its Message-ID) or
            # its seal damaged. Only this mail fails.
            raise _RecipientProblem(
                "its sealed body does not open (the stored mail was changed or damaged)",
                permanent=True,
            ) from error
        # No key, or not the key that sealed it: a set-up problem. Keep the mail queued.
        raise _ServerProblem(str(error)) from error
    return replace(outgoing, text=bodies["text"], html=bodies["html"], sealed=None)


def _finish(message_id: int, **values) -> None:
    begin_write()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _end(message_id: int, **values) -> None:
    """Sent or failed for good: the sealed bodies are erased. (A mail stored before links
    were sealed still has them in its bodies: they are redacted now.)"""
    begin_write()
    body_text, body_html = db.session.execute(
        sa.select(OutboxMessage.body_text, OutboxMessage.body_html).where(
            OutboxMessage.id == message_id
        )
    ).one()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING)
        .values(
            sealed_body=None,
            body_text=blank_links(body_text),
            body_html=blank_links(body_html),
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _mark_sent(message_id: int) -> None:
    _end(message_id, status=SENT, sent_at=utcnow(), last_error=None)


def _fail(message_id: int, error: str) -> None:
    _end(message_id, status=FAILED, last_error=error[:MAX_ERROR])


def _release(message_id: int, error: str, result: DeliveryResult) -> None:
    """Back to the queue after a temporary failure; failed after too many tries."""
    attempts = db.session.scalar(
        sa.select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)
    )
    if (attempts or 0) >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        _fail(message_id, error)
        result.failed += 1
    else:
        _finish(message_id, status=QUEUED, last_error=error[:MAX_ERROR])
        result.retry += 1


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


def deliver_job(job_id: str, *, round_id: int | None = None) -> None:
    """Background job "send_mail": deliver the queued mail of a round, with progress."""
    from feedback.jobs import JobError, report_progress

    def progress(done: int, total: int) -> None:
        report_progress(job_id, done, total, "Sending e-mail")

    result = deliver_queued(round_id, progress)
    if result.error:
        raise JobError(
            f"The mail server failed after {result.sent} e-mails ({result.error}). "
            f"{result.remaining} e-mails are still queued and will be sent on the next try."
        )
    if result.failed or result.remaining:
        last = result.errors[-1] if result.errors else "no reason given"
        raise JobError(
            f"{result.sent} e-mails sent; {result.failed} could not be delivered and "
            f"{result.remaining} are still queued (last error: {last})."
        )
