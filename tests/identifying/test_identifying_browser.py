"""The warning in a real browser: it appears for an identifying comment and not for a neutral
one, in Dutch and English, at 375 px and on a desktop; "keep" hides it until new words are
marked. Screenshots go to SHOTS/identifying-*.png."""

import pytest

from feedback.models import RaterGroup
from tests.browser.browser_helpers import DESKTOP, PHONE, SHOTS
from tests.factories import add_participant, make_invitation, make_person, make_round

pytestmark = pytest.mark.browser


@pytest.fixture
def links(live_app):
    with live_app.app_context():
        manager = make_person(name="Martijn Visser", role="manager")
        make_person(name="Sanne de Jong", manager=manager)
        make_person(name="Ruben Bakker", manager=manager)
        participant = add_participant(rnd=make_round(), manager=manager)
        links = {}
        for language in ("nl", "en"):
            rep = make_person(manager=manager, language=language)
            _invitation, token = make_invitation(
                participant=participant,
                group=RaterGroup.DIRECT_REPORT,
                person=rep,
                language=language,
            )
            links[language] = f"/s/{token}"
        return links


def open_comments(page, link):
    """Open the survey at its open questions (on a phone: their step, the last one)."""
    page.goto(link)
    last = page.locator("section.last-step").get_attribute("id")
    page.goto(f"{link}#{last}")  # a same-page anchor, as the step links are


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_warning_comes_and_goes_with_the_words(browse, links, viewport):
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport["width"]
    page = browse.page(viewport)
    open_comments(page, links["nl"])
    comment = page.get_by_label("Waarmee zou mijn manager moeten beginnen?")
    note = page.locator("#identifying-q-start")

    comment.press_sequentially("Vaker samen op klantbezoek.")
    expect(page.locator("#state-q-start")).to_contain_text("Opgeslagen")
    expect(note.locator(".identifying-note")).to_have_count(0)  # neutral: no warning

    comment.press_sequentially(" Vraag Sanne de Jong maar hoe het vorige week ging.")
    expect(note).to_contain_text("Verraadt dit wie je bent?")
    expect(note.locator("mark", has_text="Sanne de Jong").first).to_be_visible()
    expect(note).to_contain_text("een naam van iemand in je organisatie")
    expect(note).to_contain_text("een moment dat terug te vinden is")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    note.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"identifying-nl-{width}.png"))

    keep = note.get_by_label("Mijn antwoord zo laten en deze melding verbergen")
    keep.check()
    expect(note.locator(".identifying-detail")).to_be_hidden()
    comment.press_sequentially(" Dank!")  # the same marked words: it stays kept
    expect(page.locator("#state-q-start")).to_contain_text("Opgeslagen")
    page.wait_for_timeout(1500)  # past the autosave's delay and its swap
    expect(note.locator(".identifying-detail")).to_be_hidden()
    expect(keep).to_be_checked()

    comment.press_sequentially(" Ruben ook.")  # new words: the note is back
    expect(note.locator("mark", has_text="Ruben").first).to_be_visible()
    expect(note.locator(".identifying-detail")).to_be_visible()

    comment.fill("Vaker samen op klantbezoek.")
    comment.press("End")
    comment.press_sequentially(" Graag.")
    expect(note.locator(".identifying-note")).to_have_count(0)  # rewritten: gone

    page.goto(links["nl"] + "#step-1")
    item = page.locator("fieldset.item").first
    item.locator("label.opt", has=page.locator("input[value='4']")).click()
    expect(item.locator(".save-state")).to_contain_text("Opgeslagen")
    page.get_by_role("button", name="Controleren en versturen").click()
    page.locator("#review").get_by_role("button", name="Nu versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dank je wel!")  # never blocks


def test_the_warning_in_english(browse, links):
    from playwright.sync_api import expect

    page = browse.page(PHONE)
    open_comments(page, links["en"])
    comment = page.get_by_label("What should my manager start doing?")
    comment.press_sequentially("Ruben got the Philips deal in Utrecht, not me.")
    note = page.locator("#identifying-q-start")
    expect(note).to_contain_text("Could this give you away?")
    expect(note).to_contain_text("a name of someone in your organisation")
    expect(note).to_contain_text("a customer or account name")
    expect(note).to_contain_text("a place")
    note.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "identifying-en-375.png"))
    comment.fill("")
    comment.press_sequentially("He listens well.")
    expect(note.locator(".identifying-note")).to_have_count(0)
