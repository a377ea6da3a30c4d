"""The rater's survey for everyone: axe-core finds no serious or critical violation on any
of its states, in Dutch and English, on a phone and on a desktop; and the whole survey can
be answered and sent with the keyboard alone, with focus always seen.

axe-core is vendored (tests/browser/vendor/axe-core, see its README) and injected by the
tests; the app never serves it. Injecting a script tag needs the page's CSP out of the way,
so the scanned pages run in a context with `bypass_csp`. A screenshot of every state goes
to the browser-shots folder (SHOTS) as survey-<state>-<lang>-<width>.png: look at them.
"""

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from feedback.extensions import db
from feedback.models import RaterGroup
from tests.browser.browser_helpers import DESKTOP, PHONE, SHOTS, set_language
from tests.factories import make_rated_manager, sealed_answers

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
WIDTHS = {"375": PHONE | {"height": 812}, "1280": DESKTOP}
TEXT = {
    "nl": SimpleNamespace(
        saved="Opgeslagen",
        next="Volgende →",
        review="Controleren en versturen",
        send="Nu versturen",
        thanks="Dank je wel!",
        decline=re.compile("niet beoordelen\\? Zeg dan af"),
        reason="We hebben te weinig samengewerkt",
        declined="Je hebt afgezegd",
    ),
    "en": SimpleNamespace(
        saved="Saved",
        next="Next →",
        review="Review and send",
        send="Send now",
        thanks="Thank you!",
        decline=re.compile("judge .*\\? Decline instead"),
        reason="We have not worked together enough",
        declined="You declined",
    ),
}


@pytest.fixture
def raters(live_app):
    """Two direct reports' live links and the round's statement fields, leg by leg."""
    with live_app.app_context():
        rnd, _participant, links = make_rated_manager(db)
        legs = [[f"s{s.id}" for s in leg.statements] for leg in rnd.framework.legs]
        result = [
            SimpleNamespace(url=f"/s/{token}", invitation_id=invitation.id, legs=legs)
            for invitation, token in links[RaterGroup.DIRECT_REPORT][:2]
        ]
        db.session.remove()
    return result


def envelopes(app) -> list:
    with app.app_context():
        sealed = sealed_answers(db)
        db.session.remove()
    return sealed


def new_page(browse, viewport, **options):
    phone = viewport["width"] < DESKTOP["width"]
    context = browse.browser.new_context(
        base_url=browse.base_url,
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        **options,
    )
    browse._contexts.append(context)
    return context.new_page()


def describe(violations: list) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def check(page, state: str, lang: str, width: str) -> None:
    """Screenshot the page as it is, then run axe on it: nothing serious or critical."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"survey-{state}-{lang}-{width}.png"), full_page=True)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async () => {
             const r = await axe.run(document);
             const where = (v) => v.nodes.map((n) => n.target.join(" ")).slice(0, 4);
             return {
               checked: r.passes.length,
               review: r.incomplete.map((v) => `${v.id}: ${where(v).join(", ")}`),
               violations: r.violations.map((v) => ({
                 id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                 nodes: v.nodes.map((n) => ({
                   target: n.target, html: n.html, failureSummary: n.failureSummary,
                 })),
               })),
             };
           }"""
    )
    faint = page.evaluate(EDGES)
    assert not faint, f"{state} ({lang}, {width}px): edges under 3:1: {faint[:5]}"
    assert results["checked"] > 10, "axe checked next to nothing: did it run?"
    review, results = results["review"], results["violations"]
    blocking = [v for v in results if v["impact"] in BLOCKING]
    assert not blocking, f"{state} ({lang}, {width}px):\n{describe(blocking)}"
    minor = [v for v in results if v["impact"] not in BLOCKING]
    if minor:  # shown with -rP or on failure elsewhere; not a failure by themselves
        print(f"{state} ({lang}, {width}px), minor:", json.dumps([v["id"] for v in minor]))
    if review:  # what axe could not decide by itself (text under the sticky bar, say)
        print(f"{state} ({lang}, {width}px), to check by eye:", json.dumps(review))


# Colour helpers for the checks axe does not make (WCAG 1.4.11, non-text contrast).
CONTRAST = r"""
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  // What `el` is drawn on: the first background around it that is not see-through.
  const behind = (el) => {
    for (let around = el.parentElement; around; around = around.parentElement) {
      const c = rgb(getComputedStyle(around).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100;
  };
"""

# The edges that show where to type or choose: fields, and a scale's option boxes.
EDGES = (
    "() => {"
    + CONTRAST
    + r"""
  return [...document.querySelectorAll("textarea, select, .opt .box")]
    .filter((el) => el.checkVisibility() && el.getBoundingClientRect().width > 1)
    .map((el) => ({html: el.outerHTML.slice(0, 80),
                   contrast: ratio(rgb(getComputedStyle(el).borderTopColor), behind(el))}))
    .filter((edge) => edge.contrast < 3);
}"""
)


def choose(page, field: str, value: str) -> None:
    item = page.locator(f"#state-{field}-item")
    item.locator("label.opt", has=page.locator(f"input[value='{value}']")).click()


# --- axe on every state -----------------------------------------------------------------------


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_serious_or_critical_violation_on_any_survey_state(
    browse, live_app, raters, lang, width
):
    from playwright.sync_api import expect

    text = TEXT[lang]
    rater, decliner = raters
    for r in raters:
        set_language(live_app, r.invitation_id, lang)
    viewport = WIDTHS[width]
    phone = viewport["width"] < 48 * 16
    page = new_page(browse, viewport, bypass_csp=True)
    page.goto(rater.url)
    for field, value in zip(rater.legs[0][:2], ("4", "dk"), strict=True):  # answered, saved
        choose(page, field, value)
        expect(page.locator(f"#state-{field}")).to_contain_text(text.saved)

    if phone:  # one step at a time, moved through with the step links
        steps = page.locator(".steps > .step")
        for number in range(1, steps.count() + 1):
            step = page.locator(f"#step-{number}")
            expect(step).to_be_visible()
            step.scroll_into_view_if_needed()
            check(page, f"step-{number}", lang, width)
            if number < steps.count():
                step.get_by_role("link", name=text.next).click()
    else:
        check(page, "long", lang, width)

    page.get_by_text(text.decline).click()
    expect(page.get_by_role("button", name=text.reason)).to_be_visible()
    check(page, "decline-open", lang, width)
    page.get_by_text(text.decline).click()  # closed again

    page.get_by_role("button", name=text.review).click()
    expect(page.locator("#review h2")).to_be_focused()
    check(page, "review", lang, width)

    page.goto(f"{rater.url}/review")  # the page without JavaScript goes to
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page, "review-page", lang, width)
    page.get_by_role("button", name=text.send).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text.thanks)
    check(page, "thanks", lang, width)
    page.goto(rater.url)
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Feedback"))
    check(page, "already", lang, width)

    page.goto(decliner.url)
    page.get_by_text(text.decline).click()
    page.get_by_role("button", name=text.reason).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text.declined)
    check(page, "declined", lang, width)
    assert len(envelopes(live_app)) == 1


def test_the_name_in_the_bar_is_no_link_on_a_raters_pages(browse, raters):
    page = new_page(browse, DESKTOP)
    page.goto(raters[0].url)
    brand = page.locator(".topbar .brand")
    assert brand.evaluate("el => el.tagName") == "SPAN"
    assert page.locator("a[href*='login'], a[href='/']").count() == 0


# --- the keyboard alone -----------------------------------------------------------------------

FOCUS = (
    "() => {"
    + CONTRAST
    + r"""
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "BODY"};
  // A scale's radio is see-through over its box: the box carries the focus ring.
  const ring = el.matches(".opt input") ? el.nextElementSibling : el;
  const s = getComputedStyle(ring);
  const r = ring.getBoundingClientRect();
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 10), 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  return {
    tag: el.tagName, name: el.name || "", value: el.value || "", id: el.id,
    text: (el.innerText || "").trim().slice(0, 40),
    focusVisible: el.matches(":focus-visible"),
    ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
    contrast: ratio(rgb(s.outlineColor), behind(ring)),
    inView: r.bottom > 0 && r.top < innerHeight,
    seen: !!top && (top === ring || ring.contains(top) || el.contains(top)
                    || top.closest("label") === el.closest("label")),
  };
}"""
)


class Keyboard:
    """Only page.keyboard. After every Tab, focus is on something, with a ring (an outline
    of 2px or more, at 3:1 or more against the background around it, WCAG 1.4.11), and
    that element is seen: in the viewport, not under the sticky progress bar."""

    def __init__(self, page):
        self.page = page
        self.presses = 0

    def focused(self) -> dict:
        return self.page.evaluate(FOCUS)

    def tab(self, back: bool = False) -> dict:
        self.page.keyboard.press("Shift+Tab" if back else "Tab")
        self.presses += 1
        now = self.focused()
        assert now["tag"] != "BODY", "focus fell off the page"
        assert now["focusVisible"] and now["ring"], f"focus without a visible ring: {now}"
        assert now["contrast"] >= 3, f"a focus ring under 3:1 against what is around: {now}"
        assert now["inView"] and now["seen"], f"the focused element is hidden from view: {now}"
        return now

    def tab_until(self, wanted, limit: int = 60, back: bool = False) -> dict:
        for _ in range(limit):
            now = self.tab(back)
            if wanted(now):
                return now
        raise AssertionError(f"never reached it in {limit} presses; last: {now}")

    def answer(self, field: str, steps: int) -> None:
        """Tab into the statement's scale (its first option), then arrow keys: each moves
        to, and chooses, the next option; none at all chooses the first with Space."""
        self.tab_until(lambda f: f["name"] == field)
        if steps:
            for _ in range(steps):
                self.page.keyboard.press("ArrowRight")
        else:
            self.page.keyboard.press("Space")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_whole_survey_with_the_keyboard_alone(browse, live_app, raters, width):
    from playwright.sync_api import expect

    rater = raters[0]
    set_language(live_app, rater.invitation_id, "en")
    viewport = WIDTHS[width]
    phone = viewport["width"] < 48 * 16
    page = new_page(browse, viewport)
    page.goto(rater.url)
    keys = Keyboard(page)
    first, second = rater.legs[0], rater.legs[1]

    keys.tab_until(lambda f: f["name"] == first[0])  # past the language switch and decline
    keys.tab(back=True)  # one back, then on again
    for i, field in enumerate(first):
        keys.answer(field, i % 5)  # 1, 2, 3, 4, 5 in turn
        expect(page.locator(f"#state-{field}")).to_contain_text("Saved")
    if phone:
        keys.tab_until(lambda f: f["text"] == "Next →")
        page.keyboard.press("Enter")
        expect(page.locator("#step-2")).to_be_visible()
        expect(page.locator("#step-1")).to_be_hidden()
    for field in second:
        keys.answer(field, 5)  # past 5: "don't know"
    expect(page.locator(f"#state-{second[-1]}")).to_contain_text("Saved")
    for back in (True,) * 6 + (False,) * 6:  # up the page and down again: never under the bar
        keys.tab(back=back)
        if back and keys.presses % 3 == 0:
            SHOTS.mkdir(exist_ok=True)  # the ring as it is seen, the bar above it
            page.screenshot(path=str(SHOTS / f"survey-keyboard-en-{width}.png"))
    if phone:  # the legs in between unanswered, the last step
        for step in range(2, 7):
            keys.tab_until(lambda f: f["text"] == "Next →")
            page.keyboard.press("Enter")
            expect(page.locator(f"#step-{step + 1}")).to_be_visible()

    keys.tab_until(lambda f: f["name"] == "q:start")
    page.keyboard.type("Plan the week together.")
    page.keyboard.press("Enter")  # a new line in the answer, nothing sent
    page.keyboard.type("And the month.")
    keys.tab_until(lambda f: f["name"] == "grade")
    page.keyboard.press("ArrowDown")  # a closed select: the next option, 1
    page.keyboard.press("ArrowDown")
    expect(page.locator("#grade")).to_have_value("2")
    expect(page.locator("#state-grade")).to_contain_text("Saved")
    expect(page.locator("#state-q-start")).to_contain_text("Saved")

    keys.tab_until(lambda f: f["id"] == "review-button")
    page.keyboard.press("Enter")
    expect(page.locator("#review-title")).to_be_focused()  # moved to, and read out
    expect(page.locator("#review")).to_contain_text("10 of 28 answered")
    keys.tab_until(lambda f: f["text"] == "Send now")
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")

    (sealed,) = envelopes(live_app)
    with live_app.app_context():
        from feedback.models import Statement

        order = {f"s{s.id}": s.id for s in db.session.scalars(db.select(Statement))}
        db.session.remove()
    assert sealed.scores == {order[f]: (i % 5) + 1 for i, f in enumerate(first)} | {
        order[f]: None for f in second
    }
    assert sealed.comments == {"start": "Plan the week together.\nAnd the month."}
    assert sealed.grade == 2
    assert keys.presses > 10
