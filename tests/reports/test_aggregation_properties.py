"""Property tests of the anonymity rules over generated rounds (Hypothesis).

A generated round is one leg of a few statements and a few raters per group, each answering
every statement with 1..5 or "don't know". From it the tests build the tallies the queries
would return, apply the rules (figure_stats, leg_figure_stats, response_counts,
select_comments) and check:
- nothing hidden is derivable: re-drawing the scores of a group that is left out of a
  statement changes no figure of the report (statements, the leg, "others", "all_others"),
  and no pooled or left-out group is a linear combination of what a figure shows;
- no group at or above the threshold is ever hidden because of a smaller one;
- a left-out group is counted on the cover and never in a figure;
- pooled (unlabelled) comments appear only when their pool reaches the threshold.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.reports import aggregation as agg
from feedback.reports.aggregation import (
    ALL_OTHERS,
    DIRECT_REPORT,
    EXEMPT_GROUPS,
    OTHERS,
    PEER,
    RATER_GROUPS,
    SELF,
    SUPERVISOR,
    VISIBLE,
    RawComment,
    Tally,
)
from tests.reports.algebra import rank

SIZES = {SELF: (0, 1), SUPERVISOR: (0, 2), DIRECT_REPORT: (0, 8), PEER: (0, 6)}
answer = st.one_of(st.none(), st.integers(1, 5))  # None: "don't know"


@st.composite
def rounds(draw):
    """(threshold, statements, raters): raters is a list of (group, scores per statement)."""
    threshold = draw(st.integers(1, 4))
    statements = draw(st.integers(1, 4))
    raters = []
    for group, (low, high) in SIZES.items():
        for _ in range(draw(st.integers(low, high))):
            scores = draw(st.lists(answer, min_size=statements, max_size=statements))
            raters.append((group, tuple(scores)))
    return threshold, statements, raters


def _qualifies(scores):
    return 2 * sum(s is not None for s in scores) >= len(scores)


def _tally(values):
    values = [v for v in values]
    scores = [v for v in values if v is not None]
    return Tally(
        n=len(scores),
        total=float(sum(scores)),
        total_sq=float(sum(s * s for s in scores)),
        n_dont_know=len(values) - len(scores),
        distribution=tuple(scores.count(v) for v in range(1, 6)),
    )


def report(threshold, statements, raters):
    """Per statement the figure stats, and the leg stats, as the builder computes them."""
    counted = [(g, s) for g, s in raters if _qualifies(s)]
    figures = []
    for i in range(statements):
        tallies = {g: _tally([s[i] for gg, s in counted if gg == g]) for g in RATER_GROUPS}
        figures.append(agg.figure_stats(tallies, threshold))
    counts = {g: sum(1 for gg, _ in counted if gg == g) for g in RATER_GROUPS}
    leg = agg.leg_figure_stats(figures, counts, threshold)
    return tuple(figures), leg


def shown(figures, leg):
    """Everything a reader sees of the figures: states, and numbers of visible groups."""

    def view(stats):
        return tuple(
            (s.group, s.state)
            + (
                (s.n, round(s.mean, 9), s.sd and round(s.sd, 9), s.distribution)
                if s.state == VISIBLE
                else ()
            )
            for s in stats
        )

    return tuple(view(f) for f in figures), view(leg)


@settings(max_examples=300, deadline=None)
@given(rounds(), st.data())
def test_redrawing_a_left_out_groups_scores_changes_nothing_shown(round_, data):
    threshold, statements, raters = round_
    figures, leg = report(threshold, statements, raters)
    before = shown(figures, leg)
    for i, stats in enumerate(figures):
        for group in RATER_GROUPS:
            if agg.stat_of(stats, group).state != agg.SUPPRESSED:
                continue
            redrawn = []
            for g, scores in raters:
                if g == group and _qualifies(scores) and scores[i] is not None:
                    new = data.draw(st.integers(1, 5))
                    scores = scores[:i] + (new,) + scores[i + 1 :]
                redrawn.append((g, scores))
            assert shown(*report(threshold, statements, redrawn)) == before


def _members(stats, group):
    """The rater groups whose answers a shown figure of `group` sums."""
    if group == OTHERS:
        return {s.group for s in stats if s.state == agg.POOLED}
    if group == ALL_OTHERS:
        named = {s.group for s in stats if s.state == VISIBLE and s.group in RATER_GROUPS}
        return (named - {SELF}) | _members(stats, OTHERS)
    return {group}


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_no_pooled_or_left_out_group_is_a_combination_of_shown_figures(round_):
    threshold, statements, raters = round_
    figures, _ = report(threshold, statements, raters)
    index = {g: i for i, g in enumerate(RATER_GROUPS)}

    def vector(members):
        vec = [0] * len(RATER_GROUPS)
        for g in members:
            vec[index[g]] = 1
        return vec

    for stats in figures:
        visible = [
            vector(_members(stats, s.group))
            for s in stats
            if s.state in (VISIBLE, agg.NO_ANSWERS) and _members(stats, s.group)
        ]
        base = rank(visible) if visible else 0
        for s in stats:
            if s.group in RATER_GROUPS and s.state in (agg.POOLED, agg.SUPPRESSED):
                assert rank([*visible, vector({s.group})]) > base, (stats, s.group)
        all_others = agg.stat_of(stats, ALL_OTHERS)
        if all_others.state == VISIBLE:  # its n is the n of the groups it is said to sum
            members = _members(stats, ALL_OTHERS)
            assert all_others.n == sum(agg.stat_of(stats, g).n or 0 for g in members) or (
                agg.stat_of(stats, OTHERS).state == VISIBLE
            )


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_a_group_at_or_above_the_threshold_is_never_hidden_by_a_smaller_one(round_):
    threshold, statements, raters = round_
    figures, leg = report(threshold, statements, raters)
    for stats in figures:
        for s in stats:
            n = sum(
                1
                for g, scores in raters
                if g == s.group and _qualifies(scores) and scores[figures.index(stats)] is not None
            )
            if s.group in RATER_GROUPS and n >= threshold:
                assert s.state == VISIBLE
    # The leg: a group's state does not change when every other non-exempt group is removed.
    for group in agg.NON_EXEMPT_GROUPS:
        alone = [(g, s) for g, s in raters if g == group or g in EXEMPT_GROUPS]
        _, leg_alone = report(threshold, statements, alone)
        counted = sum(1 for g, s in raters if g == group and _qualifies(s))
        if counted >= threshold:
            assert agg.stat_of(leg, group).state == agg.stat_of(leg_alone, group).state
            assert agg.stat_of(leg, group).mean == agg.stat_of(leg_alone, group).mean


counts_strategy = st.fixed_dictionaries({g: st.integers(0, high) for g, (_, high) in SIZES.items()})


@settings(max_examples=300, deadline=None)
@given(counts_strategy, st.integers(1, 4))
def test_the_cover_counts_left_out_raters_and_no_figure_counts_them(counts, threshold):
    rows = {r.group: r for r in agg.response_counts(counts, threshold)}
    v = agg.apply_threshold(counts, threshold)
    for group in agg.NON_EXEMPT_GROUPS:
        if 0 < counts[group] < threshold and group not in v.pooled:
            assert rows[group].left_out and rows[group].count == counts[group]
        else:
            assert not rows[group].left_out
    if rows[ALL_OTHERS].count is not None and rows[ALL_OTHERS].state == VISIBLE:
        assert rows[ALL_OTHERS].count == sum(
            counts[g] for g in RATER_GROUPS if g != SELF and not rows[g].left_out
        )


@settings(max_examples=300, deadline=None)
@given(counts_strategy, st.integers(1, 4))
def test_pooled_comments_count_left_out_raters_only_if_the_pool_meets_the_threshold(
    counts, threshold
):
    comments = [
        RawComment(id=f"{g}-{i}", question_key="q", group=g, text="x")
        for g in RATER_GROUPS
        for i in range(counts[g])
    ]
    shown_comments, withheld = agg.select_comments(comments, counts, threshold)
    items = shown_comments.get("q", ())
    unlabelled = [c for c in items if c.group is None]
    sources = {c.id.split("-")[0] for c in unlabelled}
    if unlabelled:
        assert sum(counts[g] for g in sources) >= threshold
        assert len(unlabelled) == sum(counts[g] for g in sources)
    for c in items:
        if c.group is not None and c.group not in EXEMPT_GROUPS:
            assert counts[c.group] >= threshold
    hidden = [c for c in comments if c.id not in {i.id for i in items}]
    assert withheld == bool(hidden)
