"""Submit exactly once under real concurrency: many threads, a real server, a file database.

Runs on SQLite (WAL, busy timeout, BEGIN IMMEDIATE) and, with FEEDBACK_TEST_DB=postgresql,
on PostgreSQL.
"""

import http.client
import threading
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from feedback.admin.transitions import close_round
from feedback.models import Answer, Invitation, Response, SealedResponse
from feedback.survey import services
from tests.factories import drafts_stored

THANKS = "<h1>Dank je wel!</h1>"
ALREADY = "<h1>Al verstuurd</h1>"


def post_all(base_url, requests):
    """POST every (path, form) at the same moment; return (status, body) per request."""
    barrier = threading.Barrier(len(requests))

    address = urllib.parse.urlsplit(base_url)

    def send(path_and_form):
        path, form = path_and_form
        body = urllib.parse.urlencode(form)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        barrier.wait()
        try:
            connection.request(
                "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
            )
            reply = connection.getresponse()
            return reply.status, reply.read().decode()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def outcome(status, body):
    if status != 200:
        return status
    if THANKS in body:
        return "thanks"
    if ALREADY in body:
        return "already"
    return "other"


def test_twenty_simultaneous_submits_of_one_link_make_one_response(app, db, survey, live_server):
    base_url = live_server(app)
    s1, s2 = survey.statement_ids[:2]
    # A draft exists too: the winner turns it into the response, and it is gone afterwards.
    assert services.save_draft(survey.link, {f"s{s2}": "2"}) == services.Outcome.SAVED

    results = post_all(base_url, [(survey.url(), {f"s{s1}": "4", "grade": "7"})] * 20)

    outcomes = Counter(outcome(status, body) for status, body in results)
    assert outcomes == {"thanks": 1, "already": 19}
    db.session.rollback()  # end the test's own read snapshot
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedResponse)) == 1
    assert drafts_stored(db) == 0
    close_round(survey.round.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1
    response = db.session.scalars(sa.select(Response)).one()
    assert response.grade == 7
    scores = {
        sid: score
        for sid, score in db.session.execute(sa.select(Answer.statement_id, Answer.score))
    }
    assert scores == {s1: 4, s2: 2}


def test_different_raters_submitting_at_once_all_land(app, db, survey, live_server):
    base_url = live_server(app)
    sid = survey.statement_ids[0]
    links = survey.all_links()  # self, supervisor and five direct reports
    # Each rater double-clicks (three times): every rater lands exactly once.
    requests = [
        (survey.url(token), {f"s{sid}": str(1 + n % 5)})
        for n, (_invitation, token) in enumerate(links)
        for _click in range(3)
    ]

    results = post_all(base_url, requests)

    outcomes = Counter(outcome(status, body) for status, body in results)
    assert outcomes == {"thanks": len(links), "already": 2 * len(links)}
    db.session.rollback()  # end the test's own read snapshot
    assert all(db.session.scalars(sa.select(Invitation.submitted)))
    close_round(survey.round.id)
    groups = Counter(db.session.scalars(sa.select(Response.group)))
    assert groups == {"self": 1, "supervisor": 1, "direct_report": len(links) - 2}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == len(links)
