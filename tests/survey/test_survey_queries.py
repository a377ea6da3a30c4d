"""The rater's requests stay cheap: a fixed, small number of queries, however many legs.

Counting statements is deterministic where timing is not; the benchmark
(bench/survey_http.py) measures the time.
"""

import contextlib
import re

import sqlalchemy as sa

from feedback.extensions import db as _db
from feedback.survey.answers import FINGERPRINT


@contextlib.contextmanager
def count_queries(engine):
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_survey_page_loads_the_framework_in_a_few_queries(client, survey, app):
    with app.app_context():
        engine = _db.engine
    with count_queries(engine) as statements:
        response = client.get(survey.url())
    assert response.status_code == 200
    # invitation (+participant, round, person), framework, legs, statements, open
    # questions, draft: not one query per leg or statement.
    assert len(statements) <= 7, len(statements)


def test_autosave_does_not_reload_the_framework(client, survey, app):
    with app.app_context():
        engine = _db.engine
    field = f"s{survey.statement_ids[0]}"
    with count_queries(engine) as statements:
        response = client.post(
            survey.url() + "/answer", data={field: "4"}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert "1 of" in response.get_data(as_text=True) or "1 van" in response.get_data(as_text=True)
    assert len(statements) <= 12, len(statements)


def _sql(statements: list[str]) -> list[str]:
    """Each statement's first word, with the locks it takes (FOR SHARE, FOR UPDATE) and BEGIN
    kept whole."""
    out = []
    for statement in statements:
        words = statement.split()
        if words[0] == "BEGIN":
            out.append(" ".join(words))
        elif "FOR SHARE" in statement or "FOR UPDATE" in statement:
            locks = [lock for lock in ("FOR SHARE", "FOR UPDATE") if lock in statement]
            out.append(f"{words[0]} {', '.join(locks)}")
        else:
            out.append(words[0])
    return out


def _opened(client, survey, app):
    """The engine, and the page's draft fingerprint after a first visit (which loads the
    round's framework into the process's cache)."""
    with app.app_context():
        engine = _db.engine
    page = client.get(survey.url()).get_data(as_text=True)
    fingerprint = re.search(rf'name="{FINGERPRINT}" value="([^"]*)"', page).group(1)
    return engine, fingerprint


def test_a_visit_is_one_query(client, survey, app):
    engine, _fingerprint = _opened(client, survey, app)
    with count_queries(engine) as statements:
        assert client.get(survey.url()).status_code == 200
    assert [s for s in _sql(statements) if not s.startswith("BEGIN")] == ["SELECT"]


def test_an_autosave_reads_once_and_writes_once(client, survey, app):
    """On SQLite the visit is read under the write lock and nothing is asked twice; on
    PostgreSQL the round is locked for share and the invitation for update, in that order,
    and the draft comes with the invitation's lock."""
    engine, _fingerprint = _opened(client, survey, app)
    field = f"s{survey.statement_ids[0]}"

    def autosave(value):
        response = client.post(
            survey.url() + "/answer", data={field: value}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert 'class="save-state saved"' in response.get_data(as_text=True)

    autosave("4")  # the round's first answer also freezes its framework
    with count_queries(engine) as statements:
        autosave("3")
    if engine.dialect.name == "sqlite":
        assert _sql(statements) == ["BEGIN IMMEDIATE", "SELECT", "UPDATE"]
    else:
        assert _sql(statements) == ["SELECT", "WITH FOR SHARE, FOR UPDATE", "UPDATE"]


def test_a_submit_is_one_transaction_without_second_looks(client, survey, app):
    engine, fingerprint = _opened(client, survey, app)
    form = {f"s{sid}": "4" for sid in survey.statement_ids}
    form.update({"grade": "7", "action": "submit", FINGERPRINT: fingerprint})
    with count_queries(engine) as statements:
        response = client.post(survey.url(), data=form)
    assert response.status_code == 200
    assert "survey-done" in response.get_data(as_text=True)
    locks = [] if engine.dialect.name == "sqlite" else ["WITH FOR SHARE, FOR UPDATE"]
    begin = ["BEGIN IMMEDIATE"] if engine.dialect.name == "sqlite" else []
    # the visit, [the locks,] the round's first answer freezing it, the claim, the envelope
    assert _sql(statements) == [*begin, "SELECT", "UPDATE", *locks, "UPDATE", "INSERT"]


def test_postgresql_a_write_locks_the_round_before_its_invitation(app, db, survey):
    """The one statement that takes an autosave's locks takes the round's first: while
    closing holds the round, a waiting autosave holds nothing of the invitation (closing
    can lock it at once, no deadlock), and once the close commits it sees the round
    closed and writes nothing."""
    import threading

    import pytest

    from feedback.survey import services
    from feedback.survey.services import Outcome

    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks between two PostgreSQL sessions")
    link, field = survey.link, f"s{survey.statement_ids[0]}"
    services.autosave(link, {field: "4"}, "")  # the round's answers have started
    round_id, invitation_id = survey.round.id, survey.invitation.id
    db.session.commit()
    closing = db.engine.connect()
    closing.execute(sa.text("SELECT 1 FROM round WHERE id = :id FOR UPDATE"), {"id": round_id})
    outcome = []

    def autosave():
        with app.app_context():
            outcome.append(services.autosave(link, {field: "2"}, "").outcome)
            _db.session.remove()

    saver = threading.Thread(target=autosave)
    saver.start()
    saver.join(timeout=1.0)
    assert saver.is_alive(), "the autosave must wait for the round"
    closing.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
    closing.execute(
        sa.text("SELECT 1 FROM invitation WHERE id = :id FOR UPDATE NOWAIT"), {"id": invitation_id}
    )
    closing.execute(sa.text("UPDATE round SET status = 'closed' WHERE id = :id"), {"id": round_id})
    closing.commit()
    closing.close()
    saver.join(timeout=30)
    assert outcome == [Outcome.CLOSED]
    db.session.remove()
    assert services.draft_values(link) == {field: "4"}
