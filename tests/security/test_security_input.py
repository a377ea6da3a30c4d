"""Hostile input to the rater's link: bad bytes, unknown fields, two tabs, GET on POST-only
endpoints. Bad input gets a clear message and changes nothing; no input costs answers."""

import re

import sqlalchemy as sa

from feedback.models import Invitation, RaterGroup, SealedResponse
from tests.factories import draft_of, make_rated_manager, sealed_answers, statement_ids
from tests.security.security_helpers import snapshot


def _link(db):
    rnd, _part, links = make_rated_manager(db)
    invitation, token = links[RaterGroup.DIRECT_REPORT][0]
    return rnd, invitation, token


def _drafts(db, invitation_id):
    db.session.expire_all()
    return draft_of(db, invitation_id)


def _the_sealed_response(db):
    (answers,) = sealed_answers(db)
    return answers


def test_nul_byte_in_a_comment_is_a_clear_error_and_keeps_the_draft(db, client):
    """PostgreSQL cannot store NUL in text: it must be refused by validation, not a 500."""
    rnd, invitation, token = _link(db)
    first = statement_ids(rnd)[0]
    assert client.post(f"/s/{token}/answer", data={"q:start": "kept"}).status_code == 200
    before = snapshot(db)
    response = client.post(f"/s/{token}/answer", data={"q:start": "a\x00b"})
    assert response.status_code == 200
    assert "error" in response.get_data(as_text=True)
    response = client.post(f"/s/{token}", data={"q:start": "a\x00b", f"s{first}": "4"})
    assert response.status_code == 200
    assert snapshot(db) == before
    assert _drafts(db, invitation.id) == {"q:start": "kept"}


def test_autosave_with_unknown_fields_changes_nothing(db, client):
    rnd, invitation, token = _link(db)
    first = statement_ids(rnd)[0]
    before = snapshot(db)
    for data in (
        {"s999999": "3"},
        {"group": "supervisor"},
        {"participant_id": "1"},
        {f"s{first}": "6"},
        {f"s{first}": "-1"},
        {"grade": "11"},
        {"grade": "0"},
        {"grade": "99999999999999999999"},
    ):
        response = client.post(f"/s/{token}/answer", data={f"s{first}": "4", **data})
        assert response.status_code == 200, data
    assert snapshot(db) == before


def test_post_only_survey_endpoints_refuse_get_and_change_nothing(db, client):
    _rnd, _invitation, token = _link(db)
    before = snapshot(db)
    assert client.get(f"/s/{token}/answer").status_code == 405
    assert snapshot(db) == before


def test_draft_from_one_tab_and_submit_from_another_keeps_the_answers(db, client):
    """Tab A autosaves the statements and the grade; tab B, opened before, submits its form
    with only the radio it touched (unchecked radios are not posted)."""
    rnd, invitation, token = _link(db)
    ids = statement_ids(rnd)
    for sid in ids[:5]:
        client.post(f"/s/{token}/answer", data={f"s{sid}": "2"})
    client.post(f"/s/{token}/answer", data={"grade": "8"})
    response = client.post(f"/s/{token}", data={f"s{ids[6]}": "5"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).submitted
    saved = _the_sealed_response(db)
    assert saved.grade == 8
    assert sorted(saved.scores) == sorted([*ids[:5], ids[6]])


def test_stale_tab_submitting_empty_comment_and_grade_keeps_the_autosaved_ones(db, client):
    """Tab B was opened before tab A autosaved a comment and a grade. Tab B's form posts
    every textarea and the grade select, empty; submitting it must not drop tab A's work:
    nothing is written, the form comes back with A's answers and a warning, and submitting
    that form works."""
    rnd, invitation, token = _link(db)
    first = statement_ids(rnd)[0]
    client.post(f"/s/{token}/answer", data={"q:start": "written in tab A"})
    client.post(f"/s/{token}/answer", data={"grade": "8"})
    stale_form = {f"s{first}": "4", "q:start": "", "q:stop": "", "q:continue": "", "grade": ""}
    warned = client.post(f"/s/{token}", data=stale_form)
    assert warned.status_code == 200
    page = warned.get_data(as_text=True)
    assert "in een ander venster of tabblad gewijzigd" in page
    assert "written in tab A</textarea>" in page and '<option value="8" selected>' in page
    assert _drafts(db, invitation.id) == {"q:start": "written in tab A", "grade": "8"}
    assert db.session.scalar(sa.select(sa.func.count(SealedResponse.id))) == 0
    fingerprint = re.search(r'name="draft_fingerprint" value="(\w+)"', page).group(1)
    shown = {**stale_form, "q:start": "written in tab A", "grade": "8"}
    again = client.post(f"/s/{token}", data={**shown, "draft_fingerprint": fingerprint})
    assert again.status_code == 200
    db.session.expire_all()
    saved = _the_sealed_response(db)
    assert saved.grade == 8
    assert list(saved.comments.values()) == ["written in tab A"]
