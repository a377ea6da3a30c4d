"""The report's SQL against hand-computed numbers (SQLite; FEEDBACK_TEST_DB=postgresql too)."""

import pytest

from feedback.models import RaterGroup
from feedback.reports import queries
from feedback.reports.aggregation import Tally
from tests.factories import (
    add_rated_participant,
    add_response,
    make_rated_manager,
    statement_ids,
)

DR, PEER = RaterGroup.DIRECT_REPORT, RaterGroup.PEER


def seed_manager_a(db, participant, s1, s2, s3):
    """Leg 1 (statements s1, s2, s3) of manager A; None = "don't know", missing = no row."""
    add_response(db, participant, group="self", scores={s1: 4, s2: 5, s3: None}, grade=8)
    add_response(db, participant, group="supervisor", scores={s1: 3, s2: 3, s3: 3}, grade=7)
    add_response(db, participant, group=DR, scores={s1: 2, s2: 4, s3: None}, grade=6)
    add_response(db, participant, group=DR, scores={s1: 4, s2: None, s3: None})  # 1 of 3
    add_response(db, participant, group=DR, scores={s1: 4, s2: 5, s3: 3}, grade=8)
    add_response(db, participant, group=DR, scores={s1: 5, s3: 1}, grade=9)  # s2 skipped
    add_response(db, participant, group=PEER, scores={s1: 1, s2: 2, s3: 3}, grade=5)
    add_response(db, participant, group=PEER, scores={s1: 5, s2: 5, s3: 5}, grade=7)


@pytest.fixture
def rated(db):
    rnd, participant, _links = make_rated_manager(db)
    s1, s2, s3 = statement_ids(rnd)[:3]
    seed_manager_a(db, participant, s1, s2, s3)
    # Another manager in the same round, with answers that must never leak into A's figures.
    other = add_rated_participant(db, rnd)
    for _ in range(3):
        add_response(db, other, group=DR, scores={s1: 1, s2: 1, s3: 1}, grade=2)
    add_response(db, other, group="supervisor", scores={s1: 5, s2: 5, s3: 5}, grade=9)
    return rnd, participant, other, (s1, s2, s3)


def test_statement_tallies_by_hand(rated):
    _rnd, participant, _other, (s1, s2, s3) = rated
    tallies = queries.statement_tallies(participant.id)
    assert set(tallies) == {s1, s2, s3}
    assert tallies[s1] == {
        "self": Tally(1, 4, 16, 0, (0, 0, 0, 1, 0)),
        "supervisor": Tally(1, 3, 9, 0, (0, 0, 1, 0, 0)),
        "direct_report": Tally(4, 15, 61, 0, (0, 1, 0, 2, 1)),  # 2, 4, 4, 5
        "peer": Tally(2, 6, 26, 0, (1, 0, 0, 0, 1)),
    }
    # s2: one direct report said "don't know", one skipped it (no row: not counted at all)
    assert tallies[s2]["direct_report"] == Tally(2, 9, 41, 1, (0, 0, 0, 1, 1))
    # s3: self only said "don't know": n = 0, never a mean of 0
    assert tallies[s3]["self"] == Tally(0, 0, 0, 1, (0, 0, 0, 0, 0))
    assert tallies[s3]["direct_report"] == Tally(2, 4, 10, 2, (1, 0, 1, 0, 0))


def test_leg_tallies_apply_the_half_of_the_leg_rule(rated):
    rnd, participant, _other, _ids = rated
    first_leg = rnd.framework.legs[0]
    tallies = queries.leg_tallies(participant.id, rnd.framework_id)[first_leg.id]
    # self answered 2 of 3 (4, 5): leg score 4.5
    assert tallies["self"] == Tally(1, 4.5, 20.25, 0, (0, 0, 0, 1, 1))
    # direct reports: 3.0 (2, 4), 4.0 (4, 5, 3), 3.0 (5, 1); the one with 1 of 3 is out
    dr = tallies["direct_report"]
    assert (dr.n, dr.total, dr.total_sq) == (3, pytest.approx(10.0), pytest.approx(34.0))
    assert dr.distribution == (1, 1, 1, 2, 2)
    peer = tallies["peer"]
    assert (peer.n, peer.total, peer.total_sq) == (2, 7.0, 29.0)
    assert tallies["supervisor"].total == 3.0


def test_grades_and_respondents(rated):
    _rnd, participant, _other, _ids = rated
    result = queries.grade_tallies(participant.id)
    assert result.respondents == {"self": 1, "supervisor": 1, "direct_report": 4, "peer": 2}
    assert result.grades["direct_report"] == Tally(3, 23, 181)  # 6, 8, 9; one gave none
    assert result.grades["peer"] == Tally(2, 12, 74)
    assert result.grades["self"] == Tally(1, 8, 64)


def test_other_managers_never_leak_in(rated):
    _rnd, _participant, other, (s1, _s2, _s3) = rated
    tallies = queries.statement_tallies(other.id)
    assert tallies[s1] == {
        "direct_report": Tally(3, 3, 3, 0, (3, 0, 0, 0, 0)),
        "supervisor": Tally(1, 5, 25, 0, (0, 0, 0, 0, 1)),
    }
    assert queries.grade_tallies(other.id).respondents == {"direct_report": 3, "supervisor": 1}


def test_comments_come_in_random_key_order_with_their_group(db):
    rnd, participant, _links = make_rated_manager(db)
    for text in ("one", "two", "three", "four"):
        add_response(db, participant, group=DR, comments={"start": text, "stop": text + "!"})
    add_response(db, participant, group="self", comments={"continue": "mine"})
    comments = queries.comments_of(participant.id)
    assert len(comments) == 9
    assert [c.id for c in comments] == sorted(c.id for c in comments)
    assert {c.text for c in comments if c.group == "self"} == {"mine"}


def test_round_norms_by_hand(rated, db):
    rnd, _participant, other, (s1, s2, s3) = rated
    # A third manager whose non-exempt raters stay below the threshold: not in the norm.
    small = add_rated_participant(db, rnd)
    for _ in range(2):
        add_response(db, small, group=DR, scores={s1: 5, s2: 5, s3: 5})
    add_response(db, small, group="supervisor", scores={s1: 5, s2: 5, s3: 5})
    norms = queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold)
    # s1: A's all_others (self left out) = (3 + 2+4+4+5 + 1+5) / 7 = 24/7; the other
    # manager's = (1+1+1+5) / 4 = 2; norm = (24/7 + 2) / 2 = 19/7
    assert norms.statements[s1][0] == pytest.approx(19 / 7)
    assert norms.statements[s1][1] == 2
    # s2: A (3 + 4+5 + 2+5) / 5 = 3.8, other 2.0: 2.9. s3: A (3 + 3+1 + 3+5) / 5 = 3, other 2
    assert norms.statements[s2] == (pytest.approx(2.9), 2)
    assert norms.statements[s3] == (pytest.approx(2.5), 2)
    # leg 1: A's qualifying non-self raters 3, 3, 4, 3, 2, 5 -> 20/6; other: 1, 1, 1, 5 -> 2
    leg = rnd.framework.legs[0]
    assert norms.legs[leg.id] == (pytest.approx((20 / 6 + 2) / 2), 2)
    assert set(norms.legs) == {leg.id}


def test_round_norms_ignore_other_rounds(rated, db):
    rnd, participant, _other, (s1, _s2, _s3) = rated
    other_rnd, other_participant, _links = make_rated_manager(db)
    s1_other = statement_ids(other_rnd)[0]
    for _ in range(3):
        add_response(db, other_participant, group=DR, scores={s1_other: 5})
    norms = queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold)
    assert norms.statements[s1][1] == 2
    assert s1_other not in norms.statements
    assert queries.round_norms(other_rnd.id, other_rnd.framework_id, 3).statements == {
        s1_other: (5.0, 1)
    }
