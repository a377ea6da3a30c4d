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
    rnd, participant, _other, (s1, s2, s3) = rated
    tallies = queries.statement_tallies(participant.id, rnd.framework_id)
    assert set(tallies) == {s1, s2, s3}
    # Leg 1 has 4 statements: a rater counts (for the leg and each of its statements) with
    # at least 2 answered. The direct report with 4, "don't know", "don't know" answered 1:
    # none of their answers count, not even their 4 on s1.
    assert tallies[s1] == {
        "self": Tally(1, 4, 16, 0, (0, 0, 0, 1, 0)),
        "supervisor": Tally(1, 3, 9, 0, (0, 0, 1, 0, 0)),
        "direct_report": Tally(3, 11, 45, 0, (0, 1, 0, 1, 1)),  # 2, 4, 5: 4+16+25 = 45
        "peer": Tally(2, 6, 26, 0, (1, 0, 0, 0, 1)),
    }
    # s2: 4, 5 (one skipped it: no row; the "don't know" was the non-qualifying rater's)
    assert tallies[s2]["direct_report"] == Tally(2, 9, 41, 0, (0, 0, 0, 1, 1))
    # s3: self (qualifies: 4 and 5 answered) only said "don't know": n = 0, never a mean of 0
    assert tallies[s3]["self"] == Tally(0, 0, 0, 1, (0, 0, 0, 0, 0))
    # s3: 3, 1 and one "don't know" of a qualifying rater: 9 + 1 = 10
    assert tallies[s3]["direct_report"] == Tally(2, 4, 10, 1, (1, 0, 1, 0, 0))


def test_leg_counts_apply_the_half_of_the_leg_rule(rated):
    rnd, participant, other, _ids = rated
    first_leg = rnd.framework.legs[0]
    counts = queries.leg_counts(participant.id, rnd.framework_id)
    assert set(counts) == {first_leg.id}  # nobody answered another leg
    # answered of 4: self 2, supervisor 3, direct reports 2, 1 (out), 3, 2, peers 3 and 3
    assert counts[first_leg.id] == {"self": 1, "supervisor": 1, "direct_report": 3, "peer": 2}
    assert queries.leg_counts(other.id, rnd.framework_id) == {
        first_leg.id: {"direct_report": 3, "supervisor": 1}
    }


def test_grades_and_respondents(rated):
    _rnd, participant, _other, _ids = rated
    result = queries.grade_tallies(participant.id)
    assert result.respondents == {"self": 1, "supervisor": 1, "direct_report": 4, "peer": 2}
    assert result.grades["direct_report"] == Tally(3, 23, 181)  # 6, 8, 9; one gave none
    assert result.grades["peer"] == Tally(2, 12, 74)
    assert result.grades["self"] == Tally(1, 8, 64)


def test_other_managers_never_leak_in(rated):
    rnd, _participant, other, (s1, _s2, _s3) = rated
    tallies = queries.statement_tallies(other.id, rnd.framework_id)
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
    # s1: A's all_others (self left out; the direct report who answered 1 of leg 1's 4
    # statements does not count; the two peers, below the threshold beside three direct
    # reports, are left out of A's figures and so of the norm) = (3 + 2+4+5) / 4 = 3.5;
    # the other manager's = (1+1+1+5) / 4 = 2; norm = (3.5 + 2) / 2 = 2.75
    assert norms.statements[s1][0] == pytest.approx(2.75)
    assert norms.statements[s1][1] == 2
    # s2: two direct reports and two peers, pooled (4 >= 3): A (3 + 4+5 + 2+5) / 5 = 3.8,
    # other 2.0: 2.9. s3: A (3 + 3+1 + 3+5) / 5 = 3, other 2
    assert norms.statements[s2] == (pytest.approx(2.9), 2)
    assert norms.statements[s3] == (pytest.approx(2.5), 2)
    # leg 1: the mean of each manager's visible all_others statement means.
    # A: (3.5 + 3.8 + 3) / 3 = 103/30; other: (2 + 2 + 2) / 3 = 2;
    # norm = (103/30 + 2) / 2 = 163/60. The small manager (2 direct reports) is left out.
    leg = rnd.framework.legs[0]
    assert norms.legs[leg.id] == (pytest.approx(163 / 60), 2)
    assert set(norms.legs) == {leg.id}


def test_round_norms_ignore_other_rounds(rated, db):
    rnd, participant, _other, (s1, _s2, _s3) = rated
    other_rnd, other_participant, _links = make_rated_manager(db)
    s1_other, s2_other = statement_ids(other_rnd)[:2]
    for _ in range(3):  # 2 of the leg's 4 statements: they count
        add_response(db, other_participant, group=DR, scores={s1_other: 5, s2_other: 4})
    norms = queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold)
    assert norms.statements[s1][1] == 2
    assert s1_other not in norms.statements
    other_norms = queries.round_norms(other_rnd.id, other_rnd.framework_id, 3)
    assert other_norms.statements == {s1_other: (5.0, 1), s2_other: (4.0, 1)}
    assert other_norms.legs == {other_rnd.framework.legs[0].id: (4.5, 1)}  # (5 + 4) / 2


def test_a_rater_below_half_of_a_leg_counts_nowhere_in_it(db):
    """One direct report answers 1 of the leg's 4 statements: not in the statement figure,
    not in the leg, not in the norms; the three who answered 2 or more are."""
    rnd, participant, _links = make_rated_manager(db)
    s1, s2 = statement_ids(rnd)[:2]
    for _ in range(3):
        add_response(db, participant, group=DR, scores={s1: 4, s2: None})
    add_response(db, participant, group=DR, scores={s1: 4, s2: 4})
    add_response(db, participant, group=DR, scores={s1: 1, s2: None})
    leg_id = rnd.framework.legs[0].id
    # Only the rater with s1 4, s2 4 answered 2 of 4.
    assert queries.leg_counts(participant.id, rnd.framework_id) == {leg_id: {"direct_report": 1}}
    assert queries.statement_tallies(participant.id, rnd.framework_id) == {
        s1: {"direct_report": Tally(1, 4, 16, 0, (0, 0, 0, 1, 0))},
        s2: {"direct_report": Tally(1, 4, 16, 0, (0, 0, 0, 1, 0))},
    }
    assert queries.round_norms(rnd.id, rnd.framework_id, 1) == queries.RoundNorms(
        statements={s1: (4.0, 1), s2: (4.0, 1)}, legs={leg_id: (4.0, 1)}
    )
