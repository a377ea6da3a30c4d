"""The rater's requests stay cheap: a fixed, small number of queries, however many legs.

Counting statements is deterministic where timing is not; the benchmark
(bench/survey_http.py) measures the time.
"""

import contextlib

import sqlalchemy as sa

from feedback.extensions import db as _db


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
