"""CSRF under htmx in Chromium: a page whose token no longer matches the session is reloaded
(HX-Refresh) instead of failing silently, changes nothing, and works again after the reload."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from feedback.admin.creation import create_round
from feedback.admin.rounds import RoundSettings
from feedback.clock import today
from feedback.extensions import db as _db
from feedback.models import Invitation, Participant
from tests.browser.browser_helpers import mark_page, same_page, shoot
from tests.factories import make_person, make_team, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def draft(live_app):
    with live_app.app_context():
        anna, _reps, _ = make_team(size=3)
        make_person(name="Piet Peer", email="piet@example.test")
        make_user(role="hr", email="hr@example.test")
        settings = RoundSettings(
            name="Spring", opens_on=today(), closes_on=today() + timedelta(days=14), threshold=3
        )
        rnd = create_round(settings, [anna.id])
        participant_id = _db.session.scalar(
            sa.select(Participant.id).where(Participant.round_id == rnd.id)
        )
        return SimpleNamespace(
            url=f"/admin/rounds/{rnd.id}", card=f"#p-{participant_id}", round_id=rnd.id
        )


def piet_invited(app, round_id: int) -> bool:
    with app.app_context():
        return bool(
            _db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Invitation)
                .where(Invitation.round_id == round_id, Invitation.email == "piet@example.test")
            )
        )


def add_piet(page, card_selector: str) -> None:
    card = page.locator(card_selector)
    card.get_by_label("Add a rater: e-mail or name").fill("Piet Peer")
    card.get_by_role("button", name="Add rater").click()


def test_a_stale_token_reloads_the_page_and_changes_nothing(live_app, browse, draft):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, "hr@example.test")
    page.goto(draft.url)
    mark_page(page)

    # The same HR user logs in again elsewhere; this tab gets that new session's cookie, so
    # the token in its <body hx-headers> belongs to a session that is gone.
    other = browse.page()
    browse.login(other, "hr@example.test")
    fresh = [c for c in other.context.cookies() if c["name"] == "session"]
    assert fresh
    page.context.add_cookies(fresh)

    with page.expect_event("load"):  # HX-Refresh: a real reload, not a silent 400
        add_piet(page, draft.card)
    assert not same_page(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spring")
    expect(page.locator(draft.card)).not_to_contain_text("Piet Peer")
    assert not piet_invited(live_app, draft.round_id)
    shoot(page, "csrf-reloaded")

    # The reloaded page carries the current token: the same action now works, in place.
    mark_page(page)
    add_piet(page, draft.card)
    expect(page.locator(draft.card).get_by_role("status")).to_have_text("Added Piet Peer.")
    assert same_page(page)
    assert piet_invited(live_app, draft.round_id)


def test_without_a_session_the_reload_lands_on_the_login_page(live_app, browse, draft):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, "hr@example.test")
    page.goto(draft.url)
    mark_page(page)
    page.context.clear_cookies()

    with page.expect_event("load"):
        add_piet(page, draft.card)
    assert not same_page(page)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert not piet_invited(live_app, draft.round_id)
