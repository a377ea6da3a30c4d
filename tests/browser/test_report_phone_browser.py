"""The manager's report on a 375 px phone, in Chromium, in English and Dutch: no tab makes
the page scroll sideways, the tab bar is one row, chart text is at least 11 px as drawn,
and each statement of a leg is a card with its figures stacked under it.

Screenshots land in the browser-shots folder as report-<tab>-<lang>-375.png."""

import pytest

from feedback.extensions import db
from feedback.models import Participant, RaterGroup
from tests.browser.browser_helpers import PHONE, SHOTS
from tests.factories import add_response, statement_ids

pytestmark = pytest.mark.browser

TABS = ("overview", "legs", "comments", "plan")
MIN_CHART_TEXT_PX = 11

# Every <text> of every chart: its font size in CSS px as drawn (computed size in the
# chart's own units times the chart's scale on screen).
CHART_TEXT_SIZES = """() => [...document.querySelectorAll('svg.chart text')].map(t => {
  const m = t.getScreenCTM();
  const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  return {text: t.textContent, size: Math.round(size * 100) / 100};
})"""

# The bounding boxes of the first statement card: its statement and its figure lines.
FIRST_CARD = """() => {
  const row = document.querySelector('.leg-table tbody tr');
  const box = el => el.getBoundingClientRect();
  return {
    statement: box(row.querySelector('td.statement')),
    figures: [...row.querySelectorAll('td:not(.order):not(.statement)')].map(td => {
      const b = box(td);
      const label = getComputedStyle(td, '::before').content;
      return {top: b.top, left: b.left, right: b.right, label};
    }),
    row: box(row),
  };
}"""


@pytest.fixture
def report_with_peers(live_app, report):
    """Bert's report plus three peers, two of whom don't know about the first statement:
    its peer cell says "< 3" with the screen-reader text "(fewer than 3)", the text that
    once widened the page."""
    with live_app.app_context():
        participant = db.session.get(Participant, int(report.url.rsplit("/", 1)[1]))
        ids = statement_ids(participant.round)
        for dont_know in (True, True, False):
            scores = dict.fromkeys(ids, 3) | ({ids[0]: None} if dont_know else {})
            add_response(participant=participant, group=RaterGroup.PEER, scores=scores, grade=7)
    return report


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_report_fits_a_375_px_phone_on_every_tab(browse, report_with_peers, lang):
    report = report_with_peers
    from playwright.sync_api import expect

    page = browse.page(viewport=PHONE)
    browse.login(page, report.email)
    page.goto(report.url)
    if lang == "nl":
        page.get_by_role("button", name="Nederlands").click()  # the report follows
        expect(page.locator("html")).to_have_attribute("lang", "nl")
    overview = {"en": "Overview", "nl": "Overzicht"}[lang]
    expect(page.locator(".tabs a").first).to_have_text(overview)
    SHOTS.mkdir(exist_ok=True)

    for tab in TABS:
        page.goto(f"{report.url}?tab={tab}")
        expect(page.locator(f"#tab-{tab}")).to_be_visible()
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(SHOTS / f"report-{tab}-{lang}-375.png"), full_page=True)

        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{tab} ({lang}) scrolls sideways: {width}px wide"

        # Text for screen readers only stays inside the page.
        hidden = page.locator(".tab-panel .sr-only").evaluate_all(
            "spans => spans.map(s => s.getBoundingClientRect().right)"
        )
        assert all(right <= PHONE["width"] for right in hidden), hidden

        # Nor does any table inside its own box.
        boxes = page.locator(".tab-panel .table-wrap").evaluate_all(
            "boxes => boxes.map(b => b.scrollWidth - b.clientWidth).filter(d => d > 0)"
        )
        assert not boxes, f"a table on {tab} ({lang}) scrolls sideways inside its box: {boxes}"

        # The tab bar is one row: every tab on the same line.
        tops = page.locator(".tabs li").evaluate_all(
            "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
        )
        assert len(tops) == 4 and len(set(tops)) == 1, f"tabs wrap ({lang}): {tops}"
        bar = page.locator(".tabs").bounding_box()
        link = page.locator(".tabs a").first.bounding_box()
        assert bar["height"] < 2 * link["height"], f"tab bar is {bar['height']}px high"

        small = [t for t in page.evaluate(CHART_TEXT_SIZES) if t["size"] < MIN_CHART_TEXT_PX]
        assert not small, f"chart text under {MIN_CHART_TEXT_PX}px on {tab} ({lang}): {small}"

    # The legs tab: each statement is a card, the figures stacked under the statement.
    page.goto(f"{report.url}?tab=legs")
    card = page.evaluate(FIRST_CARD)
    statement = card["statement"]
    assert statement["right"] <= PHONE["width"]
    figures = card["figures"]
    assert len(figures) >= 3
    assert all(f["top"] >= statement["bottom"] - 1 for f in figures), figures
    assert [f["top"] for f in figures] == sorted(f["top"] for f in figures)
    assert len({round(f["top"]) for f in figures}) == len(figures), "figures share a line"
    assert all(f["right"] <= card["row"]["right"] + 1 for f in figures)
    labels = [f["label"] for f in figures]
    assert all(label not in ("none", "normal", '""') for label in labels), labels

    suppressed = page.locator(".phone-cards td.suppressed .sr-only").first
    expect(suppressed).to_be_attached()

    # The figures keep their column headers for assistive technology.
    header = page.locator(".leg-table thead th.num").first
    expect(header).to_be_attached()
    cell = page.locator(".leg-table tbody tr").first.get_by_role("cell").nth(2)
    expect(cell).to_be_attached()


def test_words_in_place_of_a_count_wrap_on_a_phone(browse, report, live_app):
    """One peer only: the cover's count says in words that the peer is left out, and
    that sentence wraps in its cell instead of widening the page."""
    from playwright.sync_api import expect

    with live_app.app_context():
        participant = db.session.get(Participant, int(report.url.rsplit("/", 1)[1]))
        scores = dict.fromkeys(statement_ids(participant.round), 3)
        add_response(participant=participant, group=RaterGroup.PEER, scores=scores)
    page = browse.page(viewport=PHONE)
    browse.login(page, report.email)
    page.goto(report.url)
    expect(page.locator(".counts")).to_contain_text("too few to show separately")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the overview scrolls sideways: {width}px wide"
