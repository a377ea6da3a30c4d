"""What the rater's link and its side channels give away."""

from datetime import date, timedelta

import sqlalchemy as sa

from feedback.admin.transitions import close_round
from feedback.extensions import db as _db
from feedback.models import (
    Comment,
    Invitation,
    RaterGroup,
    Response,
    Round,
    RoundStatus,
    SealedResponse,
)
from tests.factories import login, make_rated_manager, statement_ids


def test_wrong_token_closed_round_and_past_close_date_look_the_same(db, client):
    rnd, _part, links = make_rated_manager(db)
    _invitation, closed_token = links[RaterGroup.DIRECT_REPORT][0]
    _invitation, late_token = links[RaterGroup.DIRECT_REPORT][1]
    wrong = client.get("/s/this-token-never-existed")
    pages = [wrong]
    rnd.status = RoundStatus.CLOSED
    db.session.commit()
    pages.append(client.get(f"/s/{closed_token}"))
    rnd.status = RoundStatus.OPEN
    rnd.opens_on = date.today() - timedelta(days=30)
    rnd.closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    pages.append(client.get(f"/s/{late_token}"))
    for page in pages:
        assert page.status_code == 404
        assert page.data == wrong.data
        assert page.headers.get("Content-Type") == wrong.headers.get("Content-Type")
    for url in (f"/s/{closed_token}/answer", f"/s/{late_token}"):
        assert (
            client.post(url, data={"grade": "5"}).data
            == client.post("/s/nope", data={"grade": "5"}).data
        )


def test_survey_page_sends_no_referrer_and_is_not_cached(db, client):
    _rnd, _part, links = make_rated_manager(db)
    _invitation, token = links[RaterGroup.DIRECT_REPORT][0]
    response = client.get(f"/s/{token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_response_rows_come_back_in_an_order_unrelated_to_arrival(db, client):
    """Twelve raters submit in turn; once the round is closed, the stored order of responses
    and of comments (what a plain SELECT returns) is not the order of arrival, and no
    response keeps the key its envelope had."""
    rnd, part, _links = make_rated_manager(db, reports=0)
    from tests.factories import make_invitation

    first = statement_ids(rnd)[0]
    for k in range(12):
        _inv, token = make_invitation(db, part, group=RaterGroup.DIRECT_REPORT)
        posted = {f"s{first}": str(k % 5 + 1), "q:start": f"rater {k:02d}"}
        assert client.post(f"/s/{token}", data=posted).status_code == 200
    envelope_ids = set(_db.session.scalars(sa.select(SealedResponse.id)))
    assert len(envelope_ids) == 12
    close_round(rnd.id)
    _db.session.expire_all()
    stored = list(_db.session.scalars(sa.select(Response.id)))
    assert len(stored) == 12 and not envelope_ids & set(stored)
    arrival = [f"rater {k:02d}" for k in range(12)]
    comments = list(_db.session.scalars(sa.select(Comment.text)))
    assert sorted(comments) == arrival and comments != arrival
    by_response = dict(_db.session.execute(sa.select(Comment.response_id, Comment.text)).all())
    assert [by_response[r] for r in stored] != arrival


def test_hr_sees_counts_not_who_responded(db, client):
    """The HR dashboard and round page never name a rater or say who has answered."""
    from tests.factories import make_user

    rnd, _part, links = make_rated_manager(db, reports=4)
    responded, token = links[RaterGroup.DIRECT_REPORT][0]
    silent = links[RaterGroup.DIRECT_REPORT][1][0]
    first = statement_ids(rnd)[0]
    client.post(f"/s/{token}", data={f"s{first}": "4"})
    hr = make_user(db, role="hr")
    other = client.application.test_client()
    login(other, hr)
    _db.session.expire_all()
    responded = _db.session.get(Invitation, responded.id)
    silent = _db.session.get(Invitation, silent.id)
    for url in (f"/admin/rounds/{rnd.id}", f"/admin/rounds/{rnd.id}/dashboard"):
        page = other.get(url).get_data(as_text=True)
        assert responded.email not in page, url
        assert silent.email not in page, url
        assert responded.person.name not in page, url
    assert _db.session.get(Round, rnd.id).status == RoundStatus.OPEN


def test_hostile_names_are_escaped_on_the_survey_and_in_reports(db, client):
    """A manager's name, a round name and a comment full of markup stay text everywhere."""
    from tests.factories import add_response, make_user

    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"
    rnd, part, links = make_rated_manager(db)
    part.person.name = evil
    rnd.name = evil
    db.session.commit()
    _invitation, token = links[RaterGroup.DIRECT_REPORT][0]
    survey = client.get(f"/s/{token}").get_data(as_text=True)
    assert "<script>alert(1)" not in survey and "<img src=x" not in survey
    ids = statement_ids(rnd)
    for _ in range(3):
        add_response(
            db,
            part,
            group=RaterGroup.DIRECT_REPORT,
            scores={i: 3 for i in ids},
            comments={"start": evil},
        )
    rnd.status = RoundStatus.PUBLISHED
    db.session.commit()
    login(client, make_user(db, role="hr"))
    for url in (
        f"/reports/{part.id}?tab=comments",
        f"/reports/{part.id}",
        f"/admin/rounds/{rnd.id}",
        "/admin/",
        f"/insights/rounds/{rnd.id}",
        f"/reports/rounds/{rnd.id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert evil[:8].replace("<", "&lt;") in page or "&lt;script" in page, url
        assert "<script>alert(1)" not in page and "<img src=x" not in page, url
