"""A manager reads their published report in Chromium: the tabs swap through htmx and push
their URL; Back shows the previous tab again and a reload of a tab URL is the whole page."""

import re

import pytest

from tests.browser.browser_helpers import mark_page, same_page, shoot

pytestmark = pytest.mark.browser


def test_tabs_swap_in_place_with_their_own_url_back_and_reload(browse, report):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, report.email)
    page.goto(report.url)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Bert Manager")
    expect(page.locator("#tab-overview")).to_be_visible()
    mark_page(page)

    def open_tab(name: str, key: str) -> None:
        page.get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(re.compile(rf"{re.escape(report.url)}\?tab={key}$"))
        expect(page.locator(f"#tab-{key}")).to_be_visible()
        expect(page.locator(".tabs [aria-current=page]")).to_have_text(name)
        assert same_page(page)

    open_tab("The six legs", "legs")
    expect(page.locator("#tab-legs section.page")).to_have_count(6)
    shoot(page, "report-legs")
    open_tab("Comments", "comments")
    expect(page.locator("#tab-comments")).to_contain_text("Plan the week together (5)")
    shoot(page, "report-comments")
    open_tab("Development plan", "plan")
    expect(page.get_by_label("Goal")).to_be_visible()
    shoot(page, "report-plan")

    # Back: the previous tab's content, inside the whole page (header, nav, PDF link).
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?tab=comments$"))
    expect(page.locator("#tab-comments")).to_contain_text("Plan the week together (5)")
    expect(page.locator("#tab-plan")).to_have_count(0)
    expect(heading).to_have_text("Bert Manager")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator(".tabs [aria-current=page]")).to_have_text("Comments")
    page.go_back()
    expect(page.locator("#tab-legs")).to_be_visible()
    expect(heading).to_have_text("Bert Manager")

    # Reloading a tab URL renders the full page, on that tab.
    page.reload()
    assert not same_page(page)
    expect(heading).to_have_text("Bert Manager")
    expect(page.locator("link[href*='/css/report.']")).to_have_count(1)
    expect(page.locator("#tab-legs section.page")).to_have_count(6)
    expect(page.get_by_role("link", name="The six legs", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
