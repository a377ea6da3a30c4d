"""HR opens a person from the list in Chromium, edits them, and is told what the change does."""

import pytest

from feedback.models import RoundStatus
from tests.browser.browser_helpers import shoot
from tests.factories import add_participant, make_invitation, make_person, make_round, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_app):
    with live_app.app_context():
        director = make_person(name="Dora Director", email="dora@example.com", role="director")
        manager = make_person(
            name="Mats Manager", email="mats@example.com", role="manager", manager=director
        )
        rep = make_person(name="Zoë de Vries", email="zoe@example.com", manager=manager)
        rnd = make_round(name="Spring round", status=RoundStatus.OPEN)
        make_invitation(participant=add_participant(rnd=rnd, manager=manager), person=rep)
        make_user(role="hr", email="hr@example.com")


@pytest.mark.usefixtures("people")
def test_hr_edits_a_person_and_is_asked_to_resend_the_link(browse):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, "hr@example.com")
    page.goto("/people/")
    page.get_by_role("link", name="Zoë de Vries").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zoë de Vries")
    expect(page.get_by_label("Role")).to_have_value("rep")
    shoot(page, "people-person")

    page.get_by_label("Manager's e-mail address").fill("zoe@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#manager_email-error")).to_have_text(
        "A person cannot be their own manager."
    )
    shoot(page, "people-person-error")

    page.get_by_label("Manager's e-mail address").fill("mats@example.com")
    page.get_by_label("E-mail address", exact=True).fill("zoe.devries@example.com")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Saved. The changes apply to rounds set up from now on.")
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name="Send the survey link to the new address?")
    ).to_be_visible()
    shoot(page, "people-person-resend")
    page.get_by_role("button", name="Send the link to zoe.devries@example.com").click()
    expect(
        page.get_by_text("The survey link was sent to the new address (1 mail).")
    ).to_be_visible()
