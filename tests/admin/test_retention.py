"""Retention: purging a finished round's invitations, links and drafts; reports stay."""

import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from feedback.admin import reminders, retention
from feedback.admin.creation import create_round
from feedback.admin.launch import launch_round
from feedback.admin.retention import RetentionError, purge_date, purge_due
from feedback.admin.transitions import close_round
from feedback.extensions import db as _db
from feedback.models import (
    Answer,
    Comment,
    Invitation,
    InvitationToken,
    OutboxMessage,
    Participant,
    Response,
    Round,
)
from feedback.survey.drafts import open_link, write_draft
from tests import factories
from tests.admin.admin_helpers import count, reload_round, settings

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]+)")


def test_purge_date_and_due_are_counted_from_closing():
    rnd = Round(
        status="closed",
        closes_on=date(2027, 3, 21),
        closed_at=datetime(2027, 3, 22, 17, 0),
        retention_days=None,
    )
    assert purge_date(rnd, 90) == date(2027, 6, 20)
    assert not purge_due(rnd, date(2027, 6, 19), 90)
    assert purge_due(rnd, date(2027, 6, 20), 90)
    rnd.retention_days = 30
    assert purge_date(rnd, 90) == date(2027, 4, 21)
    rnd.invitations_purged_at = datetime(2027, 4, 22)
    assert not purge_due(rnd, date(2027, 12, 1), 90)  # once only
    assert purge_date(Round(status="open", closes_on=date(2027, 3, 21)), 90) is None


def closed_round_with_everything(org, name="Spring"):
    """A closed round with invitations, links, a draft, reminders, responses, comments."""
    rnd = create_round(settings(name=name), [org["anna"].id, org["bob"].id])
    rid = rnd.id
    launch_round(rid)
    reminders.send_reminders_now(rid)
    invitation = _db.session.scalar(
        sa.select(Invitation).where(Invitation.round_id == rid).order_by(Invitation.id)
    )
    link = open_link(invitation.id, "", None, invitation.draft_key_sealed)
    write_draft(link, {"grade": "7"})
    participant = _db.session.scalar(sa.select(Participant).where(Participant.round_id == rid))
    statement = reload_round(rid).framework.legs[0].statements[0].id
    factories.add_response(
        _db, participant, group="direct_report", scores={statement: 4}, comments={"start": "Hi"}
    )
    _db.session.commit()
    close_round(rid)
    return rid


def test_purge_removes_invitations_links_drafts_and_keeps_the_reports(org, client):
    rid = closed_round_with_everything(org)
    other = closed_round_with_everything(org, name="Autumn")
    kept = (count(Response), count(Answer), count(Comment), count(Participant))

    result = retention.purge_round(rid)

    # Closing already erased the links and drafts: the purge deletes the invitations.
    assert (result.invitations, result.drafts, result.tokens) == (8, 0, 0)
    assert (count(Response), count(Answer), count(Comment), count(Participant)) == kept
    assert _db.session.scalar(sa.select(sa.func.count()).where(Invitation.round_id == rid)) == 0
    assert _db.session.scalar(sa.select(sa.func.count()).where(Invitation.round_id == other)) == 8
    assert count(InvitationToken) == 0  # closing erased every link of both rounds
    assert reload_round(rid).invitations_purged_at is not None
    # Stored mail of the round: links removed, reminders (who had not answered) gone.
    of_round = list(
        _db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.round_id == rid))
    )
    assert of_round and all(m.kind != "reminder" for m in of_round)
    working_link = re.compile(r"/(s|auth/password)/[A-Za-z0-9_\-]{20,}")
    for message in of_round:
        assert not working_link.search(message.body_text)
    other_mail = _db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.round_id == other)
    )
    assert all(m.kind != "reminder" for m in other_mail)

    assert retention.purge_round(rid) is None  # again: nothing to do, nothing changes


def test_purge_refused_for_an_open_round_and_before_the_period_by_schedule(org):
    rnd = create_round(settings(), [org["anna"].id])
    launch_round(rnd.id)
    with pytest.raises(RetentionError, match="closed or published"):
        retention.purge_round(rnd.id)
    close_round(rnd.id)
    with pytest.raises(RetentionError, match="not over yet"):
        retention.purge_round(rnd.id, only_if_due=True)
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 5


def test_purge_command_dry_run_then_purges_only_due_rounds_once(org, runner):
    due = closed_round_with_everything(org)
    later = closed_round_with_everything(org, name="Autumn")
    rnd = reload_round(due)
    rnd.closed_at = rnd.closed_at - timedelta(days=91)
    _db.session.commit()

    dry = runner.invoke(args=["purge-invitations", "--dry-run", "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert "Spring: would purge 8 invitations, 0 links, 0 draft answers" in dry.output
    assert "Autumn" not in dry.output
    assert reload_round(due).invitations_purged_at is None and count(Invitation) == 16

    real = runner.invoke(args=["purge-invitations", "--lang", "en"])
    assert real.exit_code == 0 and "Spring: purged 8 invitations" in real.output
    assert count(Invitation) == 8 and reload_round(later).invitations_purged_at is None
    again = runner.invoke(args=["purge-invitations", "--lang", "en"])
    assert again.exit_code == 0 and "No round is due for purging." in again.output


def test_a_rounds_own_retention_period(org, runner):
    rid = closed_round_with_everything(org)
    rnd = reload_round(rid)
    rnd.closed_at = rnd.closed_at - timedelta(days=10)
    _db.session.commit()
    assert "No round is due" in runner.invoke(args=["purge-invitations", "--lang", "en"]).output
    retention.set_retention(rid, "7")
    assert "Spring: purged" in runner.invoke(args=["purge-invitations", "--lang", "en"]).output
    with pytest.raises(RetentionError):
        retention.set_retention(rid, "30")  # purged: nothing left to keep


@pytest.mark.parametrize("days", ["0", "-3", "abc", "99999"])
def test_bad_retention_period_is_refused(org, days):
    rid = closed_round_with_everything(org)
    with pytest.raises(RetentionError):
        retention.set_retention(rid, days)
    assert reload_round(rid).retention_days is None


def test_purge_button_confirms_then_purges_and_the_dashboard_says_so(hr_client, org):
    rid = closed_round_with_everything(org)
    page = hr_client.get(f"/admin/rounds/{rid}").get_data(as_text=True)
    assert "Purge invitations now…" in page and "90 days after the round closed" in page
    confirm = hr_client.get(f"/admin/rounds/{rid}/purge").get_data(as_text=True)
    assert "Purge (final)" in confirm and count(Invitation) == 8
    response = hr_client.post(f"/admin/rounds/{rid}/purge", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Purged 8 invitations, 0 personal links and 0 unfinished answers." in page
    assert "Invitations purged" in page and "Purge invitations now…" not in page
    assert count(Invitation) == 0
    rounds = hr_client.get("/admin/").get_data(as_text=True)
    assert "invitations purged" in rounds
    again = hr_client.get(f"/admin/rounds/{rid}/purge").get_data(as_text=True)
    assert "purged already" in again


def test_retention_form(hr_client, org):
    rid = closed_round_with_everything(org)
    response = hr_client.post(
        f"/admin/rounds/{rid}/retention", data={"days": "30"}, follow_redirects=True
    )
    assert "Retention period set to 30 days." in response.get_data(as_text=True)
    assert reload_round(rid).retention_days == 30
    bad = hr_client.post(
        f"/admin/rounds/{rid}/retention", data={"days": "x"}, follow_redirects=True
    )
    assert "days from 1 to" in bad.get_data(as_text=True)
    assert reload_round(rid).retention_days == 30
    hr_client.post(f"/admin/rounds/{rid}/retention", data={"days": ""})
    assert reload_round(rid).retention_days is None


def test_purge_is_refused_for_an_open_round_over_http(hr_client, org):
    rnd = create_round(settings(), [org["anna"].id])
    launch_round(rnd.id)
    confirm = hr_client.get(f"/admin/rounds/{rnd.id}/purge").get_data(as_text=True)
    assert "Only a closed or published round can be purged." in confirm
    response = hr_client.post(f"/admin/rounds/{rnd.id}/purge", follow_redirects=True)
    assert "Only a closed or published round" in response.get_data(as_text=True)
    assert count(Invitation) == 5
