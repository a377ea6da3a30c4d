"""HR searches the people list in Chromium: the rows follow the typing, the page stays."""

import re

import pytest

from tests.browser.browser_helpers import mark_page, same_page, shoot
from tests.factories import make_person, make_team, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_app):
    with live_app.app_context():
        director = make_person(name="Dora Director", email="dora@example.test", team="Noord")
        manager, reps, _ = make_team(size=4, director=director)
        manager.name, manager.team = "Mats Manager", "Noord"
        for rep, name in zip(
            reps, ("Zoë de Vries", "Zeno Bakker", "Anouk Jansen", "Bram Smit"), strict=True
        ):
            rep.name, rep.team = name, "Noord"
        make_user(role="hr", email="hr@example.test")  # an account, not a person


@pytest.mark.usefixtures("people")
def test_typing_in_the_search_box_filters_the_rows_in_place(browse):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, "hr@example.test")
    page.goto("/people/")
    rows = page.locator("#people-rows tbody tr")
    count = page.locator("#people-rows > p").first
    expect(count).to_have_text("6 people")
    expect(rows).to_have_count(6)
    mark_page(page)

    search = page.get_by_label("Search name or e-mail")
    search.press_sequentially("z")  # keystrokes: the input event, as a person types
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(re.compile("Zeno Bakker|Zoë de Vries"))
    search.press_sequentially("oë")
    expect(count).to_have_text("1 person")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zoë de Vries")
    expect(page).to_have_url(re.compile(r"/people/\?q=zo%C3%AB&"))
    assert same_page(page)
    shoot(page, "people-search")

    search.fill("nobody-like-this")
    expect(count).to_have_text("0 people")
    expect(rows).to_have_count(0)
    search.fill("")
    expect(rows).to_have_count(6)
    assert same_page(page)
