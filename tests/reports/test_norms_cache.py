"""Organisation norms of a settled round are computed once per process, never for open ones."""

import pytest

from feedback.models import RaterGroup, RoundStatus
from feedback.reports import queries
from feedback.reports.builder import build_report
from tests.factories import add_rated_participant, add_response, make_rated_manager, statement_ids


def _round_with_three_managers(db, status):
    rnd, participant, _links = make_rated_manager(db, reports=3, status=status)
    others = [add_rated_participant(db, rnd) for _ in range(2)]
    ids = statement_ids(rnd)
    for p, score in [(participant, 4), (others[0], 3), (others[1], 2)]:
        for _ in range(3):
            add_response(db, p, group=RaterGroup.DIRECT_REPORT, scores=dict.fromkeys(ids, score))
    return rnd, participant


def test_settled_round_norms_are_computed_once(db, monkeypatch):
    rnd, participant = _round_with_three_managers(db, RoundStatus.PUBLISHED)
    calls = []
    real = queries.round_norms
    monkeypatch.setattr(queries, "round_norms", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = build_report(rnd.id, participant.id, "nl")
    second = build_report(rnd.id, participant.id, "en")
    assert len(calls) == 1
    assert first.legs[0].norm == second.legs[0].norm
    assert first.legs[0].norm.mean == pytest.approx(3.0)
    assert first.legs[0].norm.n_managers == 3


def test_open_round_norms_are_computed_every_time(db, monkeypatch):
    rnd, participant = _round_with_three_managers(db, RoundStatus.OPEN)
    calls = []
    real = queries.round_norms
    monkeypatch.setattr(queries, "round_norms", lambda *a, **k: calls.append(a) or real(*a, **k))
    build_report(rnd.id, participant.id, "nl")
    build_report(rnd.id, participant.id, "nl")
    assert len(calls) == 2
