"""A manager saves a development goal on the plan tab in Chromium: htmx posts the form
(CSRF on, the token from <body hx-headers> and the form), the goals part is swapped in
place, a bad date is explained without losing what was typed, and a reload keeps the goal."""

from datetime import timedelta

import pytest

from feedback.clock import today
from tests.browser.browser_helpers import mark_page, same_page, shoot

pytestmark = pytest.mark.browser


def test_a_goal_is_saved_in_place_and_kept(browse, report):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, report.email)
    page.goto(f"{report.url}?tab=plan")
    goals = page.locator("#plan-goals")
    expect(goals.get_by_role("button", name="Add goal")).to_be_visible()
    mark_page(page)

    page.locator("#goal-new-date").fill("2001-01-01")
    page.locator("#goal-new-text").fill("Ask one rep a week what gets in their way")
    goals.get_by_role("button", name="Add goal").click()
    expect(goals).to_contain_text("The target date must be after today.")
    expect(page.locator("#goal-new-text")).to_have_value(
        "Ask one rep a week what gets in their way"
    )

    page.locator("#goal-new-date").fill((today() + timedelta(days=60)).isoformat())
    goals.get_by_role("button", name="Add goal").click()
    expect(goals).to_contain_text("Goals saved.")
    expect(goals.get_by_role("button", name="Delete goal")).to_have_count(1)
    assert same_page(page)  # swapped in place, no page load
    shoot(page, "goals-plan")

    page.reload()
    expect(page.locator("#plan-goals textarea").first).to_have_value(
        "Ask one rep a week what gets in their way"
    )
