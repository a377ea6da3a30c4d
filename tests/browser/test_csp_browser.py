"""The strict Content-Security-Policy in Chromium: the rater's survey (also after an
autosave), HR's page of an open round with its dashboard, and every tab of a manager's
report run without a single violation. No inline style, no inline script, nothing from
elsewhere: the browser reports each refusal as a `securitypolicyviolation` event and a
console error, and both are recorded from before the page's first byte is parsed."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from feedback import clock
from feedback.models import RaterGroup
from feedback.survey import services as survey
from tests.browser.browser_helpers import shoot
from tests.factories import (
    make_rated_manager,
    make_user,
)

pytestmark = pytest.mark.browser

# Runs in every document before its own scripts: each violation goes to Python at once (a
# page load would wipe anything kept in the window).
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    line: event.lineNumber,
    page: document.location.pathname + document.location.search,
  });
}, true);
"""


def watch(browse):
    """A new page whose CSP violations and CSP console errors are collected in a list."""
    page = browse.page()
    found = []

    def on_violation(violation):
        found.append(violation)

    page.context.expose_function("__cspViolation", on_violation)
    page.context.add_init_script(RECORD_VIOLATIONS)

    def on_console(message):
        if message.type in ("error", "warning") and "Content Security Policy" in message.text:
            found.append({"console": message.text, "page": page.url})

    page.on("console", on_console)
    return page, found


def settle(page) -> None:
    """Let the browser deliver the violation events of what it just did."""
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 100)))")


@pytest.fixture
def open_round(live_app, monkeypatch):
    """An open round rating one manager; one direct report has answered an hour ago, so
    HR's dashboard shows a count and a bar. Another direct report's link is live."""
    with live_app.app_context():
        rnd, _participant, links = make_rated_manager(reports=5)
        make_user(role="hr", email="hr@example.test")
        first = links[RaterGroup.DIRECT_REPORT][0][1]
        statement = rnd.framework.statements[0]
        outcome = survey.submit(survey.find_invitation(first).link, {f"s{statement.id}": "4"})
        assert outcome == survey.Outcome.SUBMITTED
        token = links[RaterGroup.DIRECT_REPORT][1][1]
        round_id = rnd.id
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(hours=1, minutes=1))
    return SimpleNamespace(round_id=round_id, survey_url=f"/s/{token}")


def test_the_survey_runs_without_a_csp_violation_also_after_an_autosave(browse, open_round):
    from playwright.sync_api import expect

    page, violations = watch(browse)
    page.goto(open_round.survey_url)
    expect(page.locator("form.survey-form")).to_be_visible()
    settle(page)

    first = page.locator("fieldset.item").first
    first.locator(".opt", has_text="4").first.click()
    expect(first.locator(".save-state")).to_contain_text("✓")
    expect(page.locator("#progress progress")).to_have_attribute("value", "1")
    page.locator("textarea").first.fill("We plan the week together.")
    page.locator("textarea").first.blur()
    expect(page.locator(".open-questions .save-state").first).to_contain_text("✓")
    settle(page)
    shoot(page, "csp-survey")

    # A rater's page runs survey.js alone (the saved marks above came from its autosave).
    assert page.evaluate("typeof htmx") == "undefined"
    assert violations == [], "\n".join(map(str, violations))


def test_hr_round_page_with_its_dashboard_has_no_csp_violation(browse, open_round):
    from playwright.sync_api import expect

    page, violations = watch(browse)
    browse.login(page, "hr@example.test")
    page.goto(f"/admin/rounds/{open_round.round_id}")
    total = page.locator("#dashboard .total")
    expect(total).to_contain_text("answered (1 of 7)")
    expect(page.locator("#dashboard .rate-bar")).to_have_count(1)
    settle(page)
    # The dashboard's own refresh, as its poll does it: the swapped-in part is checked too.
    url = f"/admin/rounds/{open_round.round_id}/dashboard"
    page.evaluate("url => htmx.ajax('GET', url, {target: '#dashboard', swap: 'outerHTML'})", url)
    expect(page.locator("#dashboard .rate-bar")).to_have_count(1)
    settle(page)
    shoot(page, "csp-round")

    assert violations == [], "\n".join(map(str, violations))


def test_every_report_tab_has_no_csp_violation(browse, report):
    from playwright.sync_api import expect

    page, violations = watch(browse)
    browse.login(page, report.email)
    page.goto(report.url)
    expect(page.locator("#tab-overview")).to_be_visible()
    settle(page)
    shoot(page, "csp-report-overview")
    for name, key in (
        ("The six legs", "legs"),
        ("Comments", "comments"),
        ("Development plan", "plan"),
    ):
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.locator(f"#tab-{key}")).to_be_visible()
        settle(page)
        shoot(page, f"csp-report-{key}")
    page.goto(f"{report.url}?tab=legs")  # a tab as a whole page, not swapped in
    expect(page.locator("#tab-legs section.page")).to_have_count(6)
    settle(page)

    assert violations == [], "\n".join(map(str, violations))
