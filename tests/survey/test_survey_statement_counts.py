"""A submit is one read and one write transaction, and the thanks page loads nothing more.

Statement counts are deterministic where timing is not (bench/survey_http.py measures time).
"""

import sqlalchemy as sa

from feedback.extensions import db as _db
from tests.survey.test_survey_queries import count_queries


def test_a_submit_runs_two_transactions_and_at_most_fifteen_statements(client, survey, app):
    with app.app_context():
        engine = _db.engine
    form = {f"s{sid}": "4" for sid in survey.statement_ids}
    form["action"] = "submit"
    client.get(survey.url())
    with count_queries(engine) as statements:
        response = client.post(survey.url(), data=form)
    assert response.status_code == 200
    assert "survey-done" in response.get_data(as_text=True)
    begins = [s for s in statements if s.startswith("BEGIN")]
    # The read (invitation, round, framework) and the write; the thanks page reloads
    # nothing after the commit (it was 21 statements in 3 transactions).
    assert len(begins) <= 2, statements
    assert len(statements) <= 15, statements
    with app.app_context():
        assert _db.session.scalar(sa.text("SELECT count(*) FROM sealed_response")) == 1
