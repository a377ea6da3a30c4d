"""Reminders: the schedule as pure functions, sending to pending raters only with a new link,
the hourly limit of the button, the cron command that sends each slot once."""

import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from feedback.admin import reminders
from feedback.admin.creation import create_round
from feedback.admin.launch import launch_round
from feedback.admin.reminders import (
    ReminderError,
    Schedule,
    due_slots,
    next_manual_at,
    parse_days,
    slot_dates,
)
from feedback.admin.transitions import close_round
from feedback.extensions import db as _db
from feedback.models import InvitationToken, RoundReminder
from tests.admin.admin_helpers import invitations_of, outbox, reload_round, settings

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]+)")
LAUNCH = date(2027, 3, 1)
CLOSE = date(2027, 3, 21)
SCHEDULE = Schedule(after_launch=(3, 7, 30), before_close=(2, 25))


# --- pure schedule rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [("3, 7", (3, 7)), ("7 3;3", (3, 7)), ("", ()), (None, ()), (" 2 ", (2,))],
)
def test_parse_days(text, days):
    assert parse_days(text) == days


TOO_MANY = ",".join(str(n) for n in range(1, 13))


@pytest.mark.parametrize("text", ["0", "x", "3, -1", "400", "1.5", TOO_MANY])
def test_parse_days_refuses_nonsense(text):
    with pytest.raises(ReminderError):
        parse_days(text)


def test_slot_dates_keep_only_days_inside_the_round():
    assert slot_dates(SCHEDULE, LAUNCH, CLOSE) == {
        "after:3": date(2027, 3, 4),
        "after:7": date(2027, 3, 8),
        "before:2": date(2027, 3, 19),
    }  # after:30 is past the close, before:25 before the launch


@pytest.mark.parametrize(
    ("today", "sent", "due"),
    [
        (date(2027, 3, 1), set(), []),  # launch day: nothing yet
        (date(2027, 3, 3), set(), []),
        (date(2027, 3, 4), set(), ["after:3"]),
        (date(2027, 3, 4), {"after:3"}, []),  # sent already: a second run sends nothing
        (date(2027, 3, 9), {"after:3"}, ["after:7"]),
        (date(2027, 3, 20), set(), ["after:3", "after:7", "before:2"]),  # missed runs: one go
        (date(2027, 3, 21), {"after:3", "after:7", "before:2"}, []),
        (date(2027, 3, 22), set(), []),  # closed
    ],
)
def test_due_slots(today, sent, due):
    assert due_slots(SCHEDULE, LAUNCH, CLOSE, today, sent) == due


def test_next_manual_at_is_an_hour_after_the_last_reminder():
    last = datetime(2027, 3, 5, 10, 0)
    assert next_manual_at(None, last) is None
    assert next_manual_at(last, last + timedelta(minutes=59)) == datetime(2027, 3, 5, 11, 0)
    assert next_manual_at(last, last + timedelta(hours=1)) is None


# --- sending ----------------------------------------------------------------------------------


def launched(org):
    rnd = create_round(settings(), [org["anna"].id, org["bob"].id])
    launch_round(rnd.id)
    return rnd.id


def answer_some(rid: int, count: int = 3):
    """Mark the first `count` invitations submitted; return (answered, pending)."""
    invitations = invitations_of(rid)
    for invitation in invitations[:count]:
        invitation.submitted = True
    _db.session.commit()
    return invitations[:count], invitations[count:]


def test_only_pending_raters_get_a_reminder_with_a_new_link_and_old_links_still_work(
    org, client, mailbox
):
    rid = launched(org)
    answered, pending = answer_some(rid)
    old_links = {m.to: LINK.search(m.text).group(1) for m in mailbox.of("invitation")}
    tokens_before = _db.session.scalar(sa.select(sa.func.count()).select_from(InvitationToken))

    result = reminders.send_reminders_now(rid)

    assert result.raters == len(pending) == 5 and result.job_id is None
    sent = outbox("reminder")
    assert sorted(m.to for m in sent) == sorted(i.email for i in pending)
    assert not {m.to for m in sent} & {i.email for i in answered}
    tokens_after = _db.session.scalar(sa.select(sa.func.count()).select_from(InvitationToken))
    assert tokens_after == tokens_before + 5
    for invitation in invitations_of(rid):
        assert invitation.reminders_sent == (0 if invitation.submitted else 1)
    assert not any(LINK.search(m.body_text) or LINK.search(m.body_html) for m in sent)
    for message in mailbox.of("reminder"):
        new = LINK.search(message.text).group(1)
        assert new != old_links[message.to] and new in message.html
        for token in (new, old_links[message.to]):
            assert client.get(f"/s/{token}").status_code == 200


def test_reminder_language_follows_the_rater(org):
    rid = launched(org)
    reminders.send_reminders_now(rid)
    by_to = {m.to: m for m in outbox("reminder")}
    nl = by_to[org["anna_reps"][0].email]
    en = by_to[org["bob_reps"][0].email]
    assert nl.subject == "Herinnering: je feedback in Spring"
    assert "feedback op Anna Manager nog niet ontvangen" in nl.body_text
    assert en.subject == "Reminder: your feedback in Spring"
    assert "your feedback on Bob Manager" in en.body_text
    assert "Open the questionnaire" in en.body_html
    self_nl = by_to[org["anna"].email]
    assert "Je zelfbeoordeling" in self_nl.body_text


def test_button_is_limited_to_once_an_hour(org):
    rid = launched(org)
    now = datetime(2027, 3, 5, 9, 0)  # inside the round (it closes on 2027-03-21)
    assert reminders.send_reminders_now(rid, now=now).raters == 8
    # On HR's clock (Europe/Amsterdam, UTC+1 in March) 9:00 UTC is 10:00.
    with pytest.raises(ReminderError, match=r"less than an hour ago \(at 10:00\).*from 11:00\."):
        reminders.send_reminders_now(rid, now=now + timedelta(minutes=59))
    assert len(outbox("reminder")) == 8
    assert reminders.send_reminders_now(rid, now=now + timedelta(hours=1)).raters == 8


def test_no_reminder_when_everyone_answered_and_the_hour_does_not_start(org):
    rid = launched(org)
    answer_some(rid, count=8)
    assert reminders.send_reminders_now(rid).raters == 0
    assert outbox("reminder") == [] and reload_round(rid).last_reminder_at is None


def test_reminders_refused_for_a_closed_round(org):
    rid = launched(org)
    close_round(rid)
    with pytest.raises(ReminderError, match="while the round is open"):
        reminders.send_reminders_now(rid)
    assert outbox("reminder") == []


def test_scheduled_reminders_send_each_slot_once(org):
    rid = launched(org)
    answer_some(rid, count=2)
    reminders.set_schedule(rid, "3, 7", "2")
    launch_day = reload_round(rid).launched_at.date()
    day3 = launch_day + timedelta(days=3)
    at = datetime.combine(day3, datetime.min.time()) + timedelta(hours=9)

    assert reminders.run_scheduled_reminders(today=day3 - timedelta(days=1), now=at) == []
    (run,) = reminders.run_scheduled_reminders(today=day3, now=at)
    assert (run.round_id, run.slots, run.raters) == (rid, ("after:3",), 6)
    assert reminders.run_scheduled_reminders(today=day3, now=at + timedelta(hours=2)) == []
    assert len(outbox("reminder")) == 6
    day7 = launch_day + timedelta(days=7)
    (run,) = reminders.run_scheduled_reminders(today=day7, now=at + timedelta(days=4))
    assert run.slots == ("after:7",) and len(outbox("reminder")) == 12
    slots = _db.session.scalars(sa.select(RoundReminder.slot).order_by(RoundReminder.slot))
    assert list(slots) == ["after:3", "after:7"]


def test_a_slot_shortly_after_a_manual_reminder_is_recorded_without_mailing(org):
    rid = launched(org)
    reminders.set_schedule(rid, "3", "")
    day3 = reload_round(rid).launched_at.date() + timedelta(days=3)
    morning = datetime.combine(day3, datetime.min.time()) + timedelta(hours=8)
    reminders.send_reminders_now(rid, now=morning)
    (run,) = reminders.run_scheduled_reminders(today=day3, now=morning + timedelta(hours=1))
    assert run.skipped_recent and run.raters == 0
    assert len(outbox("reminder")) == 8  # the manual ones only
    assert reminders.run_scheduled_reminders(today=day3, now=morning + timedelta(hours=2)) == []


def test_a_slot_claimed_by_a_concurrent_run_is_skipped(org, monkeypatch):
    """The primary key of round_reminder refuses a second claim of the same slot."""
    rid = launched(org)
    reminders.set_schedule(rid, "3", "")
    day3 = reload_round(rid).launched_at.date() + timedelta(days=3)
    at = datetime.combine(day3, datetime.min.time()) + timedelta(hours=9)
    real_due = reminders.due_slots

    def due_and_a_rival_claims_it(*args):
        due = real_due(*args)
        with _db.engine.begin() as other:  # another run, committed just now
            other.execute(sa.insert(RoundReminder).values(round_id=rid, slot="after:3"))
        return due

    monkeypatch.setattr(reminders, "due_slots", due_and_a_rival_claims_it)
    if _db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite writers take turns at BEGIN IMMEDIATE: no rival can get in")
    assert reminders.run_scheduled_reminders(today=day3, now=at) == []
    assert outbox("reminder") == []


def test_send_reminders_command_is_safe_to_run_twice(org, runner):
    rid = launched(org)
    answer_some(rid, count=1)
    rnd = reload_round(rid)
    rnd.launched_at = rnd.launched_at - timedelta(days=4)  # so "3 days after launch" is due
    _db.session.commit()
    reminders.set_schedule(rid, "3", "")
    first = runner.invoke(args=["send-reminders", "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert "Spring: reminders (after:3) to 7 raters." in first.output
    second = runner.invoke(args=["send-reminders", "--lang", "en"])
    assert second.exit_code == 0 and "No reminders are due." in second.output
    assert len(outbox("reminder")) == 7


# --- HR's pages ---------------------------------------------------------------------------------


def test_schedule_form_saves_and_refuses_nonsense(hr_client, org):
    rid = launched(org)
    response = hr_client.post(
        f"/admin/rounds/{rid}/reminders/schedule",
        data={"after_launch": "7, 3", "before_close": "2"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Reminder schedule saved." in page and 'value="3, 7"' in page
    assert "3 days after launch" in page and "2 days before close" in page
    rnd = reload_round(rid)
    assert (rnd.reminder_days_after_launch, rnd.reminder_days_before_close) == ([3, 7], [2])
    bad = hr_client.post(
        f"/admin/rounds/{rid}/reminders/schedule",
        data={"after_launch": "soon", "before_close": ""},
        follow_redirects=True,
    )
    assert "whole numbers" in bad.get_data(as_text=True)
    assert reload_round(rid).reminder_days_after_launch == [3, 7]


def test_send_now_button_confirms_sends_counts_only_and_is_rate_limited(hr_client, org):
    rid = launched(org)
    answered, pending = answer_some(rid, count=3)
    round_page = hr_client.get(f"/admin/rounds/{rid}").get_data(as_text=True)
    assert "5 raters had not answered yet." in round_page and "Send reminders now…" in round_page
    confirm = hr_client.get(f"/admin/rounds/{rid}/remind").get_data(as_text=True)
    assert "Send reminders" in confirm and "never who" in confirm
    assert outbox("reminder") == []  # GET only confirms

    response = hr_client.post(f"/admin/rounds/{rid}/remind", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Reminders sent to 5 raters." in page
    for invitation in answered + pending:
        if invitation.group == "self":
            continue  # the managers rated are named on the page, as managers
        person = invitation.person
        assert invitation.email not in page and (person is None or person.name not in page)
    assert "you can send them again from" in page and "Send reminders now…" not in page

    again = hr_client.post(f"/admin/rounds/{rid}/remind", follow_redirects=True)
    assert "Reminders were sent less than an hour ago" in again.get_data(as_text=True)
    assert len(outbox("reminder")) == 5
    confirm = hr_client.get(f"/admin/rounds/{rid}/remind").get_data(as_text=True)
    assert "This cannot be done now" in confirm


def test_outbox_hides_reminder_recipients_and_subjects(hr_client, org):
    rid = launched(org)
    reminders.send_reminders_now(rid)
    page = hr_client.get("/admin/outbox").get_data(as_text=True)
    assert "Herinnering" not in page and "Reminder: your feedback" not in page
    for rep in org["anna_reps"]:
        assert page.count(rep.email) == 1  # their invitation, not their reminder
    reminder = outbox("reminder")[0]
    detail = hr_client.get(f"/admin/outbox/{reminder.id}").get_data(as_text=True)
    assert reminder.to not in detail and "/s/" not in detail


def test_remind_needs_csrf_and_hr(app, client, auth, hr_client, org):
    rid = launched(org)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert hr_client.post(f"/admin/rounds/{rid}/remind").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert outbox("reminder") == []
    hr_client.post("/auth/logout")
    assert client.post(f"/admin/rounds/{rid}/remind").status_code == 302  # to the login
    assert client.get("/admin/rounds/999/remind").status_code in (302, 404)
    assert outbox("reminder") == []
