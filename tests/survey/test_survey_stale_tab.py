"""Two tabs on one link: an outdated tab must not cost the answers another tab autosaved,
while a single tab (with or without JavaScript) still submits with one click and a comment
cleared on purpose stays cleared."""

import re
from pathlib import Path

import sqlalchemy as sa

import feedback
from feedback.models import Invitation, SealedResponse
from feedback.survey import answers
from tests.factories import draft_of, sealed_answers
from tests.survey.survey_helpers import Tab, fingerprint_in

STALE = "Je antwoorden zijn in een ander venster of tabblad gewijzigd"
THANKS = "<h1>Dank je wel!</h1>"
EMPTY_TEXTS = {"q:start": "", "q:stop": "", "q:continue": ""}


def drafts(db, invitation_id):
    db.session.expire_all()
    return draft_of(db, invitation_id)


def submitted(db, invitation_id) -> bool:
    db.session.expire_all()
    return db.session.get(Invitation, invitation_id).submitted


def the_response(db):
    """The one submitted response, as its sealed envelope holds it."""
    db.session.expire_all()
    (answers,) = sealed_answers(db)
    return answers


def comments_of(db, response):
    return response.comments


def test_the_page_carries_the_fingerprint_of_the_draft_it_shows(client, db, survey):
    assert fingerprint_in(client.get(survey.url()).text) == ""  # no draft yet
    sid = survey.statement_ids[0]
    client.post(survey.url(), data={"action": "save", f"s{sid}": "4", "q:start": "Meer"})
    page = client.get(survey.url()).text
    expected = answers.draft_fingerprint(drafts(db, survey.invitation.id))
    assert expected and fingerprint_in(page) == expected
    assert 'name="draft_fingerprint"' in page and "hx-swap-oob" not in page.split("<form")[1]


def test_each_autosave_swaps_the_new_fingerprint_into_the_page(client, db, survey):
    s1, s2 = survey.statement_ids[:2]
    tab = Tab(client, survey.url())
    first = tab.autosave({f"s{s1}": "4"})
    assert re.search(
        r'<input type="hidden" id="draft-fingerprint" name="draft_fingerprint" value="\w+"'
        r' hx-swap-oob="true">',
        first.text,
    )
    after_first = answers.draft_fingerprint(drafts(db, survey.invitation.id))
    assert fingerprint_in(first.text) == after_first
    second = tab.autosave({f"s{s2}": "dk"})
    assert fingerprint_in(second.text) == answers.draft_fingerprint(
        drafts(db, survey.invitation.id)
    )
    assert fingerprint_in(second.text) != after_first
    refused = tab.autosave({"grade": "11"})  # nothing saved: the page keeps its fingerprint
    assert "1 tot en met 10" in refused.text and fingerprint_in(refused.text) is None


def test_every_autosave_sends_the_fingerprint_and_the_time_along(client, survey):
    """survey.js saves each answer with the page's draft fingerprint and when it was given;
    the page carries the fingerprint field and the autosave URL it posts to."""
    page = client.get(survey.url()).text
    assert 'id="draft-fingerprint"' in page
    assert f'data-save-url="/s/{survey.token}/answer"' in page
    assert re.search(r"/static/js/survey(\.[0-9a-f]+)?\.js", page)  # hashed by make assets
    script = (Path(feedback.__file__).parent / "static" / "js" / "survey.js").read_text()
    assert 'body.append("draft_fingerprint"' in script
    assert 'body.append("changed_at"' in script


def test_same_tab_autosaves_then_submits_with_one_click(client, db, survey):
    s1 = survey.statement_ids[0]
    tab = Tab(client, survey.url())
    tab.autosave({f"s{s1}": "2"})
    tab.autosave({"q:start": "Vaker\nsamen op pad"})
    tab.autosave({"grade": "7"})
    # The form posts what it shows; a browser sends the textarea's newlines as CRLF.
    form = {f"s{s1}": "2", **EMPTY_TEXTS, "q:start": "Vaker\r\nsamen op pad", "grade": "7"}
    response = tab.post({"action": "submit", **form})
    assert THANKS in response.text
    saved = the_response(db)
    assert saved.grade == 7
    assert comments_of(db, saved) == {"start": "Vaker\nsamen op pad"}


def test_a_comment_cleared_on_purpose_stays_cleared(client, db, survey):
    s1 = survey.statement_ids[0]
    tab = Tab(client, survey.url())
    tab.autosave({f"s{s1}": "3"})
    tab.autosave({"q:stop": "Iets wat me kan verraden"})
    # The rater empties the textarea and submits straight away (the page is current).
    response = tab.post({"action": "submit", f"s{s1}": "3", **EMPTY_TEXTS, "grade": ""})
    assert THANKS in response.text
    assert comments_of(db, the_response(db)) == {}


def test_without_javascript_save_reopen_and_submit_takes_one_click(client, db, survey):
    s1, s2 = survey.statement_ids[:2]
    first_visit = Tab(client, survey.url())
    saved = first_visit.post(
        {"action": "save", f"s{s1}": "4", **EMPTY_TEXTS, "q:stop": "Minder mail", "grade": "6"}
    )
    assert saved.status_code == 303
    later = Tab(client, survey.url())  # the same link, reopened days later
    form = {f"s{s1}": "4", f"s{s2}": "5", **EMPTY_TEXTS, "q:stop": "", "grade": "6"}
    response = later.post({"action": "submit", **form})  # cleared the comment on purpose
    assert THANKS in response.text
    result = the_response(db)
    assert result.grade == 6
    assert comments_of(db, result) == {}


def test_stale_tab_loses_nothing_is_told_so_and_its_second_submit_works(client, db, survey):
    s1, s2, s3 = survey.statement_ids[:3]
    inv = survey.invitation.id
    tab_b = Tab(client, survey.url())  # opened first, then forgotten
    tab_a = Tab(client, survey.url())
    tab_a.autosave({"q:start": "Geschreven in tab A"})
    tab_a.autosave({"grade": "8"})
    tab_a.autosave({f"s{s2}": "2"})
    before = drafts(db, inv)

    stale_form = {f"s{s1}": "4", f"s{s2}": "5", **EMPTY_TEXTS, "grade": ""}
    response = tab_b.post({"action": "submit", **stale_form})
    assert response.status_code == 200
    html = response.text
    assert STALE in html and 'role="alert"' in html
    assert (
        not submitted(db, inv)
        and db.session.scalar(sa.select(sa.func.count(SealedResponse.id))) == 0
    )
    assert drafts(db, inv) == before
    # The current draft, with what tab B added or changed on top; nothing it left empty.
    assert "Geschreven in tab A</textarea>" in html
    assert '<option value="8" selected>' in html
    assert f'name="s{s1}" value="4" checked' in html
    assert f'name="s{s2}" value="5" checked' in html
    assert fingerprint_in(html) == answers.draft_fingerprint(before)

    shown = {f"s{s1}": "4", f"s{s2}": "5", **EMPTY_TEXTS, "q:start": "Geschreven in tab A"}
    again = tab_b.post({"action": "submit", **shown, "grade": "8"})
    assert THANKS in again.text
    result = the_response(db)
    assert result.grade == 8
    assert comments_of(db, result) == {"start": "Geschreven in tab A"}
    assert result.scores == {s1: 4, s2: 5}


def test_stale_tab_save_for_later_deletes_nothing(client, db, survey):
    inv = survey.invitation.id
    tab_b = Tab(client, survey.url())
    Tab(client, survey.url()).autosave({"q:continue": "Blijf zo luisteren"})
    response = tab_b.post({"action": "save", **EMPTY_TEXTS, "grade": ""})
    assert response.status_code == 200 and STALE in response.text
    assert drafts(db, inv) == {"q:continue": "Blijf zo luisteren"}
    assert "Blijf zo luisteren</textarea>" in response.text


def test_a_stale_tab_that_autosaves_is_still_recognised_as_stale(client, db, survey):
    s1 = survey.statement_ids[0]
    inv = survey.invitation.id
    tab_b = Tab(client, survey.url())
    Tab(client, survey.url()).autosave({"q:start": "Van tab A"})
    autosaved = tab_b.autosave({f"s{s1}": "3"})  # saved, but B's page is still outdated
    assert "Opgeslagen" in autosaved.text and fingerprint_in(autosaved.text) is None
    response = tab_b.post({"action": "submit", f"s{s1}": "3", **EMPTY_TEXTS, "grade": ""})
    assert STALE in response.text and not submitted(db, inv)
    assert drafts(db, inv) == {"q:start": "Van tab A", f"s{s1}": "3"}


def test_an_outdated_form_that_loses_nothing_submits_at_once(client, db, survey):
    """Tab B is behind, but only adds answers or repeats the draft (as a tab does whose own
    autosave is still on its way back): nothing to lose, so no second click."""
    s1, s2 = survey.statement_ids[:2]
    tab_b = Tab(client, survey.url())
    Tab(client, survey.url()).autosave({"q:start": "Eerste\nregel"})
    response = tab_b.post(
        {"action": "submit", f"s{s1}": "1", "q:start": "Eerste\r\nregel", f"s{s2}": "dk"}
    )
    assert THANKS in response.text
    assert comments_of(db, the_response(db)) == {"start": "Eerste\nregel"}


def test_a_page_without_fingerprint_is_stale_only_over_a_draft(client, db, survey):
    s1 = survey.statement_ids[0]
    inv = survey.invitation.id
    client.post(survey.url() + "/answer", data={"q:stop": "Uit de oude pagina"})
    old_page = {"action": "submit", f"s{s1}": "2", **EMPTY_TEXTS, "grade": ""}
    response = client.post(survey.url(), data=old_page)  # no draft_fingerprint field at all
    assert STALE in response.text and not submitted(db, inv)
    client.post(survey.url() + "/answer", data={"q:stop": ""})  # the draft is empty again
    assert THANKS in client.post(survey.url(), data=old_page).text


def test_an_invalid_post_from_a_stale_tab_keeps_its_old_fingerprint(client, db, survey):
    """The error page shows tab B's posted (outdated) values, so it must not pass for current."""
    s1 = survey.statement_ids[0]
    inv = survey.invitation.id
    tab_b = Tab(client, survey.url())
    old = tab_b.fingerprint
    Tab(client, survey.url()).autosave({"q:start": "Van tab A"})
    invalid = tab_b.post({"action": "submit", f"s{s1}": "9", **EMPTY_TEXTS, "grade": ""})
    assert "Kies een score" in invalid.text and fingerprint_in(invalid.text) == old
    fixed = tab_b.post({"action": "submit", f"s{s1}": "3", **EMPTY_TEXTS, "grade": ""})
    assert STALE in fixed.text and not submitted(db, inv)
    assert drafts(db, inv) == {"q:start": "Van tab A"}


def test_nothing_is_kept_in_browser_storage():
    """SECURITY.md, "Nothing in the browser": the survey's script keeps its queue in the
    page only; no script of the app touches browser storage or sets cookies."""
    static = Path(feedback.__file__).parent / "static" / "js"
    script = re.sub(r"/\*.*?\*/|//[^\n]*", "", (static / "survey.js").read_text(), flags=re.S)
    for word in ("localStorage", "sessionStorage", "indexedDB", "document.cookie"):
        assert word not in script  # the code; its comment says why
    templates = Path(feedback.__file__).parent / "templates" / "survey"
    for template in templates.glob("*.html"):
        text = template.read_text()
        assert "localStorage" not in text and "sessionStorage" not in text
