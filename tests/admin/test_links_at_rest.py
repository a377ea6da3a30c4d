"""No live secret at rest (DESIGN.md, rule 7): a survey or set-password link is kept only
sealed, only until its mail is delivered; never in a stored body, never on HR's pages.

Read as someone with a copy of the database would: every column of every row, text and
bytes alike."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback import mail, mail_delivery
from feedback.admin import reminders
from feedback.admin.creation import create_round
from feedback.admin.launch import launch_round
from feedback.extensions import db as _db
from feedback.models import OutboxMessage
from feedback.tokens import hash_token
from tests.admin.admin_helpers import outbox, settings

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]+)")
PASSWORD_LINK = re.compile(r"http://localhost/auth/password/([A-Za-z0-9_\-]+)")


def tokens_of(mails) -> set[str]:
    """The plain tokens of both kinds in the mails as written (what recipients get)."""
    found = set()
    for written in mails:
        for body in (written.text, written.html or ""):
            found.update(LINK.findall(body), PASSWORD_LINK.findall(body))
    return found


def rows_holding(tokens: set[str]) -> list[tuple[str, str]]:
    """(table, column) of every stored value, text or bytes, that holds one of the tokens."""
    needles = [(t, t.encode()) for t in tokens]
    hits = []
    _db.session.expire_all()
    for table in _db.metadata.sorted_tables:
        for row in _db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, str) and any(t in value for t, _ in needles):
                    hits.append((table.name, column))
                elif isinstance(value, bytes | memoryview):
                    data = bytes(value)
                    if any(b in data for _, b in needles):
                        hits.append((table.name, column))
    _db.session.rollback()
    return hits


def launch(org, monkeypatch=None):
    if monkeypatch is not None:  # keep the mail queued: no background delivery
        monkeypatch.setattr("feedback.admin.launch.queue_delivery", lambda round_id: None)
    rnd = create_round(settings(), [org["anna"].id, org["bob"].id])
    launch_round(rnd.id)
    return rnd.id


# --- queued, then delivered ---------------------------------------------------------------


def test_queued_mail_holds_no_working_token_anywhere_and_its_seal_no_plaintext(
    smtp, org, mailbox, monkeypatch
):
    launch(org, monkeypatch)
    tokens = tokens_of(mailbox)
    assert len(tokens) == 10  # 8 survey links and 2 set-password links
    # The scan does see what is stored: each survey token's hash is there.
    assert rows_holding({hash_token(next(iter(tokens_of(mailbox.of("invitation")))))})
    assert rows_holding(tokens) == []
    rows = outbox()
    assert {r.status for r in rows} == {"queued"}
    for row in rows:
        assert not LINK.search(row.body_text) and not PASSWORD_LINK.search(row.body_text)
        assert not LINK.search(row.body_html) and not PASSWORD_LINK.search(row.body_html)
        assert f"/{mail.LINK_REMOVED}" in row.body_text
        sealed = bytes(row.sealed_body)
        # Sealed: not even the readable parts of the mail show through.
        assert b"localhost" not in sealed and b"Manager" not in sealed and b"/s/" not in sealed


def test_delivered_mail_carries_working_links_and_then_nothing_is_left(
    smtp, org, mailbox, client, monkeypatch
):
    launch(org, monkeypatch)
    tokens = tokens_of(mailbox)
    assert mail_delivery.deliver_queued().sent == 10
    received = {}
    for message in smtp.received:
        for part in ("plain", "html"):
            body = message.part(part)
            received.setdefault(message.to, set()).update(
                LINK.findall(body), PASSWORD_LINK.findall(body)
            )
    # What arrived is what was written: every recipient got their own working link.
    assert set().union(*received.values()) == tokens
    survey = LINK.search(smtp.received[0].part("plain")).group(1)
    assert client.get(f"/s/{survey}").status_code == 200
    (password,) = [m for m in mailbox.of("password") if m.to == org["anna"].email]
    token = PASSWORD_LINK.search(password.text).group(1)
    assert client.get(f"/auth/password/{token}").status_code == 200
    # After delivery: no token in any column, and no sealed body either.
    assert rows_holding(tokens) == []
    assert all(r.status == "sent" and r.sealed_body is None for r in outbox())


def test_a_sealed_body_opens_only_for_its_own_row_and_recipient(smtp, db):
    """Changing a queued row's recipient (to receive someone's link) makes it fail."""
    mail.send_mail("a@example.test", "Hi", "Open http://localhost/s/first-token-abcdefgh")
    mail.send_mail("b@example.test", "Hi", "Open http://localhost/s/second-token-abcdefg")
    db.session.commit()
    first, second = outbox()
    first.to = "attacker@example.test"
    db.session.commit()
    result = mail_delivery.deliver_queued()
    assert (result.sent, result.failed) == (1, 1)
    (received,) = smtp.received
    assert received.to == "b@example.test" and "second-token-abcdefg" in received.part("plain")
    db.session.expire_all()
    assert first.status == "failed" and first.sealed_body is None
    assert "sealed body does not open" in first.last_error


def test_without_the_seal_key_mail_stays_queued_until_it_is_back(smtp, db, app):
    mail.send_mail("a@example.test", "Hi", "Open http://localhost/s/some-token-abcdefgh")
    db.session.commit()
    keys = app.config["SEAL_KEY_LIST"]
    app.config["SEAL_KEY_LIST"] = [bytes(32)]  # another key: the one that sealed is gone
    result = mail_delivery.deliver_queued()
    assert result.sent == 0 and "not configured" in result.error and result.remaining == 1
    assert smtp.received == []
    app.config["SEAL_KEY_LIST"] = keys
    assert mail_delivery.deliver_queued().sent == 1
    assert "some-token-abcdefgh" in smtp.received[0].part("plain")


# --- the round's close: erase_round_mail --------------------------------------------------


def _by_kind() -> dict[str, list[OutboxMessage]]:
    _db.session.expire_all()
    rows: dict[str, list[OutboxMessage]] = {}
    for row in outbox():
        rows.setdefault(row.kind, []).append(row)
    return rows


def test_erase_round_mail_drops_reminders_and_fails_what_waits_with_a_dead_link(
    smtp, org, mailbox, monkeypatch
):
    rid = launch(org, monkeypatch)
    monkeypatch.setattr(reminders, "queue_delivery", lambda round_id: None)
    reminders.send_reminders_now(rid)
    other = mail.send_mail(
        "x@example.test", "Not of a round", "Open http://localhost/s/keep-me-abc"
    )
    _db.session.commit()
    assert other and len(_by_kind()["reminder"]) == 8

    mail.erase_round_mail(rid)
    _db.session.rollback()  # it runs in the caller's transaction: nothing happened
    assert len(_by_kind()["reminder"]) == 8

    mail.erase_round_mail(rid)
    _db.session.commit()
    rows = _by_kind()
    assert "reminder" not in rows  # per-person participation history
    for row in rows["invitation"]:
        assert (row.status, row.sealed_body, row.last_error) == ("failed", None, mail.LINK_DEAD)
    # A set-password link does not die with the round: its mail still goes out.
    assert all(r.status == "queued" and r.sealed_body for r in rows["password"])
    (unrelated,) = rows["other"]
    assert unrelated.status == "queued" and unrelated.sealed_body
    assert rows_holding(tokens_of(mailbox)) == []

    result = mail_delivery.deliver_queued()
    assert result.sent == 3 and result.failed == 0
    assert sorted(m.to for m in smtp.received) == sorted(
        [org["anna"].email, org["bob"].email, "x@example.test"]
    )


def test_erase_round_mail_fails_a_set_password_mail_once_its_link_has_expired(
    smtp, org, app, monkeypatch
):
    rid = launch(org, monkeypatch)
    hours = app.config["PASSWORD_LINK_HOURS"]
    for row in outbox("password"):
        row.created_at -= timedelta(hours=hours, minutes=1)
    _db.session.commit()
    mail.erase_round_mail(rid)
    _db.session.commit()
    assert {(r.kind, r.status) for r in outbox()} == {
        ("invitation", "failed"),
        ("password", "failed"),
    }
    assert all(r.sealed_body is None for r in outbox())


def test_erase_round_mail_redacts_a_link_stored_before_links_were_sealed(org, db):
    rid = launch(org)
    legacy = OutboxMessage(
        to="old@example.test",
        subject="Old",
        body_text="http://localhost/s/legacy-token-abcdef and /auth/password/legacy-pw-abcdef",
        body_html='<a href="http://localhost/s/legacy-token-abcdef">open</a>',
        kind="invitation",
        round_id=rid,
        status="sent",
    )
    db.session.add(legacy)
    db.session.commit()
    mail.erase_round_mail(rid)
    db.session.commit()
    assert rows_holding({"legacy-token-abcdef", "legacy-pw-abcdef"}) == []
    db.session.refresh(legacy)
    assert legacy.body_html == f'<a href="http://localhost/s/{mail.LINK_REMOVED}">open</a>'


# --- outbox-only mode ---------------------------------------------------------------------


def test_without_a_mail_server_no_link_is_stored_sealed_or_not(org, mailbox):
    launch(org)
    tokens = tokens_of(mailbox)
    assert len(tokens) == 10
    assert rows_holding(tokens) == []
    assert all(r.status == "kept" and r.sealed_body is None for r in outbox())


def test_send_mail_redacts_both_kinds_of_link_in_both_bodies(db, mailbox):
    survey, password = "abc-DEF_123456789", "xyz-987654321"
    text = (
        f"Survey: http://localhost/s/{survey}\nPassword: http://localhost/auth/password/{password}."
    )
    html = f'<a href="http://localhost/s/{survey}">a</a> <a href="/auth/password/{password}">b</a>'
    mail.send_mail("a@example.test", "Hi", text, html)
    db.session.commit()
    (row,) = outbox()
    gone = mail.LINK_REMOVED
    assert row.body_text == (
        f"Survey: http://localhost/s/{gone}\nPassword: http://localhost/auth/password/{gone}."
    )
    assert (
        row.body_html
        == f'<a href="http://localhost/s/{gone}">a</a> <a href="/auth/password/{gone}">b</a>'
    )
    assert row.sealed_body is None
    (written,) = mailbox
    assert (written.text, written.html) == (text, html)  # the recipient's copy is whole


# --- HR's outbox pages --------------------------------------------------------------------


@pytest.mark.parametrize("delivered", [False, True])
def test_hr_outbox_pages_show_neither_kind_of_link(
    smtp, org, hr_client, mailbox, monkeypatch, delivered
):
    launch(org, monkeypatch)
    if delivered:
        assert mail_delivery.deliver_queued().sent == 10
    tokens = tokens_of(mailbox)
    pages = [hr_client.get("/admin/outbox").get_data(as_text=True)]
    for row in outbox():
        response = hr_client.get(f"/admin/outbox/{row.id}")
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    for page in pages:
        assert not any(token in page for token in tokens)
        assert not LINK.search(page) and not PASSWORD_LINK.search(page)
    password_page = pages[1 + [r.kind for r in outbox()].index("password")]
    assert "a set-password link would let its holder log in as the manager" in password_page
    fate = "carried the working link" if delivered else "sealed until delivery"
    assert fate in password_page


def test_hr_outbox_redacts_both_kinds_in_a_mail_stored_before_links_were_sealed(hr_client, db):
    legacy = OutboxMessage(
        to="manager@example.test",
        subject="Set your password http://localhost/auth/password/in-subject-abcdef",
        body_text="Survey http://localhost/s/legacy-token-abcdef, "
        "password http://localhost/auth/password/legacy-pw-abcdef",
        kind="password",
        status="kept",
    )
    db.session.add(legacy)
    db.session.commit()
    listing = hr_client.get("/admin/outbox").get_data(as_text=True)
    detail = hr_client.get(f"/admin/outbox/{legacy.id}").get_data(as_text=True)
    for page in (listing, detail):
        assert "legacy-token-abcdef" not in page and "legacy-pw-abcdef" not in page
    assert "in-subject-abcdef" not in listing and "in-subject-abcdef" not in detail
    assert "Personal links are never stored or shown here" in detail
