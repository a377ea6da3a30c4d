"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): parts, language, links,
failures halfway, retries without duplicates, no stored link before or after delivery
(more in test_links_at_rest.py)."""

import re

import pytest
import sqlalchemy as sa

from feedback import mail, mail_delivery
from feedback.admin.creation import create_round
from feedback.admin.launch import launch_round
from feedback.extensions import db as _db
from feedback.models import JobStatus, OutboxMessage
from tests.admin.admin_helpers import outbox, settings
from tests.waiting import wait_for_job

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]+)")
PASSWORD_LINK = re.compile(r"http://localhost/auth/password/([A-Za-z0-9_\-]+)")


def launch(org, *names):
    names = names or ("anna", "bob")
    rnd = create_round(settings(), [org[n].id for n in names])
    result = launch_round(rnd.id)
    return rnd.id, result


def statuses() -> dict[str, int]:
    _db.session.expire_all()
    rows = _db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    _db.session.rollback()
    return dict(rows)


def test_launch_queues_mail_with_tokens_and_sends_nothing_in_the_request(smtp, org, monkeypatch):
    monkeypatch.setattr(mail, "queue_delivery", lambda round_id: None)
    monkeypatch.setattr("feedback.admin.launch.queue_delivery", lambda round_id: None)
    _, result = launch(org)
    assert (result.invitations, result.password_mails) == (8, 2)
    assert smtp.received == []
    assert statuses() == {"queued": 10}
    assert all(m.message_id and m.round_id for m in outbox())


def test_delivered_mail_has_both_parts_the_language_subject_from_and_a_working_link(
    smtp, org, client, monkeypatch
):
    monkeypatch.setattr("feedback.admin.launch.queue_delivery", lambda round_id: None)
    launch(org)
    stored = {m.message_id: m.to for m in outbox()}
    result = mail_delivery.deliver_queued()
    assert (result.sent, result.failed, result.remaining, result.error) == (10, 0, 0, None)
    # Each stored mail arrived exactly once, to its recipient.
    assert {r.message["Message-ID"]: r.to for r in smtp.received} == stored
    assert len(smtp.received) == 10

    by_to = {r.to: r for r in smtp.received}
    rep_nl = by_to[org["anna_reps"][0].email]
    message = rep_nl.message
    assert rep_nl.mail_from == "hr@example.test"
    assert message["From"] == "Feedback HR <hr@example.test>"
    assert message["To"] == org["anna_reps"][0].email
    assert message["Subject"] == "Je feedback over Anna Manager gevraagd: Spring"
    assert stored[message["Message-ID"]] == rep_nl.to and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text, html = rep_nl.part("plain"), rep_nl.part("html")
    assert "Goedendag" in text and "Vragenlijst openen" in html
    for part in message.iter_parts():
        assert part.get_content_charset() == "utf-8"
    token = LINK.search(text).group(1)
    assert f"http://localhost/s/{token}" in html

    rep_en = by_to[org["bob_reps"][0].email]
    assert rep_en.message["Subject"] == "Your feedback on Bob Manager is requested: Spring"
    assert "Hello," in rep_en.part("plain") and "Open the questionnaire" in rep_en.part("html")

    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and "Anna Manager" in page.get_data(as_text=True)

    # The stored copies hold no working link, and no sealed one any more; the mail that
    # arrived does.
    _db.session.expire_all()
    for row in outbox():
        assert row.status == "sent" and row.sent_at is not None and row.sealed_body is None
        assert not LINK.search(row.body_text) and not PASSWORD_LINK.search(row.body_text)
        assert not LINK.search(row.body_html or "")
    assert f"/s/{mail.LINK_REMOVED}" in outbox("invitation")[0].body_text
    # Delivering again sends nothing.
    again = mail_delivery.deliver_queued()
    assert (again.sent, len(smtp.received)) == (0, 10)


def test_utf8_subject_and_body(smtp, db):
    mail.send_mail("a@example.test", "Één vraag: “ronde” ✓", "Grüße – één", "<p>Één ✓</p>")
    db.session.commit()
    assert mail_delivery.deliver_queued().sent == 1
    (received,) = smtp.received
    assert received.message["Subject"] == "Één vraag: “ronde” ✓"
    assert received.part("plain").strip() == "Grüße – één"
    assert received.part("html").strip() == "<p>Één ✓</p>"


def test_server_failing_halfway_leaves_the_rest_queued_and_a_retry_sends_each_once(
    smtp, org, monkeypatch
):
    monkeypatch.setattr("feedback.admin.launch.queue_delivery", lambda round_id: None)
    launch(org)
    smtp.handler.accept_only = 4  # then "451 try again later" for every message
    first = mail_delivery.deliver_queued()
    assert (first.sent, first.retry, first.failed, first.remaining) == (4, 6, 0, 6)
    assert statuses() == {"sent": 4, "queued": 6}
    smtp.handler.accept_only = None
    second = mail_delivery.deliver_queued()
    assert (second.sent, second.remaining) == (6, 0)
    ids = [r.message["Message-ID"] for r in smtp.received]
    assert len(ids) == 10 and len(set(ids)) == 10  # every mail once, none twice


def test_server_down_keeps_everything_queued_until_it_is_back(smtp, org, monkeypatch):
    monkeypatch.setattr("feedback.admin.launch.queue_delivery", lambda round_id: None)
    launch(org)
    smtp.stop()
    result = mail_delivery.deliver_queued()
    assert result.sent == 0 and result.error and result.remaining == 10
    assert statuses() == {"queued": 10}
    smtp.start()
    assert mail_delivery.deliver_queued().sent == 10
    assert len(smtp.received) == 10


def test_refused_recipient_fails_without_stopping_the_others(smtp, org, monkeypatch):
    monkeypatch.setattr("feedback.admin.launch.queue_delivery", lambda round_id: None)
    launch(org)
    refused = org["anna_reps"][1].email
    smtp.handler.refuse = {refused}
    result = mail_delivery.deliver_queued()
    assert (result.sent, result.failed) == (9, 1)
    failed = _db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.status == "failed"))
    assert failed.to == refused and failed.last_error.startswith("recipient refused: 550")
    assert failed.sealed_body is None  # failed for good: its link is erased
    assert mail_delivery.deliver_queued().sent == 0  # a failed mail is not retried by itself


def test_temporary_failures_end_in_failed_after_the_maximum_attempts(smtp, db, app):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    mail.send_mail("a@example.test", "Hi", "text")
    db.session.commit()
    smtp.handler.accept_only = 0
    assert mail_delivery.deliver_queued().retry == 1
    assert mail_delivery.deliver_queued().failed == 1
    assert statuses() == {"failed": 1}


def test_a_stale_send_is_retried_with_the_same_message_id(smtp, db, app):
    """A process that died after claiming: the row stays "sending" until the lease ends."""
    mail.send_mail("a@example.test", "Hi", "text http://localhost/s/abcdefghijkl")
    db.session.commit()
    row = db.session.scalar(sa.select(OutboxMessage))
    row.status, row.attempts = "sending", 1
    row.claimed_at = mail.utcnow()
    db.session.commit()
    # Still within the lease: someone may be sending.
    assert mail_delivery.deliver_queued().sent == 0
    app.config["MAIL_SENDING_LEASE"] = 0
    assert mail_delivery.deliver_queued().sent == 1
    (received,) = smtp.received
    assert received.message["Message-ID"] == row.message_id


def test_two_runs_never_send_the_same_row(smtp, db, monkeypatch):
    """The claim is a conditional UPDATE: a row another run took is skipped."""
    for n in range(3):
        mail.send_mail(f"r{n}@example.test", "Hi", "text")
    db.session.commit()
    real_claim = mail_delivery._claim
    calls = []

    def claim_after_a_rival(message_id, round_id):
        if not calls:  # a rival run claims the first row just before we do
            assert real_claim(message_id, round_id) is not None
        calls.append(message_id)
        return real_claim(message_id, round_id)

    monkeypatch.setattr(mail_delivery, "_claim", claim_after_a_rival)
    result = mail_delivery.deliver_queued()
    assert result.sent == 2 and len(smtp.received) == 2


def test_bad_mail_from_stops_delivery_and_keeps_the_mail(smtp, db, app):
    mail.send_mail("a@example.test", "Hi", "text")
    db.session.commit()
    app.config["MAIL_FROM"] = "HR <hr@example.test>\r\nBcc: evil@example.test"
    result = mail_delivery.deliver_queued()
    assert result.sent == 0 and "line breaks" in result.error
    assert smtp.received == [] and statuses() == {"queued": 1}


def test_starttls_required_but_not_offered_keeps_the_mail_queued(smtp, db, app):
    app.config["MAIL_USE_TLS"] = True
    mail.send_mail("a@example.test", "Hi", "text")
    db.session.commit()
    result = mail_delivery.deliver_queued()
    assert result.sent == 0 and result.error and "STARTTLS" in result.error.upper()
    assert statuses() == {"queued": 1}


def test_delivery_refuses_to_run_inside_uncommitted_work(smtp, db):
    mail.send_mail("a@example.test", "Hi", "text")
    with pytest.raises(RuntimeError, match="commit"):
        mail_delivery.deliver_queued()
    db.session.rollback()


def test_launch_over_http_shows_the_job_that_sends_the_mail(smtp, org, hr_client):
    rid = create_round(settings(), [org["anna"].id, org["bob"].id]).id
    response = hr_client.post(f"/admin/rounds/{rid}/launch")
    assert response.status_code == 303
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    assert response.headers["Location"].endswith(f"/jobs/{job_id}")
    job = wait_for_job(job_id)
    assert job.status == JobStatus.DONE and (job.done, job.total) == (10, 10)
    assert len(smtp.received) == 10
    page = hr_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Sending e-mail" in page and "10 of 10 e-mails" in page
    round_page = hr_client.get(f"/admin/rounds/{rid}").get_data(as_text=True)
    assert "10 sent · 0 waiting · 0 failed" in round_page


def test_failed_delivery_job_says_what_is_left_and_the_button_resends(smtp, org, hr_client):
    rid = create_round(settings(), [org["anna"].id, org["bob"].id]).id
    smtp.handler.accept_only = 3
    job_id = hr_client.post(f"/admin/rounds/{rid}/launch").headers["Location"].rsplit("/", 1)[1]
    job = wait_for_job(job_id)
    assert job.status == JobStatus.FAILED
    assert "3 e-mails sent" in job.error and "7 are still queued" in job.error
    page = hr_client.get(f"/admin/rounds/{rid}").get_data(as_text=True)
    assert "3 sent · 7 waiting" in page and "Send waiting e-mail now" in page
    smtp.handler.accept_only = None
    response = hr_client.post(f"/admin/rounds/{rid}/mail/send")
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    assert wait_for_job(response.headers["Location"].rsplit("/", 1)[1]).status == JobStatus.DONE
    ids = [r.message["Message-ID"] for r in smtp.received]
    assert len(ids) == 10 and len(set(ids)) == 10
    nothing = hr_client.post(f"/admin/rounds/{rid}/mail/send", follow_redirects=True)
    assert "No e-mail of this round is waiting" in nothing.get_data(as_text=True)


def test_deliver_mail_command(smtp, db, runner):
    mail.send_mail("a@example.test", "Hi", "text")
    db.session.commit()
    result = runner.invoke(args=["deliver-mail", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed, 0 still queued" in result.output
    assert len(smtp.received) == 1
    smtp.stop()
    mail.send_mail("b@example.test", "Hi", "text")
    db.session.commit()
    failed = runner.invoke(args=["deliver-mail", "--lang", "en"])
    assert failed.exit_code == 1 and "The mail server failed" in failed.output


def test_deliver_mail_command_without_a_server(runner, app):
    result = runner.invoke(args=["deliver-mail", "--lang", "en"])
    assert result.exit_code == 0 and "MAIL_SERVER is not set" in result.output
