"""Without a browser: the newest answer wins, the review before sending, coming back where
one left off, the steps, the time estimate, declining, and what HR sees of declines."""

import re

import sqlalchemy as sa

from feedback.admin import participation
from feedback.admin.dashboard import response_dashboard
from feedback.models import Invitation, ParticipationCount, RaterGroup, SealedResponse
from feedback.survey import answers, page, services
from feedback.survey.drafts import Draft, decrypt_draft, encrypt_draft, open_draft
from feedback.survey.services import Outcome
from tests.factories import sealed_answers
from tests.survey.survey_helpers import Tab


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- the newest answer wins ----------------------------------------------------------------------


def test_a_late_older_answer_never_replaces_a_newer_one(db, survey):
    link, field = survey.link, f"s{survey.statement_ids[0]}"
    newer = services.autosave(link, {field: "5"}, "", changed_at=2_000)
    assert newer.newer == {}
    late = services.autosave(link, {field: "2"}, "", changed_at=1_000)  # queued, or another tab
    assert late.outcome == Outcome.SAVED and late.newer == {field: "5"}
    assert late.fingerprint is None  # the page is not up to date: it keeps its fingerprint
    assert services.draft_values(link) == {field: "5"}
    again = services.autosave(link, {field: "3"}, "", changed_at=3_000)
    assert again.newer == {} and services.draft_values(link) == {field: "3"}


def test_a_cleared_comment_stays_cleared_against_an_older_one(db, survey):
    link = survey.link
    services.autosave(link, {"grade": "7"}, "", changed_at=500)
    services.autosave(link, {"q:start": "Eerste versie"}, "", changed_at=1_000)
    services.autosave(link, {"q:start": ""}, "", changed_at=3_000)
    late = services.autosave(link, {"q:start": "Eerste versie"}, "", changed_at=2_000)
    assert late.newer == {"q:start": ""}
    assert services.draft_values(link) == {"grade": "7"}


def test_a_clock_far_ahead_is_not_believed(db, survey):
    link, field = survey.link, f"s{survey.statement_ids[0]}"
    far = services.answer_time(None) + 10 * 24 * 3600 * 1000
    services.autosave(link, {field: "5"}, "", changed_at=far)
    assert services.draft_of(link).times[field] < far  # the server's time instead
    services.autosave(link, {field: "1"}, "", changed_at=services.answer_time(None) + 1)
    assert services.draft_values(link) == {field: "1"}


def test_the_autosave_route_reads_the_time_and_says_which_answer_stays(client, survey):
    field = f"s{survey.statement_ids[0]}"
    url = survey.url() + "/answer"
    client.post(url, data={field: "4", "changed_at": "5000", "draft_fingerprint": ""})
    html = client.post(url, data={field: "1", "changed_at": "4000"}).text
    assert 'class="save-state newer"' in html and f'data-field="{field}"' in html
    assert 'data-current="4"' in html and "later answer is kept" not in html  # Dutch page
    assert "het latere antwoord blijft staan" in html
    assert 'id="progress"' in html


def test_drafts_from_before_times_were_kept_still_open(db, survey):
    link = survey.link
    blob = encrypt_draft(link, {"grade": "7"}, {"grade": 12})
    assert open_draft(link, blob) == Draft({"grade": "7"}, {"grade": 12})
    assert decrypt_draft(link, blob) == {"grade": "7"}
    # the old format: a list of pairs, no times
    import json

    from feedback import sealing
    from feedback.envelopes import pad
    from feedback.survey.drafts import DRAFT_PAD_BYTES

    old = json.dumps([["grade", "6"]]).encode()
    old_blob = sealing.wrap(link.key, pad(old, DRAFT_PAD_BYTES), f"draft:{link.invitation_id}")
    assert open_draft(link, old_blob) == Draft({"grade": "6"}, {})


# --- Enter and the review ------------------------------------------------------------------------


def test_enter_lands_on_a_no_content_answer(client, survey):
    html = client.get(survey.url()).text
    default = re.search(r'<button type="submit" form="survey-form"[^>]*>', html).group(0)
    assert f'formaction="/s/{survey.token}/enter"' in default
    response = client.post(survey.url() + "/enter", data={"s1": "5", "action": "submit"})
    assert response.status_code == 204 and response.data == b""
    assert services.draft_values(survey.link) == {}


def test_review_without_javascript_saves_then_shows_the_unanswered_per_leg(client, survey):
    first_leg = [s.id for s in survey.round.framework.legs[0].statements]
    tab = Tab(client, survey.url())
    posted = {f"s{first_leg[0]}": "dk", f"s{first_leg[1]}": "4", "action": "review"}
    response = tab.post(posted)
    assert response.status_code == 303 and response.location.endswith("/review")
    html = client.get(response.location).text
    assert "Controleer voordat je verstuurt" in html
    assert "2 van 28 beantwoord" in html and "“Weet ik niet” telt als antwoord" in html
    assert "22 stellingen hebben nog geen antwoord" in html
    assert f"?step=1#state-s{first_leg[2]}-item" in html
    assert f"state-s{first_leg[0]}-item" not in html  # "don't know" is an answer
    assert "Versturen is definitief" in html and 'value="send"' in html
    assert sealed_answers(client.application.extensions["sqlalchemy"]) == []


def test_send_sends_only_the_draft_that_was_reviewed(client, db, survey):
    sid = survey.statement_ids[0]
    services.autosave(survey.link, {f"s{sid}": "4"}, "")
    reviewed = answers.draft_fingerprint(services.draft_values(survey.link))
    services.autosave(survey.link, {f"s{sid}": "2"}, "")  # another tab, after the review
    response = client.post(survey.url(), data={"action": "send", "draft_fingerprint": reviewed})
    assert "nadat je dit overzicht opende" in response.text
    assert count(db, SealedResponse) == 0
    current = answers.draft_fingerprint(services.draft_values(survey.link))
    thanks = client.post(survey.url(), data={"action": "send", "draft_fingerprint": current})
    assert "Dank je wel!" in thanks.text
    assert [a.scores for a in sealed_answers(db)] == [{sid: 2}]
    again = client.post(survey.url(), data={"action": "send", "draft_fingerprint": current})
    assert "Al verstuurd" in again.text and count(db, SealedResponse) == 1


def test_the_review_partial_is_for_htmx_and_refuses_to_send_nothing(client, survey):
    url = survey.url() + "/review"
    assert client.post(url).status_code == 303  # without htmx: the page
    html = client.post(url, headers={"HX-Request": "true"}).text
    assert "<html" not in html and 'id="review-title"' in html
    assert "Beantwoord minstens één stelling" in html and 'value="send"' not in html
    assert 'href="#state-' in html  # anchors into the page it is shown on


# --- coming back, steps, estimate ----------------------------------------------------------------


def test_coming_back_opens_at_the_first_unanswered_with_welcome_back(client, survey):
    ids = survey.statement_ids
    services.autosave(survey.link, {f"s{ids[0]}": "4", f"s{ids[1]}": "dk", f"s{ids[5]}": "2"}, "")
    html = client.get(survey.url()).text
    assert "Welkom terug: 3 van 28 beantwoord" in html
    assert re.search(rf'name="s{ids[2]}" value="1"[^>]*autofocus', html)
    assert html.count("autofocus") == 1
    assert 'class="card leg step current" id="step-1"' in html


def test_a_first_visit_opens_at_the_top_with_an_honest_estimate(client, survey):
    html = client.get(survey.url()).text
    assert "Welkom terug" not in html and "autofocus" not in html
    assert "Het kost ongeveer 5 minuten: 24 stellingen en een eindcijfer" in html
    assert "De 3 open vragen zijn niet verplicht" in html
    assert page.estimate(24, 3).minutes == 5 and page.estimate(3, 0).minutes == 1


def test_save_and_continue_later_stays_at_the_top_and_says_until_when(client, survey):
    tab = Tab(client, survey.url())
    tab.post({f"s{survey.statement_ids[0]}": "3", "action": "save"})
    html = client.get(survey.url()).text
    assert "Je link werkt tot en met" in html and "flash-success" in html
    assert "Welkom terug" not in html and "autofocus" not in html
    assert "Welkom terug" in client.get(survey.url()).text  # the next visit resumes


def test_a_step_is_chosen_by_the_link_and_every_step_is_one_form(client, survey):
    html = client.get(survey.url() + "?step=3").text
    assert 'class="card leg step current" id="step-3"' in html
    assert html.count('class="card leg step') == 6 and 'id="step-7"' in html
    assert html.count("<form") == 2  # the survey and the decline; nothing per step
    later = client.get(survey.url() + "?step=99").text
    assert 'id="step-1"' in later and 'step current" id="step-1"' in later


# --- declining -----------------------------------------------------------------------------------


def test_declining_closes_the_invitation_once_without_an_envelope(client, db, survey):
    services.autosave(survey.link, {f"s{survey.statement_ids[0]}": "4"}, "")
    refused = client.post(survey.url() + "/decline", data={"reason": "bored"})
    assert "Kies een van de redenen" in refused.text
    html = client.post(survey.url() + "/decline", data={"reason": "new_in_team"}).text
    assert "Je hebt afgezegd" in html
    invitation = db.session.get(Invitation, survey.invitation.id)
    db.session.refresh(invitation)
    assert invitation.submitted is True and invitation.declined_reason == "new_in_team"
    assert invitation.draft is None and invitation.draft_key_sealed is None
    assert count(db, SealedResponse) == 0
    assert "Je hebt afgezegd" in client.get(survey.url()).text
    assert services.decline(survey.link, "other") == Outcome.ALREADY_SUBMITTED
    send = client.post(survey.url(), data={"action": "submit", f"s{survey.statement_ids[0]}": "3"})
    assert "Je hebt afgezegd" in send.text and count(db, SealedResponse) == 0


def test_the_self_assessment_offers_no_decline(client, survey):
    ((_, self_token),) = survey.links[RaterGroup.SELF]
    assert "/decline" not in client.get(survey.url(self_token)).text
    assert "/decline" in client.get(survey.url()).text


def test_hr_counts_declines_as_answers_per_reason_never_who(db, survey):
    reps = survey.links[RaterGroup.DIRECT_REPORT]
    for (_invitation, token), reason in zip(reps[:2], ("new_in_team", "new_in_team"), strict=True):
        services.decline(services.find_invitation(token).link, reason)
    services.submit(services.find_invitation(reps[2][1]).link, {f"s{survey.statement_ids[0]}": "4"})
    db.session.rollback()
    participation.read_counts([survey.round.id])
    row = db.session.scalars(
        sa.select(ParticipationCount).where(ParticipationCount.group == RaterGroup.DIRECT_REPORT)
    ).one()
    assert row.answered == 3 and row.declines == {"new_in_team": 2}
    dashboard = response_dashboard(survey.round.id)
    assert dashboard.total.answered == 3
    assert dashboard.declined == 2 and [n for _reason, n in dashboard.declines] == [2]


def test_reminders_skip_a_declined_invitation(db, survey):
    from feedback.admin.reminders import send_reminders_now
    from feedback.models import OutboxMessage

    reps = survey.links[RaterGroup.DIRECT_REPORT]
    declined, token = reps[0]
    services.decline(services.find_invitation(token).link, "other")
    db.session.rollback()
    result = send_reminders_now(survey.round.id)
    pending = len(survey.all_links()) - 1
    assert result.raters == pending
    to = set(db.session.scalars(sa.select(OutboxMessage.to)))
    assert declined.email not in to
