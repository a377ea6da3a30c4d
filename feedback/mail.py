"""Outgoing mail: validate the headers, then hand the message to a backend.

The backend is chosen by configuration. With MAIL_SERVER unset (the laptop default) the
message becomes an OutboxMessage row that HR reads in the app. An SMTP backend slots in as
another class with `deliver(mail)` registered in `BACKENDS` under "smtp"; until it exists,
mail goes to the outbox whatever the configuration says, and the app logs that once.

`send_mail` writes in the caller's transaction and does not commit: the mail of a launch is
stored together with the launch, or not at all.
"""

from dataclasses import dataclass
from typing import Protocol

from email_validator import EmailNotValidError, validate_email
from flask import current_app

from feedback.extensions import db
from feedback.models import OutboxMessage

KINDS = ("invitation", "reminder", "password", "other")
MAX_SUBJECT = 300


class MailError(ValueError):
    """A message that must not be sent: a bad address or header."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None
    kind: str


class Backend(Protocol):
    def deliver(self, mail: Mail) -> None: ...


class OutboxBackend:
    """Keep the message in the database; HR reads it at /admin/outbox."""

    def deliver(self, mail: Mail) -> None:
        db.session.add(
            OutboxMessage(
                to=mail.to,
                subject=mail.subject,
                body_text=mail.text,
                body_html=mail.html,
                kind=mail.kind,
            )
        )


BACKENDS: dict[str, type] = {"outbox": OutboxBackend}


def backend_name() -> str:
    return "smtp" if current_app.config.get("MAIL_SERVER") else "outbox"


def get_backend() -> Backend:
    name = backend_name()
    backend = BACKENDS.get(name)
    if backend is None:
        if not current_app.extensions.get("feedback_mail_warned"):
            current_app.logger.warning("Mail backend %r is not available: using the outbox", name)
            current_app.extensions["feedback_mail_warned"] = True
        backend = OutboxBackend
    return backend()


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
    value = value.strip()
    if not value:
        raise MailError("A subject is required.")
    if len(value) > MAX_SUBJECT:
        raise MailError(f"A subject is at most {MAX_SUBJECT} characters.")
    return value


def send_mail(to: str, subject: str, text: str, html: str | None = None, kind: str = "other"):
    """Validate and send (or, by default, store in the outbox). The caller commits."""
    if kind not in KINDS:
        raise MailError(f"Unknown kind of mail: {kind!r}.")
    mail = Mail(
        to=clean_address(to), subject=clean_subject(subject), text=text, html=html, kind=kind
    )
    get_backend().deliver(mail)
    return mail
