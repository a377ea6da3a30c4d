"""The write services without HTTP: draft upserts, submit exactly once, refusals."""

import sqlalchemy as sa

from feedback.models import Answer, DraftAnswer, Invitation, Response, Round, RoundStatus
from feedback.survey import services
from feedback.survey.services import Outcome


def scalar_count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_save_draft_upserts_and_clears(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.invitation.id
    assert services.save_draft(inv, {f"s{sid}": "1", "q:stop": "x"}) == Outcome.SAVED
    assert services.save_draft(inv, {f"s{sid}": "5", "q:stop": ""}) == Outcome.SAVED
    assert services.draft_values(inv) == {f"s{sid}": "5"}
    assert db.session.get(Round, survey.round.id).answers_started is True


def test_submit_twice_writes_once(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.invitation.id
    assert services.submit(inv, {f"s{sid}": "3"}) == Outcome.SUBMITTED
    assert services.submit(inv, {f"s{sid}": "4"}) == Outcome.ALREADY_SUBMITTED
    assert scalar_count(db, Response) == 1
    assert db.session.scalar(sa.select(Answer.score)) == 3


def test_submit_with_nothing_answered_changes_nothing(db, survey):
    inv = survey.invitation.id
    services.save_draft(inv, {"q:start": "alleen tekst"})
    assert services.submit(inv, {"grade": "8"}) == Outcome.NOTHING_ANSWERED
    assert scalar_count(db, Response) == 0
    assert services.draft_values(inv) == {"q:start": "alleen tekst"}
    assert db.session.get(Invitation, inv).submitted is False


def test_dont_know_counts_as_an_answer_and_is_stored_as_null(db, survey):
    sid = survey.statement_ids[0]
    assert services.submit(survey.invitation.id, {f"s{sid}": "dk"}) == Outcome.SUBMITTED
    assert db.session.execute(sa.select(Answer.statement_id, Answer.score)).one() == (sid, None)


def test_nothing_is_written_when_the_round_is_not_open(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.invitation.id
    db.session.execute(
        sa.update(Round).where(Round.id == survey.round.id).values(status=RoundStatus.CLOSED)
    )
    db.session.commit()
    assert services.save_draft(inv, {f"s{sid}": "2"}) == Outcome.CLOSED
    assert services.submit(inv, {f"s{sid}": "2"}) == Outcome.CLOSED
    assert scalar_count(db, DraftAnswer) == 0
    assert scalar_count(db, Response) == 0
    assert db.session.get(Round, survey.round.id).answers_started is False


def test_draft_after_submit_is_refused(db, survey):
    sid = survey.statement_ids[0]
    inv = survey.invitation.id
    services.submit(inv, {f"s{sid}": "2"})
    assert services.save_draft(inv, {f"s{sid}": "5"}) == Outcome.ALREADY_SUBMITTED
    assert scalar_count(db, DraftAnswer) == 0


def test_find_invitation(db, survey):
    assert services.find_invitation(survey.token).id == survey.invitation.id
    assert services.find_invitation("nope") is None
