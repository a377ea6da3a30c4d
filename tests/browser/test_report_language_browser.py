"""A manager switches their report between English and Dutch with the switch in the top
bar, in Chromium; the page and the report follow, and screenshots of both land in the
browser-shots folder (report-overview-en, report-overview-nl)."""

import pytest

from tests.browser.browser_helpers import shoot

pytestmark = pytest.mark.browser


def test_the_report_in_both_languages_with_the_switch(browse, report):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, report.email)
    page.goto(report.url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="The six legs", exact=True)).to_be_visible()
    expect(page.locator("article.report")).to_contain_text("How to read this report")
    shoot(page, "report-overview-en")

    page.get_by_role("button", name="Nederlands").click()
    expect(page).to_have_url(f"{browse.base_url}{report.url}")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("link", name="De zes poten", exact=True)).to_be_visible()
    expect(page.locator("article.report")).to_contain_text("Zo lees je dit rapport")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(page.get_by_role("button", name="Nederlands")).to_have_attribute("aria-current", "true")
    shoot(page, "report-overview-nl")

    page.reload()  # kept with the account
    expect(page.locator("html")).to_have_attribute("lang", "nl")
