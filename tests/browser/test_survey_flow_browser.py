"""The rater's survey in Chromium: Enter never sends, the review before sending, answers
queued and retried while the connection is down, coming back where one left off, and one
leg at a time on a phone. Screenshots go to the browser-shots folder (SHOTS): look at them.
"""

import re
from types import SimpleNamespace

import pytest

from feedback.extensions import db
from feedback.models import Invitation, RaterGroup
from feedback.survey import services
from tests.browser.browser_helpers import PHONE, SHOTS, mark_page, same_page, set_language
from tests.factories import draft_of, make_rated_manager, sealed_answers

pytestmark = pytest.mark.browser

NOT_SAVED = {"nl": "Niet opgeslagen, opnieuw proberen", "en": "Not saved, retrying"}
SAVED = {"nl": "Opgeslagen", "en": "Saved"}


@pytest.fixture
def rater(live_app):
    """A direct report's live link (Dutch) and the round's statement fields in page order."""
    with live_app.app_context():
        rnd, _participant, links = make_rated_manager(db)
        invitation, token = links[RaterGroup.DIRECT_REPORT][0]
        legs = [[f"s{s.id}" for s in leg.statements] for leg in rnd.framework.legs]
        result = SimpleNamespace(
            token=token,
            url=f"/s/{token}",
            invitation_id=invitation.id,
            legs=legs,
            fields=[f for leg in legs for f in leg],
        )
        db.session.remove()
    return result


def stored(app, invitation_id: int) -> dict:
    with app.app_context():
        values = draft_of(db, invitation_id)
        db.session.remove()
    return values


def envelopes(app) -> list:
    with app.app_context():
        sealed = sealed_answers(db)
        db.session.remove()
    return sealed


def choose(page, field: str, value: str) -> None:
    item = page.locator(f"#state-{field}-item")
    if value == "dk":
        item.locator("label.opt.dk").click()
    else:
        item.locator("label.opt", has=page.locator(f"input[value='{value}']")).click()


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        selector,
    )


# --- Enter never sends ------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_enter_in_an_answer_sends_nothing_and_leaves_the_page_as_it_is(
    browse, live_app, rater, javascript
):
    from playwright.sync_api import expect

    context = browse.browser.new_context(
        base_url=browse.base_url,
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
    )
    browse._contexts.append(context)
    page = context.new_page()
    page.goto(rater.url)
    if javascript:
        mark_page(page)
    radio = page.locator(f"input[name='{rater.fields[0]}'][value='2']")
    radio.check()
    radio.press("Enter")
    comment = page.locator("textarea[name='q:start']")
    comment.fill("Eerste regel")
    comment.press("Enter")  # a new line, not a send
    comment.press_sequentially("tweede regel")
    page.locator("select[name='grade']").select_option("7")
    page.locator("select[name='grade']").press("Enter")
    page.wait_for_timeout(1500)  # what Enter would have started has had time to arrive
    expect(page.locator("h1")).to_contain_text("Feedback voor")
    expect(comment).to_have_value("Eerste regel\ntweede regel")
    if javascript:
        assert same_page(page)  # no navigation at all
        expect(page.locator(f"#state-{rater.fields[0]}")).to_contain_text("Opgeslagen")
    assert envelopes(live_app) == []
    assert page.locator("#flash").inner_text().strip() == ""  # not even "saved"


# --- the review step --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_review_lists_the_unanswered_per_leg_links_back_and_sends_once(
    browse, live_app, rater, lang
):
    from playwright.sync_api import expect

    set_language(live_app, rater.invitation_id, lang)
    page = browse.page()
    page.goto(rater.url)
    answered = rater.legs[0][:3] + rater.legs[1]  # one left in leg 1, leg 2 complete
    for i, field in enumerate(answered):
        choose(page, field, "dk" if i == 0 else "4")  # "don't know" counts as answered
        expect(page.locator(f"#state-{field}")).to_contain_text(SAVED[lang])
    send = {"nl": "Controleren en versturen", "en": "Review and send"}[lang]
    page.get_by_role("button", name=send).click()
    review = page.locator("#review")
    expect(review.get_by_role("heading", level=2)).to_be_visible()
    expect(review).to_contain_text({"nl": "7 van 28 beantwoord", "en": "7 of 28 answered"}[lang])
    missing = review.locator("ul.missing > li")
    leg_names = [t.split("\n")[0].strip() for t in missing.all_inner_texts()]
    assert len(leg_names) == 5 + 2  # legs 1, 3-6, then the open questions and the grade
    first_leg_links = missing.first.locator("a")
    expect(first_leg_links).to_have_count(1)
    expect(review).to_contain_text(
        {"nl": "Versturen is definitief", "en": "Sending is final"}[lang]
    )
    SHOTS.mkdir(exist_ok=True)
    review.screenshot(path=str(SHOTS / f"survey-review-{lang}.png"))  # the whole review

    first_leg_links.click()  # back to the one left open, answer it, review again
    target = f"#state-{rater.legs[0][3]}-item"
    expect(page.locator(target)).to_be_in_viewport()
    choose(page, rater.legs[0][3], "5")
    expect(page.locator(f"#state-{rater.legs[0][3]}")).to_contain_text(SAVED[lang])
    page.get_by_role("button", name=send).click()
    expect(review).to_contain_text({"nl": "8 van 28", "en": "8 of 28"}[lang])
    review.get_by_role("button", name={"nl": "Nu versturen", "en": "Send now"}[lang]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        {"nl": "Dank je wel!", "en": "Thank you!"}[lang]
    )
    (sealed,) = envelopes(live_app)
    assert len(sealed.scores) == 8 and list(sealed.scores.values()).count(None) == 1
    page.go_back()
    page.reload()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Feedback"))
    assert len(envelopes(live_app)) == 1  # exactly once


def test_without_javascript_the_review_is_a_page_of_its_own(browse, live_app, rater):
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    context = browse.browser.new_context(base_url=browse.base_url, java_script_enabled=False)
    browse._contexts.append(context)
    page = context.new_page()
    page.goto(rater.url)
    for field in rater.legs[0]:
        page.locator(f"input[name='{field}'][value='3']").check()
    page.get_by_role("button", name="Controleren en versturen").click()
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer voordat je verstuurt")
    expect(page.locator("ul.missing > li")).to_have_count(5 + 2)
    assert stored(live_app, rater.invitation_id) == dict.fromkeys(rater.legs[0], "3")
    back = page.locator("ul.missing a").first
    assert back.get_attribute("href").endswith(f"?step=2#state-{rater.legs[1][0]}-item")
    page.get_by_role("button", name="Nu versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dank je wel!")
    assert len(envelopes(live_app)) == 1


# --- offline: queued, retried, stored ---------------------------------------------------------


def test_answers_given_offline_are_retried_and_all_stored_when_back(browse, live_app, rater):
    from playwright.sync_api import expect

    page = browse.page()
    page.goto(rater.url)
    choose(page, rater.fields[0], "4")
    expect(page.locator(f"#state-{rater.fields[0]}")).to_contain_text("Opgeslagen")

    page.route("**/answer", lambda route: route.abort())  # the connection drops
    offline = {rater.fields[1]: "2", rater.fields[2]: "dk", rater.fields[3]: "5"}
    for field, value in offline.items():
        choose(page, field, value)
    page.locator("textarea[name='q:start']").press_sequentially("Meer samen op pad")
    for field in offline:
        expect(page.locator(f"#state-{field}")).to_contain_text(NOT_SAVED["nl"])
    expect(page.locator("#state-q-start")).to_contain_text(NOT_SAVED["nl"])
    expect(page.locator("#save-queue")).to_contain_text(
        "4 antwoorden nog niet opgeslagen, opnieuw proberen"
    )
    expect(page.locator("#review-button")).to_contain_text("(4 antwoorden nog niet opgeslagen)")
    choose(page, rater.fields[1], "3")  # changed their mind while offline: the newer counts
    page.wait_for_timeout(2500)  # a few failed retries

    page.unroute("**/answer")  # back online: the queue drains by itself
    for field in [*offline, "q-start"]:
        expect(page.locator(f"#state-{field}")).to_contain_text("Opgeslagen", timeout=40_000)
    expect(page.locator("#save-queue")).to_be_hidden()
    expect(page.locator("#review-button")).not_to_contain_text("niet opgeslagen")
    expect(page.locator("#progress")).to_contain_text(re.compile(r"^\s*5 van 28"))
    assert stored(live_app, rater.invitation_id) == {
        rater.fields[0]: "4",
        rater.fields[1]: "3",
        rater.fields[2]: "dk",
        rater.fields[3]: "5",
        "q:start": "Meer samen op pad",
    }


def test_an_older_answer_from_another_tab_never_overwrites_a_newer_one(browse, live_app, rater):
    """Tab A goes offline and answers; tab B answers the same question later; when A's
    queue drains, B's answer stays, and A shows it, next to the question and in the bar."""
    from playwright.sync_api import expect

    context = browse.browser.new_context(base_url=browse.base_url)
    browse._contexts.append(context)
    tab_a, tab_b = context.new_page(), context.new_page()
    tab_a.goto(rater.url)
    tab_b.goto(rater.url)
    field = rater.fields[0]
    tab_a.route("**/answer", lambda route: route.abort())
    choose(tab_a, field, "2")
    expect(tab_a.locator(f"#state-{field}")).to_contain_text(NOT_SAVED["nl"])
    tab_a.wait_for_timeout(50)
    choose(tab_b, field, "5")
    expect(tab_b.locator(f"#state-{field}")).to_contain_text("Opgeslagen")
    tab_a.unroute("**/answer")
    expect(tab_a.locator(f"#state-{field}")).to_contain_text(
        "in een ander venster of tabblad gewijzigd", timeout=40_000
    )
    expect(tab_a.locator(f"input[name='{field}'][value='5']")).to_be_checked()
    expect(tab_a.locator("#save-queue")).to_contain_text("het latere blijft staan")
    assert stored(live_app, rater.invitation_id) == {field: "5"}


# --- coming back --------------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_coming_back_opens_at_the_first_unanswered_question(browse, live_app, rater, javascript):
    from playwright.sync_api import expect

    with live_app.app_context():
        link = services.find_invitation(rater.token).link
        before = dict.fromkeys(rater.fields[:6], "4") | {rater.fields[7]: "2"}
        services.autosave(link, before, "")
        db.session.remove()
    context = browse.browser.new_context(
        base_url=browse.base_url,
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
    )
    browse._contexts.append(context)
    page = context.new_page()
    page.goto(rater.url)
    first_open = rater.fields[6]
    expect(page.locator("#welcome-back")).to_have_text(
        re.compile("Welkom terug: 7 van 28 beantwoord")
    )
    expect(page.locator(f"#state-{first_open}-item")).to_be_in_viewport()
    expect(page.locator(f"input[name='{first_open}'][value='1']")).to_be_focused()
    assert page.evaluate("window.scrollY") > 300
    if javascript:
        assert in_view(page, "#welcome-back")


def test_save_and_continue_later_confirms_at_the_top_until_when(browse, live_app, rater):
    from playwright.sync_api import expect

    page = browse.page()
    page.goto(rater.url)
    choose(page, rater.fields[0], "3")
    expect(page.locator(f"#state-{rater.fields[0]}")).to_contain_text("Opgeslagen")
    page.get_by_role("button", name="Opslaan en later verder").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Je antwoorden zijn opgeslagen. Je link werkt tot en met")
    with live_app.app_context():
        from flask_babel import force_locale, format_date

        from feedback.models import Round

        closes_on = db.session.scalars(db.select(Round.closes_on)).one()
        with live_app.test_request_context(), force_locale("nl"):
            assert format_date(closes_on, "long") in flash.inner_text()
        db.session.remove()
    assert page.evaluate("window.scrollY") == 0 and in_view(page, "#flash")
    expect(page.locator("#welcome-back")).to_have_count(0)


# --- one leg at a time on a phone ---------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_phone_shows_one_leg_at_a_time(browse, live_app, rater, javascript):
    from playwright.sync_api import expect

    context = browse.browser.new_context(
        base_url=browse.base_url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
    )
    browse._contexts.append(context)
    page = context.new_page()
    page.goto(rater.url)
    expect(page.locator(".estimate")).to_contain_text("Het kost ongeveer 5 minuten: 24 stellingen")
    steps = page.locator(".steps > .step")
    expect(steps).to_have_count(7)

    def visible_steps():
        return [i + 1 for i in range(7) if steps.nth(i).is_visible()]

    assert visible_steps() == [1]
    expect(page.locator("#step-1 .step-count")).to_have_text("Stap 1 van 7")
    for field in rater.legs[0]:
        page.locator(f"#state-{field}-item label.opt").nth(3).click()
    page.locator("#step-1").get_by_role("link", name="Volgende →").click()
    assert visible_steps() == [2]
    expect(page.locator("#step-2 h2")).to_be_in_viewport()
    page.locator(f"#state-{rater.legs[1][0]}-item label.opt").nth(1).click()
    if javascript:
        expect(page.locator(f"#state-{rater.legs[1][0]}")).to_contain_text("Opgeslagen")
        expect(page.locator("#progress")).to_contain_text(re.compile(r"^\s*5 van 28"))
        page.locator("#step-2").scroll_into_view_if_needed()
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "survey-phone-step.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#step-2").get_by_role("link", name="← Vorige").click()
    assert visible_steps() == [1]
    # the same form underneath: what is on every step goes with "save"
    page.get_by_role("button", name="Opslaan en later verder").click()
    expect(page.locator("#flash")).to_contain_text("opgeslagen")
    assert len(stored(live_app, rater.invitation_id)) == 5
    assert visible_steps() == [1]  # just saved: back at the top, the first step


def test_a_phone_that_comes_back_opens_at_the_step_left_off(browse, live_app, rater):
    from playwright.sync_api import expect

    with live_app.app_context():
        link = services.find_invitation(rater.token).link
        services.autosave(link, dict.fromkeys(rater.legs[0] + rater.legs[1][:1], "4"), "")
        db.session.remove()
    context = browse.browser.new_context(
        base_url=browse.base_url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    browse._contexts.append(context)
    page = context.new_page()
    page.goto(rater.url)
    expect(page.locator("#step-2")).to_be_visible()
    expect(page.locator("#step-1")).to_be_hidden()
    expect(page.locator("#welcome-back")).to_be_in_viewport()


# --- declining ----------------------------------------------------------------------------------


def test_a_rater_declines_with_one_click_and_a_reason(browse, live_app, rater):
    from playwright.sync_api import expect

    page = browse.page()
    page.goto(rater.url)
    page.get_by_text(re.compile("niet beoordelen\\? Zeg dan af")).click()
    page.get_by_role("button", name="We hebben te weinig samengewerkt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je hebt afgezegd")
    page.goto(rater.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Je hebt afgezegd")
    with live_app.app_context():
        invitation = db.session.get(Invitation, rater.invitation_id)
        assert invitation.submitted is True
        assert invitation.declined_reason == "not_worked_together"
        assert invitation.draft is None
        db.session.remove()
    assert envelopes(live_app) == []
