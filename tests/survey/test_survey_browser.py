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

    comment = page.get_by_label("Waarmee zou deze manager moeten beginnen?")
    comment.press_sequentially("Vaker samen op klantbezoek.")  # typing: keyup events
    expect(page.locator("#state-q-start")).to_contain_text("Opgeslagen")
    page.get_by_label(re.compile("Welk cijfer")).select_option("8")
    expect(page.locator("#state-grade")).to_contain_text("Opgeslagen")
    expect(page.locator("#progress")).to_contain_text(re.compile(r"^\s*5 van \d+ beantwoord"))

    page.locator(f"fieldset:has(input[name='{fields[0]}'])").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))
    page.screenshot(path=str(SCREENSHOT.with_name("survey-phone-full.png")), full_page=True)

    page.reload()
    for field, value in choices.items():
        expect(page.locator(f"input[name='{field}'][value='{value}']")).to_be_checked()
    expect(comment).to_have_value("Vaker samen op klantbezoek.")
    expect(page.get_by_label(re.compile("Welk cijfer"))).to_have_value("8")

    page.get_by_role("button", name="Mijn antwoorden versturen").click()
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
    comment_a = tab_a.get_by_label("Waarmee zou deze manager moeten beginnen?")
    comment_a.press_sequentially("Geschreven in tab A")
    expect(tab_a.locator("#state-q-start")).to_contain_text("Opgeslagen")
    expect(fingerprint).not_to_have_value("")  # swapped in out of band by the autosave
    tab_a.get_by_label(re.compile("Welk cijfer")).select_option("8")
    expect(tab_a.locator("#state-grade")).to_contain_text("Opgeslagen")

    item = tab_b.locator(f"fieldset:has(input[name='{fields[0]}'])")
    item.locator("label.opt", has=tab_b.locator("input[value='4']")).click()
    expect(tab_b.locator(f"#state-{fields[0]}")).to_contain_text("Opgeslagen")
    tab_b.get_by_role("button", name="Mijn antwoorden versturen").click()
    expect(tab_b.get_by_role("alert")).to_contain_text("in een ander venster of tabblad")
    expect(tab_b.get_by_label("Waarmee zou deze manager moeten beginnen?")).to_have_value(
        "Geschreven in tab A"
    )
    expect(tab_b.get_by_label(re.compile("Welk cijfer"))).to_have_value("8")
    expect(tab_b.locator(f"input[name='{fields[0]}'][value='4']")).to_be_checked()
    tab_b.get_by_role("button", name="Mijn antwoorden versturen").click()
    expect(tab_b.get_by_role("heading", level=1)).to_have_text("Dank je wel!")
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
    page.get_by_label("Waarmee zou deze manager moeten beginnen?").press_sequentially(
        "Vaker\nsamen"
    )
    expect(progress).to_contain_text(re.compile(r"^\s*2 van"))
    stop = page.get_by_label("Waarmee zou deze manager moeten stoppen?")
    stop.press_sequentially("Iets wat me verraadt")
    expect(progress).to_contain_text(re.compile(r"^\s*3 van"))
    stop.press("Control+a")
    stop.press("Backspace")  # changed their mind: the cleared comment must stay cleared
    expect(progress).to_contain_text(re.compile(r"^\s*2 van"))
    page.get_by_role("button", name="Mijn antwoorden versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dank je wel!")
    with application.app_context():
        (sealed,) = sealed_answers(_db)  # what closing the round will write
        _db.session.remove()
    texts = list(sealed.comments.values())
    assert [t.replace("\r\n", "\n") for t in texts] == ["Vaker\nsamen"]
