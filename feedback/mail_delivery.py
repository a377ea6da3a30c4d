"""The delivery step: queued mail out by SMTP, one mail at a time, outside any transaction.

`deliver_queued` runs as the background job "send_mail" (`deliver_job`, queued by
`mail.queue_delivery` after a launch or a reminder) and from `flask --app wsgi deliver-mail`:

    claim    UPDATE ... SET status='sending', attempts+1 WHERE status='queued'   (commit)
    send     one SMTP transaction, with the bodies unsealed
    mark     UPDATE ... SET status='sent', sealed bodies erased                 (commit)

feedback/mail.py's docstring says why this is safe when the SMTP server fails halfway, and
how the stored mail keeps no live link.
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
from email.utils import formatdate
from typing import Protocol

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from flask import current_app

from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db
from feedback.mail import (
    FAILED,
    MAX_ERROR,
    QUEUED,
    SENDING,
    SENT,
    MailError,
    blank_links,
    clean_address,
    clean_subject,
    new_message_id,
    queued_count,
    seal_context,
    sender_address,
)
from feedback.models import OutboxMessage
from feedback.sealing import SealError, unseal_text

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
    message["Message-ID"] = outgoing.message_id or new_message_id()
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
    context = seal_context(outgoing.message_id or "", outgoing.to)
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
