"""HR's round page in Chromium: raters added and removed through htmx, inline errors, launch,
and the response dashboard, whose counts move at most once an hour."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from feedback import clock
from feedback.admin.creation import create_round
from feedback.admin.rounds import RoundSettings
from feedback.clock import today
from feedback.extensions import db as _db
from feedback.models import Invitation, Participant, RaterGroup
from feedback.survey import services as survey
from feedback.survey.drafts import mint_link
from tests.browser.browser_helpers import mark_page, same_page, shoot
from tests.factories import make_person, make_team, make_user

pytestmark = pytest.mark.browser

REFRESH = "url => htmx.ajax('GET', url, {target: '#dashboard', swap: 'outerHTML'})"


@pytest.fixture
def draft(live_app):
    """A draft round rating Anna (3 reps, a director); Piet is in the organisation, not in it."""
    with live_app.app_context():
        director = make_person(name="Dora Director", email="dora@example.test")
        anna, _reps, _ = make_team(size=3, director=director)
        anna.name = "Anna Manager"
        make_person(name="Piet Peer", email="piet@example.test", language="en")
        make_user(role="hr", email="hr@example.test")
        settings = RoundSettings(
            name="Spring", opens_on=today(), closes_on=today() + timedelta(days=14), threshold=3
        )
        rnd = create_round(settings, [anna.id])
        participant_id = _db.session.scalar(
            sa.select(Participant.id).where(Participant.round_id == rnd.id)
        )
        return SimpleNamespace(round_id=rnd.id, participant_id=participant_id)


def submit_in_background(app, round_id: int) -> None:
    """A direct report submits, as from their own phone: not through HR's page."""
    with app.app_context():
        invitation = _db.session.scalar(
            sa.select(Invitation)
            .where(
                Invitation.round_id == round_id,
                Invitation.group == RaterGroup.DIRECT_REPORT,
            )
            .order_by(Invitation.id)
            .limit(1)
        )
        statement = invitation.participant.round.framework.statements[0]
        token = mint_link(invitation)  # the rater's link, as a reminder would bring it
        _db.session.commit()
        link = survey.find_invitation(token).link
        outcome = survey.submit(link, {f"s{statement.id}": "4"})
        assert outcome == survey.Outcome.SUBMITTED


def test_raters_change_in_place_and_the_dashboard_counts_move_once_an_hour(
    live_app, browse, draft, monkeypatch
):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, "hr@example.test")
    page.goto(f"/admin/rounds/{draft.round_id}")
    mark_page(page)
    card = page.locator(f"#p-{draft.participant_id}")
    who = card.get_by_label("Add a rater: e-mail or name")
    peers = card.locator(".rater-group", has=page.get_by_role("heading", name=re.compile("^Peers")))

    # Add a peer: the card is swapped, the page stays (CSRF token sent from hx-headers).
    who.fill("Piet Peer")
    card.get_by_label("Group").select_option(label="Peer")
    card.get_by_role("button", name="Add rater").click()
    expect(card.get_by_role("status")).to_have_text("Added Piet Peer.")
    expect(peers.get_by_role("heading")).to_have_text("Peers (1)")
    expect(peers).to_contain_text("piet@example.test")
    expect(who).to_have_value("")
    assert same_page(page)

    # An empty field is stopped by the browser (the input is required); the server's
    # errors show inline, in the card, with what was typed kept.
    card.get_by_role("button", name="Add rater").click()
    assert who.evaluate("input => input.validity.valueMissing")
    who.fill("Nobody Here")
    card.get_by_role("button", name="Add rater").click()
    expect(card.get_by_role("alert")).to_have_text(
        "Nobody in the organisation matches 'Nobody Here'."
    )
    expect(who).to_have_value("Nobody Here")
    who.fill("Piet Peer")
    card.get_by_role("button", name="Add rater").click()
    expect(card.get_by_role("alert")).to_contain_text("Piet Peer already rates Anna Manager")
    assert same_page(page)
    shoot(page, "round-draft-error")

    # Remove him again.
    card.get_by_role("button", name="Remove Piet Peer").click()
    expect(card.get_by_role("status")).to_have_text("Rater removed.")
    expect(peers.get_by_role("heading")).to_have_text("Peers (0)")
    expect(page.locator("#readiness")).to_contain_text("Ready to launch")
    assert same_page(page)

    # Launch (plain form posts with the form's own CSRF token).
    page.get_by_role("link", name="Launch…").click()
    page.get_by_role("button", name="Launch and send invitations").click()
    expect(page.locator("h1 .badge")).to_have_text("open")
    total = page.locator("#dashboard .total")
    expect(total).to_contain_text("0% answered (0 of 5)")
    shoot(page, "round-open")

    # A rater answers elsewhere; a refresh of the dashboard (as its poll does) in the same
    # hour shows the same counts, so the submit cannot be timed; an hour later it shows it.
    mark_page(page)
    submit_in_background(live_app, draft.round_id)
    url = f"/admin/rounds/{draft.round_id}/dashboard"
    page.evaluate(REFRESH, url)
    expect(page.locator("#dashboard")).to_contain_text("updated at most once an hour")
    expect(total).to_contain_text("0% answered (0 of 5)")
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(hours=1, minutes=1))
    page.evaluate(REFRESH, url)
    expect(total).to_contain_text("20% answered (1 of 5)")
    assert same_page(page)
