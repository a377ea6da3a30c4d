"""Closing a round while raters submit: every submit either lands before the close (and
is in the report data) or is refused as a closed round; none is stored after the close,
none is lost. Real concurrency: a threaded server, raters posting at once, HR closing."""

import http.client
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from werkzeug.serving import make_server

from feedback.admin.transitions import close_round
from feedback.extensions import db as _db
from feedback.models import Comment, RaterGroup, SealedResponse
from tests.factories import make_invitation, make_rated_manager

RATERS = 16


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _post(port, path, form):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        body = urllib.parse.urlencode(form)
        connection.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        reply = connection.getresponse()
        return reply.status, reply.read().decode()
    finally:
        connection.close()


def test_a_submit_racing_the_close_lands_before_it_or_is_refused(app, db):
    rnd, participant, _links = make_rated_manager(db, reports=0)
    round_id, sid = rnd.id, rnd.framework.statements[0].id
    tokens = [
        make_invitation(db, participant, group=RaterGroup.DIRECT_REPORT)[1] for _ in range(RATERS)
    ]
    db.session.commit()
    server, thread = _serve(app)
    port = server.server_port
    start = threading.Barrier(RATERS + 1)

    def rater(n):
        start.wait()
        return _post(port, f"/s/{tokens[n]}", {f"s{sid}": "4", "q:start": f"rater {n:02d}"})

    def hr():
        start.wait()
        with app.app_context():
            close_round(round_id)
            _db.session.remove()

    try:
        with ThreadPoolExecutor(max_workers=RATERS + 1) as pool:
            closing = pool.submit(hr)
            results = list(pool.map(rater, range(RATERS)))
            closing.result(timeout=120)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    landed = {n for n, (status, body) in enumerate(results) if status == 200 and "Dank je" in body}
    refused = {n for n, (status, _body) in enumerate(results) if status == 404}
    assert landed | refused == set(range(RATERS)), results
    db.session.remove()
    stored = set(_db.session.scalars(sa.select(Comment.text)))
    assert stored == {f"rater {n:02d}" for n in landed}
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(SealedResponse)) == 0
