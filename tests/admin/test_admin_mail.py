"""feedback.mail: header validation and the backend choice."""

import pytest
import sqlalchemy as sa

from feedback import mail
from feedback.mail import MailError, send_mail
from feedback.models import OutboxMessage


def stored(db):
    return db.session.scalars(sa.select(OutboxMessage)).all()


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("a@example.test\r\nBcc: evil@example.test", "Hello"),
        ("a@example.test\n", "Hello"),
        ("a@example.test", "Hello\r\nBcc: evil@example.test"),
        ("a@example.test", "Hello\nthere"),
        ("not an address", "Hello"),
        ("Someone <a@example.test>", "Hello"),
        ("a@localhost", "Hello"),
        ("", "Hello"),
        ("a@example.test", "   "),
        ("a@example.test", "x" * 301),
    ],
)
def test_bad_headers_are_refused_and_nothing_is_stored(db, to, subject):
    with pytest.raises(MailError):
        send_mail(to, subject, "body")
    db.session.commit()
    assert stored(db) == []


def test_unknown_kind_is_refused(db):
    with pytest.raises(MailError, match="kind"):
        send_mail("a@example.test", "Hi", "body", kind="newsletter")
    assert stored(db) == []


def test_valid_mail_goes_to_the_outbox_in_the_callers_transaction(db):
    send_mail(" a@Example.TEST ", "Hi", "text", "<p>html</p>", kind="invitation")
    db.session.rollback()
    assert stored(db) == []  # nothing of its own: the caller decides
    send_mail(" a@Example.TEST ", "Hi", "text", "<p>html</p>", kind="invitation")
    db.session.commit()
    (message,) = stored(db)
    assert (message.to, message.subject, message.kind) == ("a@example.test", "Hi", "invitation")
    assert (message.body_text, message.body_html) == ("text", "<p>html</p>")


def test_backend_is_chosen_by_configuration(app_ctx, db):
    assert mail.backend_name() == "outbox"
    send_mail("a@example.test", "Hi", "text")
    app_ctx.config["MAIL_SERVER"] = "smtp.example.test"
    assert mail.backend_name() == "smtp"
    send_mail("b@example.test", "Hi", "text")
    db.session.commit()
    kept, queued = stored(db)
    # Without a server the mail is kept for HR; with one it is queued for delivery, with a
    # Message-ID fixed now so that a retried delivery carries the same one.
    assert (kept.to, kept.status, kept.message_id) == ("a@example.test", "kept", None)
    assert (queued.to, queued.status) == ("b@example.test", "queued")
    assert queued.message_id.startswith("<") and queued.message_id.endswith("@example.test>")
