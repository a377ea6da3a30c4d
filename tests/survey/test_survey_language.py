"""The rater's language switch, through the Flask test client: it saves everything on the
form as the draft (never submits), sets the invitation's language, and comes back."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import feedback
from feedback.models import Invitation, RaterGroup, Round, RoundStatus, SealedResponse
from tests.factories import draft_of
from tests.survey.survey_helpers import Tab

HX = {"HX-Request": "true"}
BASE = Path(feedback.__file__).parent / "templates" / "base.html"
BASE_HAS_SLOT = "block language_switch" in BASE.read_text(encoding="utf-8")


def language_of(db, invitation_id) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Invitation.language).where(Invitation.id == invitation_id))


def submitted(db, invitation_id) -> bool:
    return bool(
        db.session.scalar(sa.select(Invitation.submitted).where(Invitation.id == invitation_id))
    )


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def set_language(db, invitation_id, language):
    db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation_id).values(language=language)
    )
    db.session.commit()


# --- the buttons -------------------------------------------------------------------------------


def _render_block(app, template: str, **context) -> str:
    """The page's language_switch block, as base.html's slot will show it."""
    tmpl = app.jinja_env.get_template(template)
    ctx = tmpl.new_context(context)
    return "".join(tmpl.blocks["language_switch"](ctx))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_form_page_has_a_switch_whose_buttons_belong_to_the_survey_form(app, lang):
    with app.test_request_context():
        html = _render_block(app, "survey/form.html", page_lang=lang, token="t")
    buttons = re.findall(r"<button[^>]*>[^<]*</button>", html)
    default, *switch = buttons
    # The first button of the form (what Enter in a field presses) is hidden and posts to
    # a URL that answers 204 No Content: Enter leaves the page as it is.
    assert 'form="survey-form"' in default and 'formaction="/s/t/enter"' in default
    assert "sr-only" in default and "value=" not in default
    assert len(switch) == 2
    for button, (code, name) in zip(switch, (("nl", "Nederlands"), ("en", "English")), strict=True):
        assert 'form="survey-form"' in button
        assert f'name="language" value="{code}"' in button
        assert f'lang="{code}"' in button and f">{name}</button>" in button
        assert ('aria-current="true"' in button) == (code == lang)
    assert 'role="group" aria-label="' in html


@pytest.mark.parametrize("template", ["survey/thanks.html", "survey/already.html"])
def test_the_pages_after_submitting_have_a_small_switch_of_their_own(app, template):
    with app.test_request_context():
        html = _render_block(app, template, page_lang="en", token="tok")
    assert '<form method="post" action="/s/tok/language"' in html
    assert 'name="csrf_token"' in html
    assert 'form="survey-form"' not in html
    assert re.search(r'value="en"[^>]*aria-current="true"', html)
    assert not re.search(r'value="nl"[^>]*aria-current', html)


@pytest.mark.skipif(not BASE_HAS_SLOT, reason="base.html has no language_switch slot yet")
def test_the_survey_page_shows_the_switch(client, survey):
    html = client.get(survey.url()).text
    assert 'form="survey-form" name="language" value="en"' in html
    assert re.search(r'value="nl"[^>]*aria-current="true"', html)
    assert 'id="survey-form"' in html


# --- switching on the form ---------------------------------------------------------------------


def test_switching_keeps_typed_comments_and_chosen_scores_and_never_submits(client, db, survey):
    s1, s2, s3 = survey.statement_ids[:3]
    invitation = survey.invitation
    tab = Tab(client, survey.url())
    tab.autosave({f"s{s1}": "2"})  # saved before; the rest is only on the page
    response = tab.post(
        {
            f"s{s1}": "5",
            f"s{s2}": "dk",
            "q:start": "Nog niet opgeslagen tekst",
            "grade": "7",
            "language": "en",
        }
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(survey.url())
    assert language_of(db, invitation.id) == "en"
    assert draft_of(db, invitation.id) == {
        f"s{s1}": "5",
        f"s{s2}": "dk",
        "q:start": "Nog niet opgeslagen tekst",
        "grade": "7",
    }
    assert not submitted(db, invitation.id)
    assert count(db, SealedResponse) == 0

    page = client.get(survey.url()).text
    assert 'lang="en"' in page and "My manager hires salespeople" in page
    assert "Your answers are saved." in page  # the message is in the new language
    assert "Je antwoorden" not in page
    assert f'name="s{s1}" value="5" checked' in page
    assert f'name="s{s2}" value="dk" checked' in page
    assert f'name="s{s3}" value="3" checked' not in page
    assert "Nog niet opgeslagen tekst</textarea>" in page
    assert '<option value="7" selected>' in page


def test_switching_back_to_dutch(client, db, survey):
    set_language(db, survey.invitation.id, "en")
    tab = Tab(client, survey.url())
    response = tab.post({"q:stop": "Too many meetings", "language": "nl"})
    assert response.status_code == 303
    assert language_of(db, survey.invitation.id) == "nl"
    assert draft_of(db, survey.invitation.id) == {"q:stop": "Too many meetings"}
    page = client.get(survey.url()).text
    assert 'lang="nl"' in page and "Mijn manager neemt verkopers aan" in page
    assert "Je antwoorden zijn opgeslagen" in page
    assert "Too many meetings</textarea>" in page


def test_switching_with_submit_pressed_as_well_still_only_saves(client, db, survey):
    sid = survey.statement_ids[0]
    tab = Tab(client, survey.url())
    response = tab.post({"action": "submit", f"s{sid}": "4", "language": "en"})
    assert response.status_code == 303
    assert not submitted(db, survey.invitation.id)
    assert count(db, SealedResponse) == 0
    assert draft_of(db, survey.invitation.id) == {f"s{sid}": "4"}


def test_switching_under_htmx_redirects_the_page(client, db, survey):
    tab = Tab(client, survey.url())
    response = client.post(
        survey.url(),
        data={"q:start": "Via htmx", "language": "en", "draft_fingerprint": tab.fingerprint},
        headers=HX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].endswith(survey.url())
    assert language_of(db, survey.invitation.id) == "en"
    assert draft_of(db, survey.invitation.id) == {"q:start": "Via htmx"}


@pytest.mark.parametrize("value", ["fr", "", "EN", "en-GB", "x" * 500])
def test_an_unknown_language_changes_nothing_and_says_so(client, db, survey, value):
    sid = survey.statement_ids[0]
    tab = Tab(client, survey.url())
    tab.autosave({f"s{sid}": "3"})
    before = draft_of(db, survey.invitation.id)
    response = tab.post({f"s{sid}": "1", "q:start": "Getypt", "language": value})
    assert response.status_code == 200
    assert "Die taal is niet beschikbaar. Er is niets gewijzigd." in response.text
    assert "Getypt</textarea>" in response.text  # what they typed is still on the page
    assert f'name="s{sid}" value="1" checked' in response.text
    assert "x" * 100 not in response.text  # not echoed back
    assert language_of(db, survey.invitation.id) == "nl"
    assert draft_of(db, survey.invitation.id) == before
    assert not submitted(db, survey.invitation.id)


def test_switching_with_an_invalid_answer_saves_nothing_but_comes_back_in_the_new_language(
    client, db, survey
):
    sid = survey.statement_ids[0]
    tab = Tab(client, survey.url())
    response = tab.post(
        {f"s{sid}": "4", "grade": "12", "q:start": "Lang verhaal", "language": "en"}
    )
    assert response.status_code == 200
    assert 'lang="en"' in response.text
    assert "Choose a grade from 1 to 10." in response.text
    assert "Lang verhaal</textarea>" in response.text
    assert f'name="s{sid}" value="4" checked' in response.text
    assert language_of(db, survey.invitation.id) == "en"
    assert draft_of(db, survey.invitation.id) == {}


def test_switching_from_an_outdated_tab_loses_nothing(client, db, survey):
    old_tab = Tab(client, survey.url())
    new_tab = Tab(client, survey.url())
    new_tab.autosave({"q:start": "Uit het nieuwe tabblad"})
    response = old_tab.post({"q:start": "", "language": "en"})
    assert response.status_code == 200
    assert 'lang="en"' in response.text
    assert "changed in another window or tab" in response.text
    assert "Uit het nieuwe tabblad</textarea>" in response.text
    assert draft_of(db, survey.invitation.id) == {"q:start": "Uit het nieuwe tabblad"}
    assert language_of(db, survey.invitation.id) == "en"


def test_the_other_raters_keep_their_language(client, db, survey):
    (other, _token) = survey.links[RaterGroup.DIRECT_REPORT][1]
    Tab(client, survey.url()).post({"language": "en"})
    assert language_of(db, survey.invitation.id) == "en"
    assert language_of(db, other.id) == "nl"


@pytest.mark.parametrize(
    "values",
    [
        {"status": RoundStatus.CLOSED},
        {"status": RoundStatus.PUBLISHED},
        {"closes_on": date.today() - timedelta(days=1)},
    ],
)
def test_a_closed_round_refuses_the_switch_like_any_post(client, db, survey, values):
    sid = survey.statement_ids[0]
    db.session.execute(
        sa.update(Round)
        .where(Round.id == survey.round.id)
        .values(opens_on=date.today() - timedelta(days=10), **values)
    )
    db.session.commit()
    data = {f"s{sid}": "4", "language": "en"}
    assert client.post(survey.url(), data=data).status_code == 404
    assert client.post(survey.url() + "/language", data={"language": "en"}).status_code == 404
    assert language_of(db, survey.invitation.id) == "nl"
    assert draft_of(db, survey.invitation.id) == {}


def test_a_dead_link_refuses_the_switch(client, db, survey):
    assert client.post("/s/not-a-real-token", data={"language": "en"}).status_code == 404
    assert client.post("/s/not-a-real-token/language", data={"language": "en"}).status_code == 404


def test_with_csrf_on_the_switch_needs_the_forms_token(app, db, survey):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get(survey.url()).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(survey.url(), data={"language": "en"}).status_code == 400
    assert language_of(db, survey.invitation.id) == "nl"
    switched = client.post(survey.url(), data={"csrf_token": token, "language": "en"})
    assert switched.status_code == 303
    assert language_of(db, survey.invitation.id) == "en"


# --- switching after submitting ----------------------------------------------------------------


def test_after_submitting_the_small_switch_sets_the_language(client, db, survey):
    sid = survey.statement_ids[0]
    assert "Dank je wel!" in client.post(survey.url(), data={f"s{sid}": "4"}).text
    response = client.post(survey.url() + "/language", data={"language": "en"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(survey.url())
    assert language_of(db, survey.invitation.id) == "en"
    page = client.get(survey.url()).text
    assert "Already submitted" in page and 'lang="en"' in page
    assert count(db, SealedResponse) == 1  # nothing else happened

    back = client.post(survey.url() + "/language", data={"language": "nl"}, headers=HX)
    assert back.headers["HX-Redirect"].endswith(survey.url())
    assert "Al verstuurd" in client.get(survey.url()).text


def test_the_small_switch_refuses_an_unknown_language(client, db, survey):
    client.post(survey.url(), data={f"s{survey.statement_ids[0]}": "4"})
    response = client.post(survey.url() + "/language", data={"language": "de"})
    assert response.status_code == 303
    assert language_of(db, survey.invitation.id) == "nl"
    assert "Die taal is niet beschikbaar. Er is niets gewijzigd." in client.get(survey.url()).text


def test_the_small_switch_changes_no_draft(client, db, survey):
    tab = Tab(client, survey.url())
    tab.autosave({"q:start": "Bewaard"})
    response = client.post(survey.url() + "/language", data={"language": "en", "q:start": ""})
    assert response.status_code == 303
    assert draft_of(db, survey.invitation.id) == {"q:start": "Bewaard"}
    assert language_of(db, survey.invitation.id) == "en"
