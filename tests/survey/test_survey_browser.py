"""A rater on a phone: Chromium at 375x812 against a real server and a file SQLite database."""

import re
import tempfile
from pathlib import Path

import pytest

from feedback import create_app
from feedback.config import TestConfig
from feedback.extensions import db as _db
from feedback.models import RaterGroup
from tests.browser.browser_helpers import CHROMIUM, CHROMIUM_ARGS, WAIT_MS
from tests.factories import make_rated_manager, sealed_answers

SCREENSHOT = Path(tempfile.gettempdir()) / "survey-phone.png"  # look at it after a run

pytestmark = pytest.mark.browser


def send(page) -> None:
    """Review, then "send now": sending is never one click."""
    page.get_by_role("button", name="Controleren en versturen").click()
    page.locator("#review").get_by_role("button", name="Nu versturen").click()


@pytest.fixture
def phone_app(tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'browser.db'}"
        WTF_CSRF_ENABLED = True  # the real thing: htmx sends the token from <body hx-headers>

    application = create_app(Config)
    with application.app_context():
        _db.create_all()
        rnd, _participant, links = make_rated_manager(_db)
        invitation, token = links[RaterGroup.DIRECT_REPORT][0]
        fields = [f"s{s.id}" for s in rnd.framework.statements[:3]]
        _db.session.remove()
    yield application, token, fields
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: no browser to drive")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_rater_answers_on_a_phone_comes_back_and_submits(phone_app, chromium, live_server):
    from playwright.sync_api import expect

    application, token, fields = phone_app
    url = live_server(application) + f"/s/{token}"
    page = chromium.new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback voor")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    choices = {fields[0]: "4", fields[1]: "2", fields[2]: "dk"}
    for field, value in choices.items():
        item = page.locator(f"fieldset:has(input[name='{field}'])")
        if value == "dk":
            item.locator("label.opt.dk", has_text="Weet ik niet").click()
        else:
            item.locator("label.opt", has=page.locator(f"input[value='{value}']")).click()
        expect(page.locator(f"#state-{field}")).to_contain_text("Opgeslagen")

    page.locator("#step-1").get_by_role("link", name="Volgende →").click()  # one step a time
    page.evaluate("location.hash = '#step-7'")  # the last step: open questions and grade
    comment = page.get_by_label("Waarmee zou mijn manager moeten beginnen?")
    comment.press_sequentially("Vaker samen op klantbezoek.")  # typing: keyup events
    expect(page.locator("#state-q-start")).to_contain_text("Opgeslagen")
    page.get_by_label(re.compile("Welk cijfer")).select_option("8")
    expect(page.locator("#state-grade")).to_contain_text("Opgeslagen")
    expect(page.locator("#progress")).to_contain_text(re.compile(r"^\s*5 van \d+ beantwoord"))

    page.evaluate("location.hash = '#step-1'")
    page.locator(f"fieldset:has(input[name='{fields[0]}'])").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))
    page.screenshot(path=str(SCREENSHOT.with_name("survey-phone-full.png")), full_page=True)

    page.reload()
    for field, value in choices.items():
        expect(page.locator(f"input[name='{field}'][value='{value}']")).to_be_checked()
    expect(comment).to_have_value("Vaker samen op klantbezoek.")
    expect(page.get_by_label(re.compile("Welk cijfer"))).to_have_value("8")

    send(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dank je wel!")
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Al verstuurd")


def test_one_tab_submits_at_once_and_an_outdated_tab_loses_nothing(
    phone_app, chromium, live_server
):
    from playwright.sync_api import expect

    application, token, fields = phone_app
    url = live_server(application) + f"/s/{token}"
    context = chromium.new_context()
    tab_b = context.new_page()  # opened first, then forgotten
    tab_b.set_default_timeout(WAIT_MS)
    tab_b.goto(url)
    tab_a = context.new_page()
    tab_a.set_default_timeout(WAIT_MS)
    tab_a.goto(url)

    fingerprint = tab_a.locator("#draft-fingerprint")
    expect(fingerprint).to_have_value("")
    comment_a = tab_a.get_by_label("Waarmee zou mijn manager moeten beginnen?")
    comment_a.press_sequentially("Geschreven in tab A")
    expect(tab_a.locator("#state-q-start")).to_contain_text("Opgeslagen")
    expect(fingerprint).not_to_have_value("")  # swapped in out of band by the autosave
    tab_a.get_by_label(re.compile("Welk cijfer")).select_option("8")
    expect(tab_a.locator("#state-grade")).to_contain_text("Opgeslagen")

    item = tab_b.locator(f"fieldset:has(input[name='{fields[0]}'])")
    item.locator("label.opt", has=tab_b.locator("input[value='4']")).click()
    expect(tab_b.locator(f"#state-{fields[0]}")).to_contain_text("Opgeslagen")
    # B reviews the draft both tabs saved to, with nothing of A's lost.
    tab_b.get_by_role("button", name="Controleren en versturen").click()
    review = tab_b.locator("#review")
    expect(review).to_contain_text("3 van 28 beantwoord")
    # A changes an answer after B opened its review: B's "send now" sends nothing, and
    # the review comes back, up to date, saying why.
    item_a = tab_a.locator(f"fieldset:has(input[name='{fields[1]}'])")
    item_a.locator("label.opt", has=tab_a.locator("input[value='2']")).click()
    expect(tab_a.locator(f"#state-{fields[1]}")).to_contain_text("Opgeslagen")
    review.get_by_role("button", name="Nu versturen").click()
    expect(tab_b.get_by_role("alert")).to_contain_text("in een ander venster of tabblad")
    expect(tab_b.locator(".review")).to_contain_text("4 van 28 beantwoord")
    with application.app_context():
        assert sealed_answers(_db) == []
        _db.session.remove()
    tab_b.get_by_role("button", name="Nu versturen").click()
    expect(tab_b.get_by_role("heading", level=1)).to_have_text("Dank je wel!")
    with application.app_context():
        (sealed,) = sealed_answers(_db)
        _db.session.remove()
    assert sealed.grade == 8 and list(sealed.comments.values()) == ["Geschreven in tab A"]
    assert len(sealed.scores) == 2
    context.close()


def test_one_tab_with_autosaves_submits_with_one_click(phone_app, chromium, live_server):
    from playwright.sync_api import expect

    application, token, fields = phone_app
    page = chromium.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(live_server(application) + f"/s/{token}")
    item = page.locator(f"fieldset:has(input[name='{fields[0]}'])")
    item.locator("label.opt", has=page.locator("input[value='2']")).click()
    expect(page.locator(f"#state-{fields[0]}")).to_contain_text("Opgeslagen")
    progress = page.locator("#progress")
    page.get_by_label("Waarmee zou mijn manager moeten beginnen?").press_sequentially(
        "Vaker\nsamen"
    )
    expect(progress).to_contain_text(re.compile(r"^\s*2 van"))
    stop = page.get_by_label("Waarmee zou mijn manager moeten stoppen?")
    stop.press_sequentially("Iets wat me verraadt")
    expect(progress).to_contain_text(re.compile(r"^\s*3 van"))
    stop.press("Control+a")
    stop.press("Backspace")  # changed their mind: the cleared comment must stay cleared
    expect(progress).to_contain_text(re.compile(r"^\s*2 van"))
    send(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dank je wel!")
    with application.app_context():
        (sealed,) = sealed_answers(_db)  # what closing the round will write
        _db.session.remove()
    texts = list(sealed.comments.values())
    assert [t.replace("\r\n", "\n") for t in texts] == ["Vaker\nsamen"]


BASE_HAS_SLOT = "block language_switch" in (
    Path(__file__).parents[2] / "feedback" / "templates" / "base.html"
).read_text(encoding="utf-8")
needs_slot = pytest.mark.skipif(
    not BASE_HAS_SLOT, reason="base.html has no language_switch slot yet"
)


@pytest.fixture
def raters_app(tmp_path):
    """A self-assessment link and a direct report's link, both Dutch to begin with."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'browser.db'}"
        WTF_CSRF_ENABLED = True

    application = create_app(Config)
    with application.app_context():
        _db.create_all()
        rnd, _participant, links = make_rated_manager(_db)
        tokens = {
            "self": links[RaterGroup.SELF][0][1],
            "direct": links[RaterGroup.DIRECT_REPORT][0][1],
        }
        field = f"s{rnd.framework.statements[0].id}"
        _db.session.remove()
    yield application, tokens, field
    with application.app_context():
        _db.engine.dispose()


@needs_slot
def test_switching_language_keeps_what_was_typed_and_screenshots_both(
    raters_app, chromium, live_server
):
    """The rater types a comment and picks a score, then switches to English and back:
    nothing is lost, nothing is submitted. Screenshots of the self-assessment and a direct
    report's survey in both languages land in the browser-shots folder."""
    from playwright.sync_api import expect

    from tests.browser.browser_helpers import SHOTS

    SHOTS.mkdir(exist_ok=True)
    application, tokens, field = raters_app
    base = live_server(application)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(WAIT_MS)
    for who, token in tokens.items():
        page.goto(f"{base}/s/{token}")
        page.screenshot(path=str(SHOTS / f"survey-{who}-nl.png"))
        item = page.locator(f"fieldset:has(input[name='{field}'])")
        item.locator("label.opt", has=page.locator("input[value='4']")).click()
        comment = page.locator("textarea[name='q:start']")
        comment.fill("Nog niet opgeslagen")  # no keyup: the autosave has not fired
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#flash")).to_contain_text("Your answers are saved")
        expect(page.locator("textarea[name='q:start']")).to_have_value("Nog niet opgeslagen")
        expect(page.locator(f"input[name='{field}'][value='4']")).to_be_checked()
        heading = {"self": "Your self-assessment", "direct": "Feedback for"}[who]
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
        page.screenshot(path=str(SHOTS / f"survey-{who}-en.png"))
        page.get_by_role("button", name="Nederlands").click()
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        expect(page.locator("textarea[name='q:start']")).to_have_value("Nog niet opgeslagen")
    with application.app_context():
        assert sealed_answers(_db) == []
        _db.session.remove()


@needs_slot
def test_enter_on_an_answer_neither_saves_switches_nor_submits(raters_app, chromium, live_server):
    from playwright.sync_api import expect

    application, tokens, field = raters_app
    page = chromium.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(live_server(application) + f"/s/{tokens['direct']}")
    radio = page.locator(f"input[name='{field}'][value='2']")
    radio.check()
    page.evaluate("window.__samePage = true")
    radio.press("Enter")
    page.wait_for_timeout(1000)
    assert page.evaluate("window.__samePage === true")  # no navigation
    expect(page.locator("#flash")).not_to_contain_text("opgeslagen")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    with application.app_context():
        assert sealed_answers(_db) == []
        _db.session.remove()
