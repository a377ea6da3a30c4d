"""The rater's link through the Flask test client: page, autosave, save for later, submit."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from feedback.admin.transitions import close_round
from feedback.models import (
    Answer,
    Comment,
    Invitation,
    RaterGroup,
    Response,
    Round,
    RoundStatus,
    SealedResponse,
)
from tests.factories import draft_of, drafts_stored, sealed_answers
from tests.survey.survey_helpers import Tab

HX = {"HX-Request": "true"}


def drafts(db, invitation_id):
    return draft_of(db, invitation_id)


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def set_round(db, rnd_id, **values):
    db.session.execute(sa.update(Round).where(Round.id == rnd_id).values(**values))
    db.session.commit()


def set_language(db, invitation_id, language):
    db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation_id).values(language=language)
    )
    db.session.commit()


# --- Who may see the page --------------------------------------------------------------------


def test_wrong_token_closed_round_and_past_close_date_look_the_same(client, db, survey):
    wrong = client.get("/s/not-a-real-token")
    assert wrong.status_code == 404
    assert b"Niet gevonden" in wrong.data

    bodies = []
    for values in (
        {"status": RoundStatus.DRAFT},
        {"status": RoundStatus.CLOSED},
        {"status": RoundStatus.PUBLISHED},
        {"status": RoundStatus.OPEN, "closes_on": date.today() - timedelta(days=1)},
    ):
        set_round(db, survey.round.id, opens_on=date.today() - timedelta(days=10), **values)
        response = client.get(survey.url())
        assert response.status_code == 404
        bodies.append(response.data)
        # Posting and autosaving are refused the same way, and change nothing.
        sid = survey.statement_ids[0]
        assert client.post(survey.url(), data={f"s{sid}": "3"}).status_code == 404
        assert client.post(survey.url() + "/answer", data={f"s{sid}": "3"}).status_code == 404
    assert all(body == wrong.data for body in bodies)
    assert drafts_stored(db) == 0
    assert count(db, SealedResponse) == 0


def test_the_page_says_who_when_and_how_anonymous(client, db, survey):
    set_round(db, survey.round.id, threshold=4, closes_on=date(2099, 3, 17))
    response = client.get(survey.url())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    manager = survey.invitation.participant.person.name
    assert f"Feedback voor {manager}" in html
    assert "17 maart 2099" in html
    assert "Je antwoorden zijn anoniem" in html
    assert "minstens 4 van hen hebben geantwoord" in html
    assert "minstens 4 antwoorden heeft" in html
    assert "“Zelf” en “Leidinggevende”" in html
    assert "zonder namen" in html
    # Every statement, in Dutch, worded for a direct report, grouped per leg, with 1-5 and
    # "don't know".
    framework = survey.round.framework
    for leg in framework.legs:
        assert leg.name_nl in html
        for statement in leg.statements:
            assert statement.rater_text("nl", RaterGroup.DIRECT_REPORT) in html
            assert statement.text_nl not in html  # the report's neutral form
            for value in ("1", "2", "3", "4", "5", "dk"):
                assert f'name="s{statement.id}" value="{value}"' in html
    assert "helemaal oneens" in html and "helemaal eens" in html and "Weet ik niet" in html
    for question in framework.open_questions:
        assert question.rater_text("nl", RaterGroup.DIRECT_REPORT) in html
        assert f'name="q:{question.key}"' in html
    assert "Welk cijfer geef je je manager in het algemeen" in html
    assert 'name="grade"' in html and '<option value="10"' in html
    assert "0 van 28 beantwoord" in html or re.search(r"0 van \d+ beantwoord", html)
    assert 'lang="nl"' in html


def test_the_page_is_in_english_for_an_english_invitation(client, db, survey):
    set_language(db, survey.invitation.id, "en")
    html = client.get(survey.url()).get_data(as_text=True)
    statement = survey.round.framework.statements[0]
    assert statement.rater_text("en", RaterGroup.DIRECT_REPORT) in html
    assert statement.rater_text("nl", RaterGroup.DIRECT_REPORT) not in html
    assert "My manager hires salespeople" in html
    assert "strongly disagree" in html and "Don't know" in html
    assert "Your answers are anonymous" in html
    assert "Review and send" in html and "Save and continue later" in html
    assert 'lang="en"' in html


def test_supervisor_and_self_are_told_how_they_are_shown(client, survey):
    ((_, supervisor_token),) = survey.links[RaterGroup.SUPERVISOR]
    ((_, self_token),) = survey.links[RaterGroup.SELF]
    assert "Je antwoordt als leidinggevende" in client.get(survey.url(supervisor_token)).text
    assert "Dit is je zelfbeoordeling" in client.get(survey.url(self_token)).text
    assert "Je antwoordt als leidinggevende" not in client.get(survey.url()).text
    assert "Dit is je zelfbeoordeling" not in client.get(survey.url()).text


# --- Autosave -------------------------------------------------------------------------------


def test_autosave_saves_one_answer_and_reports_progress(client, db, survey):
    sid = survey.statement_ids[0]
    assert survey.round.answers_started is False
    response = client.post(survey.url() + "/answer", data={f"s{sid}": "4"}, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert f'id="state-s{sid}"' in html and "Opgeslagen" in html
    assert re.search(r'id="progress"[^>]*hx-swap-oob="true"', html)
    assert re.search(r"1 van \d+ beantwoord", html)
    assert drafts(db, survey.invitation.id) == {f"s{sid}": "4"}
    assert db.session.scalar(sa.select(Round.answers_started).where(Round.id == survey.round.id))


def test_autosave_overwrites_and_clears(client, db, survey):
    sid = survey.statement_ids[0]
    url = survey.url() + "/answer"
    client.post(url, data={f"s{sid}": "2"}, headers=HX)
    client.post(url, data={f"s{sid}": "dk"}, headers=HX)
    client.post(url, data={"q:start": "Meer coachen"}, headers=HX)
    client.post(url, data={"q:start": "Meer coachen op de werkvloer"}, headers=HX)
    client.post(url, data={"grade": "7"}, headers=HX)
    assert drafts(db, survey.invitation.id) == {
        f"s{sid}": "dk",
        "q:start": "Meer coachen op de werkvloer",
        "grade": "7",
    }
    response = client.post(url, data={"grade": ""}, headers=HX)
    assert re.search(r"2 van \d+ beantwoord", response.text)
    assert "grade" not in drafts(db, survey.invitation.id)


def test_autosave_keeps_drafts_of_raters_apart(client, db, survey):
    sid = survey.statement_ids[0]
    (other, other_token) = survey.links[RaterGroup.DIRECT_REPORT][1]
    client.post(survey.url() + "/answer", data={f"s{sid}": "5"}, headers=HX)
    client.post(survey.url(other_token) + "/answer", data={f"s{sid}": "1"}, headers=HX)
    assert drafts(db, survey.invitation.id) == {f"s{sid}": "5"}
    assert drafts(db, other.id) == {f"s{sid}": "1"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("s{sid}", "6", "1 tot en met 5"),
        ("s999999", "3", "hoort niet bij de vragenlijst"),
        ("q:nonsense", "hallo", "Onbekend veld"),
        ("participant_id", "1", "Onbekend veld"),
        ("grade", "11", "1 tot en met 10"),
        ("grade", "0", "1 tot en met 10"),
        ("q:start", "x" * 4001, "te lang"),
    ],
)
def test_autosave_refuses_bad_input_with_200_and_changes_nothing(
    client, db, survey, field, value, message
):
    sid = survey.statement_ids[0]
    url = survey.url() + "/answer"
    client.post(url, data={f"s{sid}": "3", "q:start": "eerder", "grade": "6"}, headers=HX)
    before = drafts(db, survey.invitation.id)
    field = field.format(sid=sid)
    response = client.post(url, data={field: value}, headers=HX)
    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text
    assert "hx-swap-oob" not in response.text
    assert drafts(db, survey.invitation.id) == before


def test_comment_at_the_limit_is_saved(client, db, survey):
    text = "y" * 4000
    client.post(survey.url() + "/answer", data={"q:stop": text}, headers=HX)
    assert drafts(db, survey.invitation.id) == {"q:stop": text}


def test_reopening_the_link_shows_the_draft(client, survey):
    sid, sid2 = survey.statement_ids[:2]
    url = survey.url() + "/answer"
    client.post(url, data={f"s{sid}": "4"}, headers=HX)
    client.post(url, data={f"s{sid2}": "dk"}, headers=HX)
    client.post(url, data={"q:continue": "Blijf <b>luisteren</b>"}, headers=HX)
    client.post(url, data={"grade": "9"}, headers=HX)
    html = client.get(survey.url()).text
    assert f'name="s{sid}" value="4" checked' in html
    assert f'name="s{sid}" value="3" checked' not in html
    assert f'name="s{sid2}" value="dk" checked' in html
    assert "Blijf &lt;b&gt;luisteren&lt;/b&gt;</textarea>" in html
    assert '<option value="9" selected>' in html
    assert re.search(r"4 van \d+ beantwoord", html)


# --- Save for later and submit without JavaScript ------------------------------------------


def test_save_and_continue_later_keeps_a_draft_and_does_not_submit(client, db, survey):
    sid = survey.statement_ids[0]
    response = client.post(
        survey.url(), data={"action": "save", f"s{sid}": "2", "q:start": "Later meer"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(survey.url())
    assert drafts(db, survey.invitation.id) == {f"s{sid}": "2", "q:start": "Later meer"}
    assert count(db, SealedResponse) == 0
    page = client.get(survey.url())
    assert "Je antwoorden zijn opgeslagen" in page.text
    assert f'name="s{sid}" value="2" checked' in page.text


def test_submit_writes_one_anonymous_response_from_draft_and_form(client, db, survey):
    s1, s2, s3, s4 = survey.statement_ids[:4]
    invitation = survey.invitation
    tab = Tab(client, survey.url())  # one tab: its autosaves keep its fingerprint current
    tab.autosave({f"s{s1}": "2"})
    tab.autosave({f"s{s2}": "3"})
    tab.autosave({"q:stop": "Te veel vergaderen"})
    tab.autosave({"grade": "5"})

    response = tab.post(
        {
            "action": "submit",
            f"s{s2}": "5",  # posted wins over the draft's 3
            f"s{s3}": "dk",
            "q:start": "  Meer een-op-een gesprekken  \n",
            "q:continue": "   ",
            "grade": "8",
        },
    )
    assert response.status_code == 200
    assert "<h1>Dank je wel!</h1>" in response.text

    assert drafts(db, invitation.id) == {}
    assert db.session.scalar(sa.select(Invitation.submitted).where(Invitation.id == invitation.id))
    assert count(db, Response) == 0  # sealed until the round closes
    close_round(survey.round.id)
    result = db.session.scalars(sa.select(Response)).one()
    assert result.round_id == survey.round.id
    assert result.participant_id == invitation.participant_id
    assert result.group == "direct_report"
    assert result.grade == 8
    answers = {
        sid: score
        for sid, score in db.session.execute(
            sa.select(Answer.statement_id, Answer.score).where(Answer.response_id == result.id)
        )
    }
    assert answers == {s1: 2, s2: 5, s3: None}
    assert s4 not in answers
    comments = {
        key: text
        for key, text in db.session.execute(
            sa.select(Comment.question_key, Comment.text).where(Comment.response_id == result.id)
        )
    }
    assert comments == {"start": "Meer een-op-een gesprekken", "stop": "Te veel vergaderen"}
    # Closed: who submitted is forgotten, and the link is gone.
    assert (
        db.session.scalar(sa.select(Invitation.submitted).where(Invitation.id == invitation.id))
        is None
    )
    assert client.get(survey.url()).status_code == 404


def test_after_submit_the_link_only_says_already_submitted(client, db, survey):
    sid = survey.statement_ids[0]
    assert "<h1>Dank je wel!</h1>" in client.post(survey.url(), data={f"s{sid}": "4"}).text
    again = client.get(survey.url())
    assert again.status_code == 200
    assert "Al verstuurd" in again.text
    assert survey.round.framework.statements[0].text_nl not in again.text
    assert "<form" not in again.text.split("<main", 1)[1]


def test_a_second_submit_is_told_already_submitted_and_writes_nothing(client, db, survey):
    sid = survey.statement_ids[0]
    assert "<h1>Dank je wel!</h1>" in client.post(survey.url(), data={f"s{sid}": "4"}).text
    second = client.post(survey.url(), data={f"s{sid}": "1"})
    assert second.status_code == 200
    assert "Al verstuurd" in second.text
    assert count(db, SealedResponse) == 1
    assert [a.scores for a in sealed_answers(db)] == [{sid: 4}]


def test_autosave_after_submit_saves_nothing(client, db, survey):
    sid = survey.statement_ids[0]
    client.post(survey.url(), data={f"s{sid}": "4"})
    response = client.post(survey.url() + "/answer", data={f"s{sid}": "2"}, headers=HX)
    assert response.status_code == 200
    assert "Al verstuurd." in response.text
    assert drafts_stored(db) == 0


def test_submit_needs_at_least_one_statement(client, db, survey):
    response = client.post(survey.url(), data={"q:start": "Alleen een opmerking", "grade": "7"})
    assert response.status_code == 200
    assert "Beantwoord minstens één stelling" in response.text
    assert "Alleen een opmerking</textarea>" in response.text
    assert '<option value="7" selected>' in response.text
    assert count(db, SealedResponse) == 0
    assert not db.session.scalar(
        sa.select(Invitation.submitted).where(Invitation.id == survey.invitation.id)
    )


def test_invalid_submit_shows_errors_keeps_typed_text_and_changes_nothing(client, db, survey):
    s1, s2 = survey.statement_ids[:2]
    client.post(survey.url() + "/answer", data={f"s{s1}": "3"}, headers=HX)
    long_text = "Heel veel te zeggen. " * 200  # over 4000 characters
    response = client.post(
        survey.url(),
        data={f"s{s2}": "4", "q:start": long_text, "q:stop": "Kort", "grade": "12"},
    )
    assert response.status_code == 200
    html = response.text
    assert "te lang" in html and "1 tot en met 10" in html
    # what they typed is still there, as far as it fits; the rest is not echoed back
    assert long_text[:4000] + "</textarea>" in html and long_text.strip() not in html
    assert "Hier staan alleen de eerste 4.000 tekens." in html  # a Dutch number
    assert "Kort</textarea>" in html
    assert f'name="s{s2}" value="4" checked' in html
    assert f'name="s{s1}" value="3" checked' in html
    assert count(db, SealedResponse) == 0
    assert drafts(db, survey.invitation.id) == {f"s{s1}": "3"}


def test_unknown_fields_in_a_full_post_are_named(client, db, survey):
    response = client.post(survey.url(), data={"s999999": "3", "response_id": "x"})
    assert response.status_code == 200
    assert "hoort niet bij de vragenlijst" in response.text
    assert "Onbekend veld" in response.text
    assert count(db, SealedResponse) == 0


def test_round_closed_while_the_rater_was_typing(client, db, survey):
    sid = survey.statement_ids[0]
    client.post(survey.url() + "/answer", data={f"s{sid}": "3"}, headers=HX)
    set_round(db, survey.round.id, status=RoundStatus.CLOSED)
    assert client.post(survey.url(), data={f"s{sid}": "4"}).status_code == 404
    assert count(db, SealedResponse) == 0


def test_with_csrf_on_the_page_token_works_and_a_missing_token_is_refused(app, db, survey):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    sid = survey.statement_ids[0]
    page = client.get(survey.url()).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert client.post(survey.url() + "/answer", data={f"s{sid}": "4"}).status_code == 400
    saved = client.post(
        survey.url() + "/answer",
        data={f"s{sid}": "4"},
        headers={**HX, "X-CSRFToken": header_token},
    )
    assert saved.status_code == 200 and "Opgeslagen" in saved.text
    assert client.post(survey.url(), data={f"s{sid}": "4"}).status_code == 400
    done = client.post(survey.url(), data={"csrf_token": token, f"s{sid}": "4"})
    assert "<h1>Dank je wel!</h1>" in done.text
