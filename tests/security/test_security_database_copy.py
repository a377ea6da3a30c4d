"""Anonymity against someone holding a copy of the database (SECURITY.md).

Raters answer through HTTP, the round is closed the way an operator closes it (the CLI),
and then the database is read the way a curious DBA would: system columns, raw files,
every row as text.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback.admin.transitions import close_round
from feedback.extensions import db as _db
from feedback.models import (
    Invitation,
    InvitationToken,
    OutboxMessage,
    RaterGroup,
    Response,
    SealedResponse,
)
from feedback.sealing import encode_key
from tests.factories import make_invitation, make_rated_manager

INVITATION_SIDE = (
    "invitation",
    "invitation_token",
    "outbox_message",
    "participation_count",
    "participant",
    "person",
    "user",
    "round",
)
RESPONSE_SIDE = ("response", "answer", "comment", "sealed_response")


def marker() -> str:
    return f"MARK{uuid.uuid4().hex}"


def submit_with_comment(client, token, statement_id, text, grade="7"):
    page = client.post(
        f"/s/{token}", data={f"s{statement_id}": "4", "q:start": text, "grade": grade}
    )
    assert page.status_code == 200 and "Dank je wel" in page.text


def close_by_cli(app, round_id):
    result = app.test_cli_runner().invoke(args=["rounds", "close", str(round_id)])
    assert result.exit_code == 0, result.output
    return result.output


def every_row_as_text(db) -> str:
    """What a dump of every table would show (blobs as hex), as one string."""
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            for value in row:
                parts.append(value.hex() if isinstance(value, bytes) else str(value))
    return "\n".join(parts)


@pytest.fixture
def answered_round(app, db, client):
    """An open round whose self, supervisor and three direct reports answered through the
    survey link, each with a marked comment; one more direct report only saved a draft."""
    rnd, participant, links = make_rated_manager(db)
    sid = rnd.framework.statements[0].id
    markers = []
    answering = [
        links[RaterGroup.SELF][0],
        links[RaterGroup.SUPERVISOR][0],
        *links[RaterGroup.DIRECT_REPORT][:3],
    ]
    for _invitation, token in answering:
        text = marker()
        markers.append(text)
        submit_with_comment(client, token, sid, text)
    draft_marker = marker()
    waiting_token = links[RaterGroup.DIRECT_REPORT][3][1]
    saved = client.post(f"/s/{waiting_token}/answer", data={"q:stop": draft_marker})
    assert saved.status_code == 200
    return rnd, markers, draft_marker


# --- while the round is open ---------------------------------------------------------------


def test_while_open_no_answer_or_draft_is_readable_from_the_database(db, answered_round):
    rnd, markers, draft_marker = answered_round
    db.session.expire_all()
    dump = every_row_as_text(db)
    for text in [*markers, draft_marker]:
        assert text not in dump
        assert text.encode().hex() not in dump
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedResponse)) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
    # The envelopes are all the same size: a long comment does not show as a long row.
    sizes = {len(blob) for blob in db.session.scalars(sa.select(SealedResponse.sealed))}
    assert len(sizes) == 1


def test_sqlite_files_hold_no_answer_while_open_and_each_comment_once_after_close(
    app, db, answered_round
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads the SQLite database files")
    rnd, markers, draft_marker = answered_round
    path = Path(db.engine.url.database)
    files = [path, path.with_name(path.name + "-wal")]

    def occurrences(text):
        data = b"".join(f.read_bytes() for f in files if f.exists())
        return data.count(text.encode())

    assert all(occurrences(text) == 0 for text in [*markers, draft_marker])
    assert db.session.execute(sa.text("PRAGMA secure_delete")).scalar() == 1
    db.session.commit()
    close_by_cli(app, rnd.id)
    _db.session.remove()
    wal = files[1]
    assert not wal.exists() or wal.stat().st_size == 0, "the WAL was truncated after close"
    assert [occurrences(text) for text in markers] == [1] * len(markers)
    assert occurrences(draft_marker) == 0


# --- after close ------------------------------------------------------------------------------


def test_postgresql_no_invitation_side_row_shares_a_transaction_with_a_response_row(
    app, db, answered_round
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's system columns: run with FEEDBACK_TEST_DB=postgresql")
    rnd, markers, _draft = answered_round
    db.session.commit()
    # Before close the submit transactions pair invitations with envelopes (sealed ones).
    close_by_cli(app, rnd.id)
    db.session.remove()

    def ids(table):
        rows = db.session.execute(sa.text(f'SELECT xmin::text, xmax::text FROM "{table}"'))
        return {value for row in rows for value in row if value != "0"}

    invitation_side = set().union(*(ids(t) for t in INVITATION_SIDE))
    response_side = set().union(*(ids(t) for t in RESPONSE_SIDE))
    assert response_side, "the response rows exist"
    assert invitation_side.isdisjoint(response_side)
    for table in INVITATION_SIDE:
        for other in RESPONSE_SIDE:
            joined = db.session.scalar(
                sa.text(f'SELECT count(*) FROM "{table}" a JOIN "{other}" b ON a.xmin = b.xmin')
            )
            assert joined == 0, (table, other)
    # The comments are there, once each, and nothing is left sealed.
    texts = db.session.scalars(sa.select(sa.text("text")).select_from(sa.table("comment"))).all()
    assert sorted(texts) == sorted(markers)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedResponse)) == 0


def test_a_copy_after_close_cannot_tell_which_invitee_of_a_small_group_answered(app, db, client):
    rnd, participant, links = make_rated_manager(db, reports=3)
    peer_a, token_a = make_invitation(db, participant, group=RaterGroup.PEER)
    peer_b, _token_b = make_invitation(db, participant, group=RaterGroup.PEER)
    sid = rnd.framework.statements[0].id
    round_id, peers = rnd.id, [peer_a.id, peer_b.id]
    submit_with_comment(client, token_a, sid, "Een collega die antwoordde")
    # A reminder to everyone who has not answered: peer B gets a second link, A does not.
    from feedback.admin.reminders import send_reminders_now

    send_reminders_now(round_id)
    close_round(round_id)
    db.session.remove()

    per_person = ("id", "person_id", "email")
    columns = [c for c in Invitation.__table__.columns if c.name not in per_person]
    rows = db.session.execute(sa.select(*columns).where(Invitation.id.in_(peers))).all()
    assert len(rows) == 2 and rows[0] == rows[1], "the two peers' invitations look alike"
    assert rows[0].submitted is None and rows[0].draft is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvitationToken)) == 0
    kinds = set(
        db.session.scalars(sa.select(OutboxMessage.kind).where(OutboxMessage.round_id == round_id))
    )
    assert "reminder" not in kinds, "reminders went only to those who had not answered"
    # The one peer response is there, as an answer of "a peer", and nothing says whose.
    groups = db.session.scalars(sa.select(Response.group).where(Response.round_id == round_id))
    assert list(groups) == ["peer"]


# --- durability -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVER = """
import sys
from feedback import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "WTF_CSRF_ENABLED": False})
app.run(host="127.0.0.1", port=int(sys.argv[2]), use_reloader=False)
"""


def test_an_acknowledged_answer_survives_a_killed_server_and_is_opened_at_close(
    app, db, database_url, tmp_path
):
    """The envelope is committed before the rater sees "thank you": kill the server right
    after, start again, close the round, and the answer is in the report data."""
    rnd, _participant, links = make_rated_manager(db)
    sid, round_id = rnd.framework.statements[0].id, rnd.id
    token = links[RaterGroup.DIRECT_REPORT][0][1]
    text = marker()
    db.session.commit()
    port = _free_port()
    env = {
        **os.environ,
        "SEAL_KEYS": encode_key(app.config["SEAL_KEY_LIST"][0]),
        "SECRET_KEY": "test",
    }
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, database_url, str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        body = urllib.parse.urlencode({f"s{sid}": "5", "q:start": text}).encode()
        with urllib.request.urlopen(  # noqa: S310
            f"http://127.0.0.1:{port}/s/{token}", data=body, timeout=30
        ) as reply:
            assert "Dank je wel" in reply.read().decode()
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    db.session.remove()
    close_round(round_id)
    texts = db.session.scalars(sa.text("SELECT text FROM comment")).all()
    assert texts == [text]


def test_closing_without_the_seal_key_changes_nothing_and_says_what_to_restore(
    app, db, answered_round
):
    rnd, _markers, _draft = answered_round
    round_id = rnd.id
    db.session.commit()
    app.config["SEAL_KEY_LIST"] = [bytes(32)]  # another key than the one that sealed
    result = app.test_cli_runner().invoke(args=["rounds", "close", str(round_id)])
    assert result.exit_code != 0
    assert re.search(r"restore that key", result.output + str(result.exception or ""))
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedResponse)) == 5
    assert (
        db.session.scalar(sa.text("SELECT status FROM round WHERE id = :id"), {"id": round_id})
        == "open"
    )


def test_postgresql_close_waits_for_a_submit_in_flight_and_opens_its_envelope(app, db):
    """A submit holds the round FOR SHARE until it commits; closing (an UPDATE of the round)
    waits for it, so the envelope it writes is opened, never left behind."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks between two PostgreSQL sessions")
    import threading

    from feedback import envelopes, sealing

    rnd, participant, links = make_rated_manager(db)
    round_id, participant_id = rnd.id, participant.id
    sid = rnd.framework.statements[0].id
    db.session.commit()
    in_flight = db.engine.connect()
    in_flight.execute(
        sa.text("SELECT status FROM round WHERE id = :id FOR SHARE"), {"id": round_id}
    )
    closed = threading.Event()

    def close():
        with app.app_context():
            close_round(round_id)
            closed.set()

    closer = threading.Thread(target=close)
    closer.start()
    assert not closed.wait(1.5), "closing must wait for the submit in flight"
    answers = envelopes.SealedAnswers(participant_id, "direct_report", 8, {sid: 5}, {})
    in_flight.execute(
        sa.insert(SealedResponse.__table__).values(
            id=str(uuid.uuid4()),
            round_id=round_id,
            sealed=envelopes.seal_answers(round_id, answers, sealing.seal),
        )
    )
    in_flight.commit()
    in_flight.close()
    closer.join(timeout=60)
    assert closed.is_set()
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedResponse)) == 0
    grades = db.session.scalars(sa.select(Response.grade).where(Response.round_id == round_id))
    assert list(grades) == [8]


def test_sealed_answers_outlive_a_restart_with_a_new_secret_key(app, db, answered_round):
    """SECRET_KEY signs sessions only: an app started with another one (same seal key)
    still opens every envelope."""
    from feedback import create_app
    from feedback.config import TestConfig

    rnd, markers, _draft = answered_round
    round_id = rnd.id
    db.session.commit()
    db.session.remove()

    class Restarted(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        SECRET_KEY = "a-completely-different-secret"

    restarted = create_app(Restarted)
    with restarted.app_context():
        close_round(round_id)
        texts = _db.session.scalars(sa.text("SELECT text FROM comment")).all()
        _db.session.remove()
        _db.engine.dispose()
    assert sorted(texts) == sorted(markers)
