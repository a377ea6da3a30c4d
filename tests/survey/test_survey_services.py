"""The write services without HTTP: draft upserts, submit exactly once, refusals."""

import sqlalchemy as sa

from feedback.models import Invitation, Round, RoundStatus, SealedResponse
from feedback.survey import answers, services
from feedback.survey.services import Outcome
from tests.factories import drafts_stored, sealed_answers


def scalar_count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_save_draft_upserts_and_clears(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.link
    assert services.save_draft(inv, {f"s{sid}": "1", "q:stop": "x"}) == Outcome.SAVED
    assert services.save_draft(inv, {f"s{sid}": "5", "q:stop": ""}) == Outcome.SAVED
    assert services.draft_values(inv) == {f"s{sid}": "5"}
    assert db.session.get(Round, survey.round.id).answers_started is True


def test_submit_twice_writes_once(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.link
    assert services.submit(inv, {f"s{sid}": "3"}) == Outcome.SUBMITTED
    assert services.submit(inv, {f"s{sid}": "4"}) == Outcome.ALREADY_SUBMITTED
    assert scalar_count(db, SealedResponse) == 1
    assert [a.scores for a in sealed_answers(db)] == [{sid: 3}]


def test_submit_with_nothing_answered_changes_nothing(db, survey):
    inv = survey.link
    services.save_draft(inv, {"q:start": "alleen tekst"})
    assert services.submit(inv, {"grade": "8"}) == Outcome.NOTHING_ANSWERED
    assert scalar_count(db, SealedResponse) == 0
    assert services.draft_values(inv) == {"q:start": "alleen tekst"}
    assert db.session.get(Invitation, inv.invitation_id).submitted is False


def test_dont_know_counts_as_an_answer_and_is_stored_as_null(db, survey):
    sid = survey.statement_ids[0]
    assert services.submit(survey.link, {f"s{sid}": "dk"}) == Outcome.SUBMITTED
    assert [a.scores for a in sealed_answers(db)] == [{sid: None}]


def test_nothing_is_written_when_the_round_is_not_open(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.link
    db.session.execute(
        sa.update(Round).where(Round.id == survey.round.id).values(status=RoundStatus.CLOSED)
    )
    db.session.commit()
    assert services.save_draft(inv, {f"s{sid}": "2"}) == Outcome.CLOSED
    assert services.submit(inv, {f"s{sid}": "2"}) == Outcome.CLOSED
    assert drafts_stored(db) == 0
    assert scalar_count(db, SealedResponse) == 0
    assert db.session.get(Round, survey.round.id).answers_started is False


def test_draft_after_submit_is_refused(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.link
    services.submit(inv, {f"s{sid}": "2"})
    assert services.save_draft(inv, {f"s{sid}": "5"}) == Outcome.ALREADY_SUBMITTED
    assert drafts_stored(db) == 0


def test_find_invitation(db, survey):
    assert services.find_invitation(survey.token).invitation.id == survey.invitation.id
    assert services.find_invitation("nope") is None


# --- Stale tabs ----------------------------------------------------------------------------


def test_draft_fingerprint_is_empty_for_no_draft_and_follows_every_value():
    draft = {"s1": "4", "q:start": "Meer", "grade": "8"}
    assert answers.draft_fingerprint({}) == ""
    assert answers.draft_fingerprint(draft) == answers.draft_fingerprint(
        dict(reversed(draft.items()))
    )
    assert answers.draft_fingerprint(draft) != answers.draft_fingerprint({**draft, "s1": "5"})
    assert answers.draft_fingerprint(draft) != answers.draft_fingerprint({"s1": "4"})


def test_overwritten_names_the_draft_answers_a_form_would_change_or_clear():
    draft = {"s1": "4", "q:start": "Een\nregel", "grade": "8"}
    posted = {"s1": "4", "s2": "3", "q:start": "Een\r\nregel", "q:stop": "", "grade": ""}
    assert answers.overwritten(draft, posted) == ["grade"]
    assert answers.overwritten(draft, {"s1": "5", "q:start": ""}) == ["q:start", "s1"]
    assert answers.overwritten({}, posted) == []


def test_is_stale_needs_an_outdated_fingerprint_and_a_loss():
    draft = {"q:start": "Van tab A"}
    current = answers.draft_fingerprint(draft)
    clearing = {"q:start": ""}
    assert answers.is_stale(draft, clearing, "") is True  # no or an old fingerprint
    assert answers.is_stale(draft, clearing, "0" * 32) is True
    assert answers.is_stale(draft, clearing, current) is False  # cleared on purpose
    assert answers.is_stale(draft, {"s1": "3"}, "") is False  # adds only
    assert answers.is_stale({}, clearing, "") is False


def test_stale_submit_and_save_write_nothing(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.link
    services.save_draft(inv, {"q:start": "Van tab A", f"s{sid}": "2"})
    stale = {f"s{sid}": "4", "q:start": ""}
    assert services.submit(inv, stale, fingerprint="") == Outcome.STALE
    assert services.save_draft(inv, stale, fingerprint="") == Outcome.STALE
    assert services.draft_values(inv) == {"q:start": "Van tab A", f"s{sid}": "2"}
    assert db.session.get(Invitation, inv.invitation_id).submitted is False
    assert scalar_count(db, SealedResponse) == 0
    current = answers.draft_fingerprint(services.draft_values(inv))
    assert services.submit(inv, stale, fingerprint=current) == Outcome.SUBMITTED


def test_autosave_hands_a_new_fingerprint_only_to_a_current_page(db, survey):
    s1, s2 = survey.statement_ids[:2]
    inv = survey.link
    first = services.autosave(inv, {f"s{s1}": "2"}, "")
    assert (first.outcome, first.fingerprint) == (
        Outcome.SAVED,
        answers.draft_fingerprint({f"s{s1}": "2"}),
    )
    cleared = services.autosave(inv, {f"s{s1}": ""}, first.fingerprint)
    assert (cleared.outcome, cleared.fingerprint, cleared.values) == (Outcome.SAVED, "", {})
    services.autosave(inv, {f"s{s2}": "5"}, "")  # another tab
    behind = services.autosave(inv, {f"s{s1}": "3"}, first.fingerprint)
    # saved; the page stays behind
    assert (behind.outcome, behind.fingerprint) == (Outcome.SAVED, None)
    assert services.draft_values(inv) == {f"s{s1}": "3", f"s{s2}": "5"}


# --- the language switch ---------------------------------------------------------------------


def _language(db, invitation_id):
    db.session.expire_all()
    return db.session.scalar(sa.select(Invitation.language).where(Invitation.id == invitation_id))


def test_switch_language_saves_the_form_and_sets_the_language_in_one_go(db, survey):
    sid = survey.statement_ids[0]
    link = survey.link
    outcome = services.switch_language(link, {f"s{sid}": "2", "q:start": "x"}, "", "en")
    assert outcome == Outcome.SAVED
    assert services.draft_values(link) == {f"s{sid}": "2", "q:start": "x"}
    assert _language(db, link.invitation_id) == "en"
    assert scalar_count(db, SealedResponse) == 0


def test_switch_language_after_a_submit_elsewhere_changes_nothing(db, survey):
    sid = survey.statement_ids[0]
    link = survey.link  # opened before the other tab submitted
    assert services.submit(survey.link, {f"s{sid}": "3"}) == Outcome.SUBMITTED
    outcome = services.switch_language(link, {f"s{sid}": "5"}, None, "en")
    assert outcome == Outcome.ALREADY_SUBMITTED
    assert _language(db, link.invitation_id) == "nl"
    assert drafts_stored(db) == 0
    assert [a.scores for a in sealed_answers(db)] == [{sid: 3}]
    # The pages after submitting may still switch.
    assert services.set_language(link, "en") is True
    assert _language(db, link.invitation_id) == "en"


def test_switch_language_in_a_closed_round_changes_nothing(db, survey):
    link = survey.link
    db.session.execute(
        sa.update(Round).where(Round.id == survey.round.id).values(status=RoundStatus.CLOSED)
    )
    db.session.commit()
    assert services.switch_language(link, {"q:start": "x"}, None, "en") == Outcome.CLOSED
    assert services.set_language(link, "en") is False
    assert _language(db, link.invitation_id) == "nl"
    assert drafts_stored(db) == 0
