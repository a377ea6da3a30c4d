"""The summary kept at close (reports/summary.py) equals the GROUP BYs on the answers, to the
last digit, on generated rounds; closing writes it, and reports are then read from it."""

import math

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from feedback.models import Answer, LegTally, RaterGroup, Response, RoundStatus, StatementTally
from feedback.reports import aggregation as agg
from feedback.reports import queries, summary
from feedback.reports.builder import build_report
from tests.factories import (
    add_participant,
    add_rated_participant,
    add_response,
    make_rated_manager,
    make_round,
    make_team,
    statement_ids,
)
from tests.security.fuzz_settings import fuzz

GROUPS = (RaterGroup.SELF, RaterGroup.SUPERVISOR, RaterGroup.DIRECT_REPORT, RaterGroup.PEER)
DK = "dk"


@st.composite
def managers(draw):
    """Per manager, its raters: (group, per statement 1..5, "don't know" or no answer)."""
    result = []
    for _ in range(draw(st.integers(1, 5))):
        raters = []
        for group, most in zip(GROUPS, (1, 2, 7, 5), strict=True):
            for _ in range(draw(st.integers(0, most))):
                often = draw(st.sampled_from([(1, 2, 3, 4, 5), (1, 2, 3, 4, 5, DK, None)]))
                raters.append((group, draw(st.lists(st.sampled_from(often), min_size=1))))
        result.append(raters)
    return result


def _write_round(db, generated, threshold):
    rnd = make_round(db, threshold=threshold, status=RoundStatus.CLOSED)
    ids = statement_ids(rnd)
    answers = []
    for raters in generated:
        manager, _reps, _director = make_team(db, size=0)
        participant = add_participant(db, rnd, manager)
        for index, (group, values) in enumerate(raters):
            response = Response(round_id=rnd.id, participant_id=participant.id, group=str(group))
            db.session.add(response)
            db.session.flush()
            # the values cycle over the statements from a different start for each rater
            for position, sid in enumerate(ids):
                value = values[(position + index) % len(values)]
                if value is not None:
                    answers.append(
                        {
                            "response_id": response.id,
                            "statement_id": sid,
                            "score": None if value == DK else value,
                        }
                    )
    if answers:
        db.session.execute(sa.insert(Answer), answers)
    db.session.commit()
    return rnd


@fuzz(12)
@given(generated=managers(), threshold=st.integers(2, 4))
def test_the_summary_equals_the_group_bys_to_the_last_digit(db, generated, threshold):
    rnd = _write_round(db, generated, threshold)
    assert not summary.has_summary(rnd)
    computed = summary.summarise_round(rnd.id)
    db.session.commit()
    assert summary.has_summary(rnd)

    raw = queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold)
    stored = summary.stored_norms(rnd.id)
    assert stored == raw == computed  # float ==: the same digits, every one
    assert summary.norms(rnd) == raw
    for participant in rnd.participants:
        kept = summary.manager_tallies(participant.id, rnd.framework_id, True)
        assert kept == summary.manager_tallies(participant.id, rnd.framework_id, False)
    _assert_close(raw, _norms_of_the_reports(rnd))


def _norms_of_the_reports(rnd):
    """The norms as the mean over managers of what each one's report shows as all_others,
    through the report's own rules (figure_stats, leg_figure_stats): a left-out group is in
    no manager's all_others, so it is in no norm."""
    tallies = queries.round_statement_tallies(rnd.id, rnd.framework_id)
    counts = queries.round_leg_counts(rnd.id, rnd.framework_id)
    t = rnd.threshold
    by_statement, by_leg = {}, {}
    for participant_id, own in tallies.items():
        for leg in rnd.framework.legs:
            figures = [agg.figure_stats(own.get(item.id, {}), t) for item in leg.statements]
            for item, stats in zip(leg.statements, figures, strict=True):
                if (value := agg.visible_mean(stats, agg.ALL_OTHERS)) is not None:
                    by_statement.setdefault(item.id, []).append(value)
            leg_stats = agg.leg_figure_stats(figures, counts[participant_id].get(leg.id, {}), t)
            if (value := agg.visible_mean(leg_stats, agg.ALL_OTHERS)) is not None:
                by_leg.setdefault(leg.id, []).append(value)
    return queries.RoundNorms(
        statements={k: (sum(v) / len(v), len(v)) for k, v in by_statement.items()},
        legs={k: (sum(v) / len(v), len(v)) for k, v in by_leg.items()},
    )


def _assert_close(norms, expected):
    for kind in ("statements", "legs"):
        got, want = getattr(norms, kind), getattr(expected, kind)
        assert got.keys() == want.keys(), kind
        for key, (value, managers) in got.items():
            assert managers == want[key][1] and math.isclose(value, want[key][0]), (kind, key)


def test_a_left_out_group_moves_no_norm(db):
    """Two rounds whose managers differ only in a left-out group's answers (one peer beside
    three direct reports, threshold 3) have the very same norms: the peer is in no manager's
    all_others, so in no norm either."""
    sup, dr, peer = RaterGroup.SUPERVISOR, RaterGroup.DIRECT_REPORT, RaterGroup.PEER

    def round_with_peer(peer_scores):
        team = [(sup, [2]), (dr, [4]), (dr, [4, 3]), (dr, [5])]
        return _write_round(db, [[*team, (peer, scores)] for scores in peer_scores], 3)

    one = round_with_peer([[1], [1, 2], [5]])
    other = round_with_peer([[5], [3, 5, 4], [1, 1, 2]])
    for rnd in (one, other):
        summary.summarise_round(rnd.id)
    db.session.commit()

    def by_position(rnd, norms):  # each round has its own framework, so its own ids
        legs = [leg.id for leg in rnd.framework.legs]
        return [norms.statements[i] for i in statement_ids(rnd)], [norms.legs[i] for i in legs]

    raw = [queries.round_norms(r.id, r.framework_id, r.threshold) for r in (one, other)]
    assert raw[0] == summary.stored_norms(one.id) and raw[1] == summary.stored_norms(other.id)
    assert by_position(one, raw[0]) == by_position(other, raw[1])
    statements, _legs = by_position(one, raw[0])
    # the first statement: supervisor 2 and direct reports 4, 4, 5 for each of the three
    # managers (the second direct report's values cycle: 4 here, 3 on the next statement)
    assert statements[0] == ((2 + 4 + 4 + 5) / 4, 3)
    assert statements[1] == ((2 + 4 + 3 + 5) / 4, 3)
    norms = raw
    _assert_close(norms[0], _norms_of_the_reports(one))


def test_norms_are_order_independent_and_exact():
    a = queries.ManagerMean(1, 10, 100, 3, 10)
    b = queries.ManagerMean(2, 10, 100, 7, 23)
    c = queries.ManagerMean(3, 10, 100, 1, 1)
    legs = {(1, 100), (2, 100), (3, 100)}
    forward = queries.reduce_norms([a, b, c], legs)
    backward = queries.reduce_norms([c, b, a], legs)
    assert forward == backward
    assert forward.statements[10] == (math.fsum([10 / 3, 23 / 7, 1.0]) / 3, 3)
    assert queries.reduce_norms([a, b], {(1, 100)}).legs == {100: (10 / 3, 1)}


def _queries_during(db, work):
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_closing_a_round_keeps_its_summary_and_reports_read_it(db):
    from feedback.admin.transitions import close_round

    rnd, participant, _links = make_rated_manager(db, reports=3)
    others = [add_rated_participant(db, rnd) for _ in range(2)]
    ids = statement_ids(rnd)
    for p, score in ((participant, 4), (others[0], 2), (others[1], 3)):
        for _ in range(3):
            add_response(db, p, group=RaterGroup.DIRECT_REPORT, scores=dict.fromkeys(ids, score))
    close_round(rnd.id)
    db.session.expire_all()

    assert summary.has_summary(rnd)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementTally)) == 3 * len(ids)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegTally)) == 3 * len(
        rnd.framework.legs
    )
    norms = summary.norms(rnd)
    assert norms == queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold)
    assert norms.statements[ids[0]] == (3.0, 3)

    seen = _queries_during(db, lambda: build_report(rnd.id, participant.id, "en"))
    from_answers = [q for q in seen if "FROM answer" in q or "JOIN answer" in q]
    assert from_answers == []  # every figure came from the summary
    report = build_report(rnd.id, participant.id, "en")
    assert report.legs[0].statements[0].norm.mean == 3.0


def test_a_round_without_summary_is_read_from_the_answers(db):
    rnd, participant, _links = make_rated_manager(db, reports=3, status=RoundStatus.CLOSED)
    ids = statement_ids(rnd)
    for _ in range(3):
        add_response(db, participant, group=RaterGroup.DIRECT_REPORT, scores=dict.fromkeys(ids, 5))
    assert not summary.has_summary(rnd)
    tallies, _legs = summary.manager_tallies(participant.id, rnd.framework_id, False)
    assert tallies[ids[0]][RaterGroup.DIRECT_REPORT].n == 3
    assert summary.norms(rnd) == queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold)
