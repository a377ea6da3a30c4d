"""Goals: a published round with two rated managers under one director, accounts for all."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import g

from feedback.clock import today
from feedback.models import RaterGroup, RoundStatus
from feedback.reports.pdf_cache import shutdown_pdf_process
from tests.factories import (
    add_participant,
    add_response,
    make_person,
    make_round,
    make_user,
    statement_ids,
)


@pytest.fixture(autouse=True)
def _request_state_per_request(app):
    """The tests' requests share the test's app context: forget the logged-in user and the
    CSRF token of the request before (tests/security/test_security_login.py does the same)."""

    def forget() -> None:
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


@pytest.fixture(autouse=True)
def _stop_pdf_processes():
    yield
    shutdown_pdf_process()


def rate(db, participant, rnd):
    """Self 5, supervisor 4 and four direct reports 2 to 5; the first leg lowest."""
    ids = statement_ids(rnd)
    low = set(ids[:4])
    add_response(db, participant, group="self", scores=dict.fromkeys(ids, 5), grade=8)
    add_response(db, participant, group="supervisor", scores=dict.fromkeys(ids, 4), grade=7)
    for score in (2, 3, 4, 5):
        scores = {sid: (1 if sid in low else score) for sid in ids}
        add_response(db, participant, group=RaterGroup.DIRECT_REPORT, scores=scores, grade=6)


@pytest.fixture
def world(db):
    director = make_person(db, name="Dora Director", role="director", language="en")
    anne = make_person(db, name="Anne Manager", role="manager", language="nl", manager=director)
    bert = make_person(db, name="Bert Manager", role="manager", language="en", manager=director)
    other = make_person(db, name="Olga Other", role="director", language="en")
    rnd = make_round(db, name="Spring", status=RoundStatus.PUBLISHED)
    anne_part = add_participant(db, rnd, anne)
    bert_part = add_participant(db, rnd, bert)
    rate(db, anne_part, rnd)
    rate(db, bert_part, rnd)
    users = {
        "anne": make_user(db, role="manager", person=anne),
        "bert": make_user(db, role="manager", person=bert),
        "director": make_user(db, role="manager", person=director),
        "other": make_user(db, role="manager", person=other),
        "hr": make_user(db, role="hr"),
    }
    return SimpleNamespace(
        round=rnd,
        anne=anne_part.id,
        bert=bert_part.id,
        users=users,
        soon=(today() + timedelta(days=90)).isoformat(),
    )
