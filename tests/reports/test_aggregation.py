"""The report's pure rules, with hand-computed numbers (no app, no database)."""

import itertools

import pytest

from feedback.reports import aggregation as agg
from feedback.reports import labels
from feedback.reports.aggregation import (
    ALL_OTHERS,
    DIRECT_REPORT,
    NO_ANSWERS,
    NOT_APPLICABLE,
    OTHERS,
    PEER,
    POOLED,
    SELF,
    SUPERVISOR,
    SUPPRESSED,
    VISIBLE,
    Figure,
    LegActions,
    RawComment,
    Tally,
    apply_threshold,
)
from feedback.reports.model import GroupStat
from tests.reports.algebra import rank


def tally(*scores, dont_know=0):
    dist = tuple(scores.count(v) for v in range(1, 6))
    return Tally(
        n=len(scores),
        total=sum(scores),
        total_sq=sum(s * s for s in scores),
        n_dont_know=dont_know,
        distribution=dist,
    )


# --- Statistics -------------------------------------------------------------------------------


def test_mean_and_sample_sd_by_hand():
    # 2, 4, 4, 5: mean 15/4 = 3.75; squared deviations 3.0625 + 0.0625 + 0.0625 + 1.5625 =
    # 4.75; sample variance 4.75 / 3 = 1.58333; SD 1.25831.
    t = tally(2, 4, 4, 5)
    assert (t.n, t.total, t.total_sq) == (4, 15, 61)
    assert agg.mean(t) == 3.75
    assert agg.sample_sd(t) == pytest.approx(1.258306, abs=1e-6)


def test_sd_is_none_below_two_and_zero_for_equal_answers():
    assert agg.sample_sd(tally(4)) is None
    assert agg.sample_sd(tally()) is None
    assert agg.sample_sd(tally(3, 3, 3)) == 0.0


def test_no_answers_is_none_not_zero():
    assert agg.mean(Tally(n_dont_know=3)) is None


def test_tallies_add_up_including_distribution():
    merged = agg.merge([tally(1, 5), tally(2, 4, 4, 5, dont_know=1)])
    assert merged == Tally(6, 21, 87, 1, (1, 1, 0, 2, 2))
    assert agg.merge([Tally(n=1, total=7, total_sq=49), tally(5)]).distribution == (0, 0, 0, 0, 1)


def test_languages_of_a_report():
    assert agg.check_lang("nl") == "nl" and agg.check_lang("en") == "en"
    with pytest.raises(ValueError):
        agg.check_lang("de")


# --- The threshold: edges ---------------------------------------------------------------------


def test_below_threshold_by_one_is_suppressed_with_all_others():
    v = apply_threshold({SELF: 1, SUPERVISOR: 1, DIRECT_REPORT: 2, PEER: 0}, 3)
    assert v.named == {SELF, SUPERVISOR}
    assert v.suppressed == {DIRECT_REPORT}
    assert v.state(DIRECT_REPORT) == SUPPRESSED
    assert v.state(ALL_OTHERS) == SUPPRESSED  # all_others - supervisor = the direct reports
    assert v.state(OTHERS) == SUPPRESSED
    assert v.state(PEER) == NO_ANSWERS


def test_exactly_the_threshold_is_visible_by_name():
    v = apply_threshold({SELF: 1, SUPERVISOR: 1, DIRECT_REPORT: 3}, 3)
    assert v.named == {SELF, SUPERVISOR, DIRECT_REPORT}
    assert v.all_others_visible
    assert v.state(OTHERS) == NOT_APPLICABLE


def test_small_groups_merge_when_the_pool_reaches_the_threshold():
    v = apply_threshold({DIRECT_REPORT: 2, PEER: 2}, 3)
    assert v.pooled == {DIRECT_REPORT, PEER}
    assert v.others_visible and v.all_others_visible
    assert v.state(PEER) == POOLED


def test_small_groups_that_do_not_reach_the_threshold_together_are_suppressed():
    v = apply_threshold({SUPERVISOR: 1, DIRECT_REPORT: 1, PEER: 1}, 3)
    assert v.suppressed == {DIRECT_REPORT, PEER}
    assert not v.others_visible and not v.all_others_visible


def test_a_small_group_is_left_out_rather_than_hiding_a_group_that_meets_the_threshold():
    # 7 direct reports, 2 peers: the direct reports stay visible; peers go into no figure.
    v = apply_threshold({SELF: 1, SUPERVISOR: 1, DIRECT_REPORT: 7, PEER: 2}, 3)
    assert v.named == {SELF, SUPERVISOR, DIRECT_REPORT}
    assert v.suppressed == {PEER}
    assert not v.pooled
    assert v.state(PEER) == SUPPRESSED
    assert v.state(OTHERS) == NOT_APPLICABLE
    assert v.all_others_visible
    assert agg.shown_in_all_others(v) == {SUPERVISOR, DIRECT_REPORT}


def test_with_three_groups_small_ones_are_pooled_when_the_pool_reaches_the_threshold():
    v = apply_threshold({"a": 5, "b": 2, "c": 1}, 3)
    assert v.named == {"a"}
    assert v.pooled == {"b", "c"}
    left = apply_threshold({"a": 3, "b": 1, "c": 1}, 3)
    assert left.named == {"a"}
    assert left.suppressed == {"b", "c"}


def test_both_groups_at_or_above_threshold_are_named():
    v = apply_threshold({DIRECT_REPORT: 4, PEER: 3}, 3)
    assert v.named == {DIRECT_REPORT, PEER}
    assert not v.pooled


def test_only_self():
    v = apply_threshold({SELF: 1, SUPERVISOR: 0, DIRECT_REPORT: 0, PEER: 0}, 3)
    assert v.named == {SELF}
    assert v.state(ALL_OTHERS) == NO_ANSWERS
    assert v.state(OTHERS) == NOT_APPLICABLE


def test_only_supervisor_is_shown_but_all_others_is_not():
    v = apply_threshold({SUPERVISOR: 1}, 3)
    assert v.named == {SUPERVISOR}
    assert v.state(ALL_OTHERS) == SUPPRESSED


def test_threshold_one_shows_single_raters():
    assert apply_threshold({DIRECT_REPORT: 1}, 1).named == {DIRECT_REPORT}


def test_bad_input():
    with pytest.raises(ValueError):
        apply_threshold({DIRECT_REPORT: 1}, 0)
    with pytest.raises(ValueError):
        apply_threshold({DIRECT_REPORT: -1}, 3)


# --- The threshold: properties over many small count combinations ---------------------------


def _combinations():
    for t in (1, 2, 3, 4):
        for s, sup, dr, peer in itertools.product(range(2), range(3), range(7), range(7)):
            yield t, {SELF: s, SUPERVISOR: sup, DIRECT_REPORT: dr, PEER: peer}
        for a, b, c in itertools.product(range(6), repeat=3):
            yield t, {SUPERVISOR: 1, "a": a, "b": b, "c": c}


def test_no_hidden_group_can_be_derived_from_visible_sums():
    """Any figure (a sum, a count) of a hidden group would be a linear combination of the
    visible sums; check that its indicator vector is outside their span."""
    checked = 0
    for t, counts in _combinations():
        v = apply_threshold(counts, t)
        groups = sorted(counts)
        index = {g: i for i, g in enumerate(groups)}

        def vector(members, groups=groups, index=index):
            vec = [0] * len(groups)
            for g in members:
                vec[index[g]] = 1
            return vec

        visible = [vector([g]) for g in v.named]
        visible += [vector([g]) for g in v.empty]  # "no answers" tells that it is zero
        if v.others_visible:
            visible.append(vector(v.pooled))
        if v.all_others_visible:
            visible.append(vector(agg.shown_in_all_others(v)))
        base = rank(visible) if visible else 0
        for hidden in v.pooled | v.suppressed:
            assert rank([*visible, vector([hidden])]) > base, (t, counts, hidden)
            checked += 1
        for g in v.named - agg.EXEMPT_GROUPS:  # a group meeting the threshold is never hidden
            assert counts[g] >= t
    assert checked > 1000


def test_every_visible_aggregate_of_non_exempt_raters_reaches_the_threshold():
    for t, counts in _combinations():
        v = apply_threshold(counts, t)
        non_exempt = {g: n for g, n in counts.items() if g not in agg.EXEMPT_GROUPS}
        for g in v.named - agg.EXEMPT_GROUPS:
            assert counts[g] >= t
        if v.others_visible:
            assert sum(counts[g] for g in v.pooled) >= t
            assert len(v.pooled) >= 2
        if v.all_others_visible:
            assert sum(non_exempt.values()) >= t
        # every group with answers is accounted for exactly once
        answered = {g for g, n in counts.items() if n > 0}
        assert answered == v.named | v.pooled | v.suppressed
        assert not (v.named & v.pooled or v.named & v.suppressed or v.pooled & v.suppressed)


def test_all_others_visibility_is_the_non_exempt_total_reaching_the_threshold():
    """queries.round_norms relies on this in SQL (HAVING non-exempt count >= t)."""
    for t, counts in _combinations():
        total = sum(n for g, n in counts.items() if g not in agg.EXEMPT_GROUPS)
        assert apply_threshold(counts, t).all_others_visible == (total >= t)


# --- Per-figure stats -------------------------------------------------------------------------


def figure():
    return {
        SELF: tally(4),
        SUPERVISOR: tally(3),
        DIRECT_REPORT: tally(2, 4, 4, 5, dont_know=1),
        PEER: tally(1, 5),
    }


def test_figure_stats_pool_and_merge_by_hand():
    stats = {s.group: s for s in agg.figure_stats(figure(), 3)}
    assert [s.group for s in agg.figure_stats(figure(), 3)] == list(agg.REPORT_GROUPS)
    assert stats[SELF] == GroupStat(SELF, VISIBLE, 1, 4.0, None, 0, None)
    assert stats[SUPERVISOR].mean == 3.0 and stats[SUPERVISOR].distribution is None
    # direct reports (4) are shown; the peers (2) are left out of every figure
    dr = stats[DIRECT_REPORT]
    assert (dr.state, dr.n, dr.mean, dr.n_dont_know) == (VISIBLE, 4, 3.75, 1)
    assert dr.distribution == (0, 1, 0, 2, 1)
    assert stats[PEER] == GroupStat(PEER, SUPPRESSED)
    assert stats[OTHERS].state == agg.NOT_APPLICABLE
    # all_others = supervisor's 3 and 2,4,4,5: n 5, sum 18, squares 70; var (70 - 324/5)/4
    all_others = stats[ALL_OTHERS]
    assert all_others.n == 5
    assert all_others.mean == pytest.approx(18 / 5)
    assert all_others.sd == pytest.approx(1.140175, abs=1e-6)
    assert all_others.distribution == (0, 1, 1, 2, 1)


def test_figure_stats_pool_small_groups_that_reach_the_threshold_together():
    tallies = {SUPERVISOR: tally(3), DIRECT_REPORT: tally(2, 4, dont_know=1), PEER: tally(1, 5)}
    stats = {s.group: s for s in agg.figure_stats(tallies, 3)}
    assert stats[DIRECT_REPORT] == GroupStat(DIRECT_REPORT, POOLED)
    assert stats[PEER] == GroupStat(PEER, POOLED)
    # others = 2,4,1,5: n 4, sum 12, squares 46; mean 3; var (46 - 36)/3
    others = stats[OTHERS]
    assert (others.n, others.mean, others.n_dont_know) == (4, 3.0, 1)
    assert others.sd == pytest.approx((10 / 3) ** 0.5)
    assert others.distribution == (1, 1, 0, 1, 1)
    assert stats[ALL_OTHERS].n == 5 and stats[ALL_OTHERS].mean == pytest.approx(3.0)


def test_all_dont_know_is_no_answers_not_zero():
    tallies = {SELF: Tally(n_dont_know=1), DIRECT_REPORT: Tally(n_dont_know=4)}
    stats = {s.group: s for s in agg.figure_stats(tallies, 3)}
    assert stats[SELF] == GroupStat(SELF, NO_ANSWERS, n=0, n_dont_know=1)
    assert stats[DIRECT_REPORT].state == NO_ANSWERS
    assert stats[DIRECT_REPORT].mean is None and stats[DIRECT_REPORT].n == 0
    assert stats[ALL_OTHERS].state == NO_ANSWERS


def test_suppressed_groups_carry_no_numbers():
    tallies = {SUPERVISOR: tally(5), DIRECT_REPORT: tally(1, 2)}
    stats = {s.group: s for s in agg.figure_stats(tallies, 3)}
    for group in (DIRECT_REPORT, OTHERS, ALL_OTHERS):
        s = stats[group]
        assert s.state == SUPPRESSED
        assert (s.n, s.mean, s.sd, s.n_dont_know, s.distribution) == (None,) * 5


# --- Leg figures: derived from the visible statement figures only ---------------------------


def test_leg_figure_is_the_mean_of_the_visible_statement_figures():
    # Statement 1: self 4, direct reports 2, 4, 3; statement 2: self 5, direct reports 4, 4
    # and one "don't know" (two answers: hidden); statement 3: self "don't know", direct
    # reports 5, 1, 5.
    first = agg.figure_stats({SELF: tally(4), DIRECT_REPORT: tally(2, 4, 3)}, 3)
    second = agg.figure_stats({SELF: tally(5), DIRECT_REPORT: tally(4, 4, dont_know=1)}, 3)
    third = agg.figure_stats({SELF: tally(dont_know=1), DIRECT_REPORT: tally(5, 1, 5)}, 3)
    counts = {SELF: 1, DIRECT_REPORT: 3}
    stats = {s.group: s for s in agg.leg_figure_stats([first, second, third], counts, 3)}
    assert [s.group for s in agg.leg_figure_stats([first], counts, 3)] == list(agg.REPORT_GROUPS)
    # self: (4 + 5) / 2 = 4.5 (statement 3 has no answers), one rater
    assert (stats[SELF].state, stats[SELF].n, stats[SELF].mean) == (VISIBLE, 1, 4.5)
    assert stats[SELF].sd is None  # no statement SD to average
    # direct reports: statement 2 is hidden (2 answers), so (3 + 11/3) / 2 = 10/3; n is the
    # 3 qualifying raters; sd: statement 1 SD 1.0, statement 3 SD sqrt((51 - 121/3) / 2)
    # = sqrt(16/3) = 2.309; their mean 1.6547
    dr = stats[DIRECT_REPORT]
    assert (dr.state, dr.n) == (VISIBLE, 3)
    assert dr.mean == pytest.approx(10 / 3)
    assert dr.sd == pytest.approx((1.0 + (16 / 3) ** 0.5) / 2)
    assert (dr.n_dont_know, dr.distribution) == (None, None)
    # all_others is the direct reports alone in every statement
    assert stats[ALL_OTHERS] == GroupStat(ALL_OTHERS, VISIBLE, 3, dr.mean, dr.sd)
    assert stats[OTHERS].state == NOT_APPLICABLE
    assert stats[PEER] == GroupStat(PEER, NO_ANSWERS, n=0)


def test_leg_threshold_comes_from_the_qualifying_raters():
    # The leg's threshold is applied to the qualifying counts first: with two direct reports
    # counted for the leg, the leg hides them whatever the statement stats passed in show.
    shown = agg.figure_stats({DIRECT_REPORT: tally(2, 4, 3), SUPERVISOR: tally(5)}, 3)
    stats = {
        s.group: s for s in agg.leg_figure_stats([shown], {DIRECT_REPORT: 2, SUPERVISOR: 1}, 3)
    }
    for group in (DIRECT_REPORT, ALL_OTHERS):
        assert stats[group] == GroupStat(group, SUPPRESSED)
    assert stats[SUPERVISOR].mean == 5.0


def test_leg_group_without_a_visible_statement_is_suppressed():
    # Three direct reports qualify for the leg, but each statement has only two answers
    # from them: no statement shows them, so the leg has no figure to derive from.
    first = agg.figure_stats({DIRECT_REPORT: tally(2, 4)}, 3)
    second = agg.figure_stats({DIRECT_REPORT: tally(5, 3)}, 3)
    stats = {s.group: s for s in agg.leg_figure_stats([first, second], {DIRECT_REPORT: 3}, 3)}
    for group in (DIRECT_REPORT, ALL_OTHERS):
        assert stats[group].state == SUPPRESSED
        assert (stats[group].n, stats[group].mean, stats[group].sd) == (None, None, None)


def test_leg_pools_as_its_counts_say():
    # Leg: 2 direct reports and 1 peer qualify: pooled. others = 3, 3, 1: mean 7/3; n 3.
    stmt = agg.figure_stats({DIRECT_REPORT: tally(3, 3), PEER: tally(1)}, 3)
    stats = {s.group: s for s in agg.leg_figure_stats([stmt, stmt], {DIRECT_REPORT: 2, PEER: 1}, 3)}
    assert stats[DIRECT_REPORT].state == POOLED and stats[PEER].state == POOLED
    assert (stats[OTHERS].n, stats[OTHERS].mean) == (3, pytest.approx(7 / 3))
    # 3 direct reports and 1 peer: the direct reports are shown, the peer is left out.
    stmt = agg.figure_stats({DIRECT_REPORT: tally(3, 3, 3), PEER: tally(1)}, 3)
    stats = {s.group: s for s in agg.leg_figure_stats([stmt, stmt], {DIRECT_REPORT: 3, PEER: 1}, 3)}
    assert stats[DIRECT_REPORT].state == VISIBLE and stats[PEER].state == SUPPRESSED
    assert (stats[ALL_OTHERS].n, stats[ALL_OTHERS].mean) == (3, 3.0)


def test_distribution_rules():
    assert agg.show_distribution(DIRECT_REPORT, True, 3, 3)
    assert not agg.show_distribution(SELF, True, 5, 3)
    assert not agg.show_distribution(SUPERVISOR, True, 5, 3)
    assert not agg.show_distribution(PEER, False, 5, 3)  # pooled/suppressed
    # everyone in a group below t gave the same answer: never
    assert not agg.show_distribution(DIRECT_REPORT, True, 2, 3)
    named = {SUPERVISOR: tally(2, 2), DIRECT_REPORT: tally(3, 3, 4)}
    stats = {s.group: s for s in agg.figure_stats(named, 3)}
    assert stats[SUPERVISOR].distribution is None
    assert stats[DIRECT_REPORT].distribution == (0, 0, 2, 1, 0)


# --- Derived figures --------------------------------------------------------------------------


def stats_of(all_mean=None, self_mean=None, n=5, sd=None):
    rows = [
        GroupStat(SELF, VISIBLE, 1, self_mean)
        if self_mean is not None
        else GroupStat(SELF, NO_ANSWERS, 0),
        GroupStat(ALL_OTHERS, VISIBLE, n, all_mean, sd)
        if all_mean is not None
        else GroupStat(ALL_OTHERS, SUPPRESSED),
    ]
    return tuple(rows)


def fig(key, order, all_mean=None, self_mean=None, sd=None, n=5):
    return Figure("statement", key, "leg", key.upper(), order, stats_of(all_mean, self_mean, n, sd))


def test_strengths_and_development_areas_with_ties_by_position():
    figures = [
        fig("a", 1, 4.0),
        fig("b", 2, 4.5),
        fig("c", 3, 4.0),
        fig("d", 4, None),  # hidden: never ranked
        fig("e", 5, 2.0),
        fig("f", 6, 3.0),
        fig("g", 7, 2.0),
    ]
    best, worst = agg.strengths_and_development_areas(figures, top=3)
    assert [r.key for r in best] == ["b", "a", "c"]
    assert [r.key for r in worst] == ["e", "g", "f"]
    assert best[0].all_others_mean == 4.5 and best[0].all_others_n == 5
    best, worst = agg.strengths_and_development_areas(figures)  # 6 visible: no overlap
    assert [r.key for r in best] == ["b", "a", "c", "f", "e"]
    assert [r.key for r in worst] == ["g"]


def test_blind_spots_and_hidden_strengths_at_the_gap():
    figures = [
        fig("a", 1, 3.2, self_mean=4.2),  # +1.0 (a hair over in floating point)
        fig("b", 2, 3.5, self_mean=4.4),  # +0.9
        fig("c", 3, 4.3, self_mean=3.3),  # -1.0 (a hair under)
        fig("d", 4, 2.0, self_mean=4.5),  # +2.5
        fig("e", 5, None, self_mean=5.0),  # all_others hidden: no gap
    ]
    assert [r.key for r in agg.blind_spots(figures)] == ["d", "a"]
    assert agg.blind_spots(figures)[0].gap == pytest.approx(2.5)
    assert [r.key for r in agg.hidden_strengths(figures)] == ["c"]
    assert [r.key for r in agg.blind_spots(figures, min_gap=0.5)] == ["d", "a", "b"]


def test_blind_spots_keep_the_five_largest_gaps_ties_in_report_order():
    figures = [
        fig("a", 1, 3.0, self_mean=4.0),  # +1.0
        fig("b", 2, 2.0, self_mean=4.5),  # +2.5
        fig("c", 3, 3.0, self_mean=4.5),  # +1.5
        fig("d", 4, 2.5, self_mean=4.0),  # +1.5, after c
        fig("e", 5, 3.0, self_mean=5.0),  # +2.0
        fig("f", 6, 4.0, self_mean=5.0),  # +1.0: others high, still a blind spot by the rule
        fig("g", 7, 3.5, self_mean=4.7),  # +1.2
    ]
    assert [r.key for r in agg.blind_spots(figures, top=5)] == ["b", "e", "c", "d", "g"]
    assert [r.key for r in agg.blind_spots(figures)] == ["b", "e", "c", "d", "g", "a", "f"]
    high = agg.blind_spots([fig("f", 6, 4.0, self_mean=5.0)], top=5)[0]
    assert (high.all_others_mean, high.self_mean) == (4.0, 5.0)
    assert high.gap == pytest.approx(1.0)
    hidden = [fig(k, i, 4.5, self_mean=4.5 - 1 - i / 10) for i, k in enumerate("pqrstu")]
    assert [r.key for r in agg.hidden_strengths(hidden, top=5)] == ["u", "t", "s", "r", "q"]


def test_disagreement_needs_visible_spread_and_n_at_threshold():
    assert agg.disagrees(stats_of(3.0, sd=1.2, n=3), 3)
    assert not agg.disagrees(stats_of(3.0, sd=1.19, n=3), 3)
    assert not agg.disagrees(stats_of(3.0, sd=1.5, n=2), 3)
    assert not agg.disagrees(stats_of(None), 3)
    assert agg.disagrees(stats_of(3.0, sd=1.0, n=3), 3, min_sd=1.0)
    figures = [fig("a", 2, 3.0, sd=1.3), fig("b", 1, 3.0, sd=1.4), fig("c", 3, 3.0, sd=0.4)]
    assert [r.key for r in agg.disagreements(figures, 3)] == ["b", "a"]


def test_position_against_the_norm():
    at = agg.position_against_norm(3.5, 3.3, 10)  # +0.2: inside the band
    assert (at.position, at.mean, at.n_managers) == ("at", 3.3, 10)
    assert at.difference == pytest.approx(0.2)
    assert agg.position_against_norm(3.71, 3.5, 10).position == "above"
    assert agg.position_against_norm(3.29, 3.5, 10).position == "below"
    hidden = agg.position_against_norm(None, 3.5, 10)
    assert (hidden.mean, hidden.position, hidden.difference) == (3.5, None, None)
    assert agg.position_against_norm(3.0, None, 2).mean is None


def test_norm_needs_enough_managers():
    assert agg.usable_norm(3.4, 3) == 3.4
    assert agg.usable_norm(3.4, 2) is None
    assert agg.usable_norm(None, 10) is None


def test_trend_only_where_both_rounds_are_visible():
    legs = [("coach", "Coach"), ("numbers", "Numbers"), ("new", "New")]
    previous = {"coach": stats_of(3.0, n=4, sd=0.5), "numbers": stats_of(None)}
    current = {
        "coach": stats_of(3.8, n=6, sd=0.5),
        "numbers": stats_of(4.0),
        "new": stats_of(4.0),
    }
    items = agg.trend(legs, previous, current)
    assert len(items) == 1
    item = items[0]
    assert (item.leg_key, item.status, item.previous_mean, item.current_mean) == (
        "coach",
        "change",
        3.0,
        3.8,
    )
    assert (item.previous_n, item.current_n) == (4, 6)
    assert item.delta == pytest.approx(0.8)
    # Welch: sqrt(0.25 / 4 + 0.25 / 6) = sqrt(0.0625 + 0.041667) = 0.322749; * 1.645 = 0.530922
    assert item.interval == pytest.approx((0.8 - 0.530922, 0.8 + 0.530922), abs=1e-6)


def test_trend_says_no_clear_change_when_the_interval_holds_zero():
    legs = [("coach", "Coach")]
    # diff 0.5; sqrt(1.0 / 4 + 1.0 / 6) = 0.645497; * 1.645 = 1.061843 > 0.5
    previous = {"coach": stats_of(3.0, n=4, sd=1.0)}
    current = {"coach": stats_of(3.5, n=6, sd=1.0)}
    (item,) = agg.trend(legs, previous, current)
    assert item.status == "no_clear_change"
    assert (item.previous_mean, item.current_mean, item.previous_n, item.current_n) == (
        3.0,
        3.5,
        4,
        6,
    )
    assert item.delta is None and item.interval is None


def test_trend_at_the_edge_of_the_interval():
    # sqrt(0.25 / 4 + 0.25 / 4) = 0.353553; * 1.645 = 0.581595: 0.59 is a change, 0.57 not
    legs = [("coach", "Coach")]
    clear = agg.trend(
        legs, {"coach": stats_of(3.0, n=4, sd=0.5)}, {"coach": stats_of(3.59, n=4, sd=0.5)}
    )
    assert clear[0].status == "change"
    unclear = agg.trend(
        legs, {"coach": stats_of(3.0, n=4, sd=0.5)}, {"coach": stats_of(3.57, n=4, sd=0.5)}
    )
    assert unclear[0].status == "no_clear_change"
    down = agg.trend(
        legs, {"coach": stats_of(4.0, n=4, sd=0.5)}, {"coach": stats_of(3.0, n=4, sd=0.5)}
    )
    assert down[0].status == "change" and down[0].delta == pytest.approx(-1.0)


def test_trend_without_an_sd_is_no_clear_change():
    legs = [("coach", "Coach")]
    (item,) = agg.trend(legs, {"coach": stats_of(2.0, n=4)}, {"coach": stats_of(4.5, n=4)})
    assert item.status == "no_clear_change" and item.delta is None


@pytest.mark.parametrize(("n1", "n2"), [(4, 5), (5, 4), (3, 4)])
def test_no_trend_figure_when_the_rater_sets_differ_by_exactly_one(n1, n2):
    legs = [("coach", "Coach")]
    # a change far beyond noise, but one rater more or less: no figure at all
    (item,) = agg.trend(
        legs, {"coach": stats_of(2.0, n=n1, sd=0.1)}, {"coach": stats_of(4.5, n=n2, sd=0.1)}
    )
    assert item.status == "one_rater"
    assert (item.previous_mean, item.current_mean, item.previous_n, item.current_n) == (None,) * 4
    assert item.delta is None and item.interval is None


def test_trend_with_equal_or_two_apart_rater_sets_is_compared():
    legs = [("coach", "Coach")]
    for n1, n2 in ((4, 4), (4, 6), (6, 4)):
        (item,) = agg.trend(
            legs, {"coach": stats_of(2.0, n=n1, sd=0.1)}, {"coach": stats_of(4.5, n=n2, sd=0.1)}
        )
        assert item.status == "change"


def leg(key, order, all_mean, self_mean=None):
    return LegActions(key, key.title(), order, stats_of(all_mean, self_mean), (f"do {key}",))


def test_plan_takes_the_weakest_legs_and_the_largest_blind_spot():
    legs = [leg("a", 1, 3.0), leg("b", 2, 2.5), leg("c", 3, 4.0, self_mean=5.0), leg("d", 4, 3.5)]
    plan = agg.plan_suggestions(legs)
    assert [(p.leg_key, p.reason) for p in plan] == [
        ("b", "lowest_score"),
        ("a", "lowest_score"),
        ("c", "blind_spot"),
    ]
    assert plan[0].actions == ("do b",) and plan[0].all_others_mean == 2.5
    assert plan[2].gap == 1.0
    no_spots = agg.plan_suggestions([leg("a", 1, 3.0), leg("b", 2, 2.5), leg("d", 4, 3.5)])
    assert [p.leg_key for p in no_spots] == ["b", "a", "d"]
    assert agg.plan_suggestions([leg("a", 1, None)]) == ()


def test_plan_suggestions_carry_the_rank_they_were_chosen_by():
    legs = [leg("a", 1, 3.0), leg("b", 2, 2.5), leg("c", 3, 4.0, self_mean=5.0), leg("d", 4, 3.5)]
    plan = agg.plan_suggestions(legs)
    assert [(p.leg_key, p.reason, p.rank) for p in plan] == [
        ("b", "lowest_score", 1),
        ("a", "lowest_score", 2),
        ("c", "blind_spot", 1),
    ]
    # no blind spot: the fill-in is the third-lowest leg, and says so
    no_spots = agg.plan_suggestions([leg("a", 1, 3.0), leg("b", 2, 2.5), leg("d", 4, 3.5)])
    assert [(p.leg_key, p.rank) for p in no_spots] == [("b", 1), ("a", 2), ("d", 3)]
    # the largest blind spot (a, +2.0) is already in as the lowest leg: the blind spot
    # chosen next is the second-largest
    legs = [
        leg("a", 1, 2.0, self_mean=4.0),
        leg("b", 2, 2.5),
        leg("c", 3, 4.0, self_mean=5.0),
        leg("d", 4, 3.5),
    ]
    plan = agg.plan_suggestions(legs)
    assert [(p.leg_key, p.reason, p.rank) for p in plan] == [
        ("a", "lowest_score", 1),
        ("b", "lowest_score", 2),
        ("c", "blind_spot", 2),
    ]


def test_plan_ranks_are_shared_by_equal_figures():
    legs = [leg(k, i, 3.0, self_mean=4.5) for i, k in enumerate("abcd", start=1)]
    plan = agg.plan_suggestions(legs)
    assert [(p.leg_key, p.reason, p.rank) for p in plan] == [
        ("a", "lowest_score", 1),
        ("b", "lowest_score", 1),
        ("c", "blind_spot", 1),
    ]


def test_plan_reason_labels_say_the_reason_andrank(app):
    from flask_babel import force_locale

    legs = [
        leg("a", 1, 2.0, self_mean=4.0),
        leg("b", 2, 2.5),
        leg("c", 3, 3.8, self_mean=5.0),
        leg("d", 4, 3.5),
    ]
    plan = agg.plan_suggestions(legs)
    with app.test_request_context(), force_locale("en"):
        texts = [labels.plan_reason(p) for p in plan]
        assert texts == [
            "your lowest leg in others' view",
            "your second-lowest leg in others' view",
            "your second-largest blind spot: you rate yourself 1.2 higher than others do",
        ]
        fill = agg.plan_suggestions([leg("a", 1, 3.0), leg("b", 2, 2.5), leg("d", 4, 3.5)])
        assert labels.plan_reason(fill[2]) == "your third-lowest leg in others' view"
        assert "lowest score" not in " ".join(texts)
    with app.test_request_context(), force_locale("nl"):
        text = labels.plan_reason(plan[2])
        assert "blinde vlek" in text and "1,2" in text


# --- Cover counts, comments, the rules applied --------------------------------------------------


def test_response_counts_hide_small_groups():
    rows = {
        r.group: r
        for r in agg.response_counts({SELF: 1, SUPERVISOR: 1, DIRECT_REPORT: 5, PEER: 2}, 3)
    }
    assert (rows[SELF].count, rows[SUPERVISOR].count) == (1, 1)
    assert rows[DIRECT_REPORT].count == 5 and not rows[DIRECT_REPORT].left_out
    # the peers are left out of every figure: counted, and all_others does not include them
    assert rows[PEER].count == 2 and rows[PEER].left_out
    assert OTHERS not in rows
    assert rows[ALL_OTHERS].count == 6
    pooled = {r.group: r for r in agg.response_counts({DIRECT_REPORT: 2, PEER: 2}, 3)}
    assert pooled[DIRECT_REPORT].count is None and pooled[DIRECT_REPORT].fewer_than_threshold
    assert (pooled[OTHERS].count, pooled[ALL_OTHERS].count) == (4, 4)
    small = {r.group: r for r in agg.response_counts({SELF: 1, DIRECT_REPORT: 2}, 3)}
    assert small[DIRECT_REPORT].count == 2 and small[DIRECT_REPORT].left_out
    assert small[PEER].count == 0
    assert small[ALL_OTHERS].count is None and small[ALL_OTHERS].fewer_than_threshold
    named = {r.group: r for r in agg.response_counts({DIRECT_REPORT: 4}, 3)}
    assert named[DIRECT_REPORT].count == 4 and OTHERS not in named


def raw(cid, group, key="start", text="text"):
    return RawComment(id=cid, question_key=key, group=group, text=text)


def test_comments_sorted_by_random_id_and_labelled_only_by_name():
    comments = [
        raw("c", DIRECT_REPORT),
        raw("a", SELF),
        raw("b", DIRECT_REPORT, key="stop"),
        raw("d", SUPERVISOR),
        raw("e", PEER, text="   "),
    ]
    counts = {SELF: 1, SUPERVISOR: 1, DIRECT_REPORT: 3, PEER: 3}
    shown, withheld = agg.select_comments(comments, counts, 3)
    assert not withheld
    assert [(c.id, c.group) for c in shown["start"]] == [
        ("a", SELF),
        ("c", DIRECT_REPORT),
        ("d", SUPERVISOR),
    ]
    assert [c.id for c in shown["stop"]] == ["b"]
    pooled, _ = agg.select_comments(comments, {DIRECT_REPORT: 2, PEER: 2}, 3)
    assert [(c.id, c.group) for c in pooled["start"]] == [
        ("a", SELF),
        ("c", None),
        ("d", SUPERVISOR),
    ]


def test_comments_of_a_left_out_group_are_withheld_and_the_named_group_keeps_its_label():
    comments = [raw("a", PEER), raw("b", DIRECT_REPORT), raw("c", SELF)]
    shown, withheld = agg.select_comments(comments, {DIRECT_REPORT: 7, PEER: 2}, 3)
    assert withheld
    assert [(c.id, c.group) for c in shown["start"]] == [("b", DIRECT_REPORT), ("c", SELF)]


def test_comments_of_a_small_non_exempt_total_are_withheld():
    comments = [raw("b", DIRECT_REPORT), raw("a", SELF), raw("c", PEER)]
    shown, withheld = agg.select_comments(comments, {SELF: 1, DIRECT_REPORT: 1, PEER: 1}, 3)
    assert withheld
    assert [c.id for c in shown["start"]] == ["a"]
    rules = agg.anonymity_rules({SELF: 1, DIRECT_REPORT: 1, PEER: 1}, 3, withheld)
    assert agg.Rule("comments_withheld") in rules


def test_anonymity_rules_never_print_a_hidden_count():
    rules = agg.anonymity_rules({SELF: 1, SUPERVISOR: 1, DIRECT_REPORT: 2, PEER: 2}, 3, False)
    assert agg.Rule("pooled_small", {"group": PEER, "t": 3}) in rules
    assert agg.Rule("comments_withheld") not in rules
    texts = [labels.rule_text(rule) for rule in rules]  # English outside an app
    assert (
        "Peers (fewer than 3) are below the threshold of 3 and are included in “Others”." in texts
    )
    assert not any("2" in t for t in texts)
    left = agg.anonymity_rules({SELF: 1, SUPERVISOR: 1, DIRECT_REPORT: 5, PEER: 2}, 3, False)
    assert agg.Rule("left_out", {"group": PEER, "t": 3}) in left
    texts = [labels.rule_text(rule) for rule in left]
    assert any(t.startswith("Peers: fewer than 3 answered") for t in texts)
    assert not any("2" in t or "5" in t for t in texts)
    assert not any("withheld" in t for t in texts)
    assert not any(2 in r.params.values() or 5 in r.params.values() for r in left)
    suppressed = agg.anonymity_rules({DIRECT_REPORT: 2}, 3, True)
    texts = [labels.rule_text(rule) for rule in suppressed]
    assert any("fewer than 3 answers" in t for t in texts)
    assert not any("2" in t for t in texts)
    assert not any(2 in r.params.values() for r in suppressed)


# --- Why a section is empty ---------------------------------------------------------------------


def _fig(order, tallies, t=3):
    return agg.Figure(
        "statement", f"s{order}", "leg", f"S{order}", order, agg.figure_stats(tallies, t)
    )


def test_empty_reason_too_few_answers_gives_the_count_and_the_threshold():
    figures = [_fig(1, {SELF: tally(4), DIRECT_REPORT: tally(3, 4)})]
    reason = agg.empty_reason(agg.STRENGTHS, figures, {SELF: 1, DIRECT_REPORT: 2}, 3)
    assert reason == agg.Rule("too_few", {"section": agg.STRENGTHS, "n": 2, "t": 3})
    assert labels.empty_text(reason) == "Too few answers to rank strengths: 2 of the 3 needed."
    each = agg.empty_reason(
        agg.STRENGTHS, [_fig(1, {DIRECT_REPORT: tally(3, 4)})], {DIRECT_REPORT: 4}, 3
    )
    assert each.key == "too_few_each"


def test_empty_reason_without_a_self_assessment_and_without_a_gap():
    others = {DIRECT_REPORT: tally(3, 4, 5)}
    no_self = agg.empty_reason(agg.BLIND_SPOTS, [_fig(1, others)], {DIRECT_REPORT: 3}, 3)
    assert labels.empty_text(no_self) == (
        "No self-assessment: blind spots compare your view with others'."
    )
    close = agg.empty_reason(
        agg.HIDDEN_STRENGTHS, [_fig(1, {**others, SELF: tally(4)})], {SELF: 1, DIRECT_REPORT: 3}, 3
    )
    assert labels.empty_text(close) == (
        "No statement where you rate yourself 1.0 or more below others."
    )
    listed = agg.empty_reason(agg.DEVELOPMENT_AREAS, [_fig(1, others)], {DIRECT_REPORT: 3}, 3)
    assert listed.key == "all_listed"
