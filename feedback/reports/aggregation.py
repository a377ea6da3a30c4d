"""The rules of the development report, as pure functions over small aggregated tuples.

Why this module is long (about 800 lines): the threshold, leaving out or pooling a small
group, complementary suppression and every derived figure (blind spots, plan, trend) decide
together what may be shown, and one reader must be able to follow them in one place; it has
no imports of Flask or the database. Its sections (groups and states, tallies and
statistics, the threshold, derived figures, response counts and comments) come in the order
a report applies them.

Nothing here touches Flask or the database: the queries (queries.py) hand over per-group
tallies (n, sum, sum of squares, "don't know" count, distribution), and these functions
decide what may be shown and compute the derived figures. Every rule has unit tests with
hand-computed numbers in tests/reports/test_aggregation.py.

Statistics:
- a mean leaves "don't know" out; n is the number of scores that went into it;
- the standard deviation is the *sample* SD (n - 1 in the denominator), None for n < 2;
- a rater counts for a leg, and for its statements, only if they answered (not "don't
  know") at least half of the leg's statements: the SQL joins the statement tallies with
  the qualifying (response, leg) pairs, so a statement figure counts only those raters;
- a leg figure is derived from nothing but the statement figures that are shown
  (`leg_figure_stats`): the mean of the group's visible statement means. It carries no
  information the statement figures do not, so differencing a leg figure against its
  statements can never isolate one rater.

Anonymity (DESIGN.md, "Anonymity is structural"): `apply_threshold` decides, per figure,
which groups are shown by name, which are pooled into "others" and which are suppressed,
so that no suppressed group's figure can be derived by subtracting visible ones.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from feedback.reports.model import (
    CommentItem,
    GroupStat,
    Norm,
    PlanSuggestion,
    RankedItem,
    ResponseCount,
    TrendItem,
)

# --- Groups -------------------------------------------------------------------------------

SELF = "self"
SUPERVISOR = "supervisor"
DIRECT_REPORT = "direct_report"
PEER = "peer"
OTHERS = "others"  # the pooled small non-exempt groups
ALL_OTHERS = "all_others"  # everyone except self

RATER_GROUPS = (SELF, SUPERVISOR, DIRECT_REPORT, PEER)
EXEMPT_GROUPS = frozenset({SELF, SUPERVISOR})  # named groups: raters were told so
NON_EXEMPT_GROUPS = (DIRECT_REPORT, PEER)
REPORT_GROUPS = (*RATER_GROUPS, OTHERS, ALL_OTHERS)  # the order of columns in a report
LANGS = ("nl", "en")

# --- States of one group in one figure ------------------------------------------------------

VISIBLE = "visible"  # shown, with n, mean, SD
POOLED = "pooled"  # below the threshold, with a pool that reaches it: in "others"
SUPPRESSED = "suppressed"  # left out of every figure: "fewer than t"
NO_ANSWERS = "no_answers"  # n = 0 (nobody answered, or only "don't know"): not 0.0
NOT_APPLICABLE = "not_applicable"  # "others" when no group needed pooling

# --- Defaults of the derived rules ----------------------------------------------------------

DEFAULT_GAP = 1.0  # blind spot / hidden strength: |self - all_others| >= gap
DEFAULT_DISAGREEMENT_SD = 1.2  # warn when the all_others SD reaches this
NORM_BAND = 0.2  # within +-0.2 of the norm counts as "at" the norm
NORM_MIN_MANAGERS = 3  # fewer managers in a norm would reveal another manager's mean
TOP_N = 5
SCORES = (1, 2, 3, 4, 5)

_EPS = 1e-9


def check_lang(lang: str) -> str:
    """`lang` if the report speaks it (framework texts exist in both), else ValueError."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}, expected one of {LANGS}")
    return lang


# --- Tallies and statistics -----------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """An additive aggregate of one group for one figure, as a GROUP BY query returns it.

    n: values that count (scores of qualifying raters, grades); total and
    total_sq: their sum and sum of squares; n_dont_know: "don't know" answers (statements
    only); distribution: counts of the answers 1..5 (empty when not applicable).
    """

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    n_dont_know: int = 0
    distribution: tuple[int, ...] = ()

    def __add__(self, other: "Tally") -> "Tally":
        if not self.distribution:
            dist = other.distribution
        elif not other.distribution:
            dist = self.distribution
        else:
            dist = tuple(a + b for a, b in zip(self.distribution, other.distribution, strict=True))
        return Tally(
            n=self.n + other.n,
            total=self.total + other.total,
            total_sq=self.total_sq + other.total_sq,
            n_dont_know=self.n_dont_know + other.n_dont_know,
            distribution=dist,
        )


def merge(tallies: Iterable[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result = result + tally
    return result


def mean(tally: Tally) -> float | None:
    """The mean, None when nothing was answered (n = 0 is "no answers", never 0.0)."""
    if tally.n == 0:
        return None
    return tally.total / tally.n


def sample_sd(tally: Tally) -> float | None:
    """Sample standard deviation (n - 1), from the sum and the sum of squares; None for n < 2."""
    if tally.n < 2:
        return None
    variance = (tally.total_sq - tally.total * tally.total / tally.n) / (tally.n - 1)
    if variance < _EPS:  # rounding can make identical values a hair negative
        return 0.0
    return math.sqrt(variance)


# --- The threshold ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """What one figure may show, given the counts per rater group.

    named: groups shown under their own name (self and supervisor whenever they answered;
        a non-exempt group only with n >= threshold and not pooled);
    pooled: non-exempt groups shown only inside "others" (others_visible is then True);
    suppressed: non-exempt groups that answered but are left out of every figure (below the
        threshold, and the pool of such groups is below it too);
    empty: groups with n = 0.
    """

    threshold: int
    named: frozenset[str]
    pooled: frozenset[str]
    suppressed: frozenset[str]
    empty: frozenset[str]
    others_visible: bool
    all_others_visible: bool

    def state(self, group: str) -> str:
        if group == OTHERS:
            if self.others_visible:
                return VISIBLE
            if self.suppressed and not self.all_others_visible:
                return SUPPRESSED
            return NOT_APPLICABLE
        if group == ALL_OTHERS:
            if self.all_others_visible:
                return VISIBLE
            non_empty = self.named | self.pooled | self.suppressed
            return SUPPRESSED if non_empty - {SELF} else NO_ANSWERS
        if group in self.named:
            return VISIBLE
        if group in self.pooled:
            return POOLED
        if group in self.suppressed:
            return SUPPRESSED
        return NO_ANSWERS

    def is_visible(self, group: str) -> bool:
        return self.state(group) == VISIBLE


def apply_threshold(
    counts: Mapping[str, int], threshold: int, *, leave_out_small: bool = True
) -> Visibility:
    """Decide which groups one figure may show (counts: n per rater group).

    Self and supervisor are exempt: shown whenever they answered. Of the other groups, those
    with n >= t are shown by name. The smaller ones are pooled into "others" when the pool
    reaches t; otherwise they are left out (suppressed): their answers go into no figure at
    all, "all_others" included, so a group that meets the threshold on its own is never
    hidden because of a smaller one. "all_others" is supervisor + named groups + the pool, a
    sum of shown figures, so it reveals nothing they do not; it is shown only when at least
    one non-exempt group goes into it (else it would be the supervisor's figure again).

    leave_out_small=False is the older complementary rule, for HR's completion counts
    (admin/completion.py), where every group must be accounted for: a pool below t takes the
    smallest named group, and if the non-exempt total is below t nothing is shown.
    """
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    if any(n < 0 for n in counts.values()):
        raise ValueError("counts cannot be negative")
    empty = frozenset(g for g, n in counts.items() if n == 0)
    exempt = frozenset(g for g, n in counts.items() if g in EXEMPT_GROUPS and n > 0)
    others = {g: n for g, n in counts.items() if g not in EXEMPT_GROUPS and n > 0}
    named = frozenset(g for g, n in others.items() if n >= threshold)
    small = frozenset(g for g, n in others.items() if n < threshold)
    if not leave_out_small:
        return _complementary(threshold, exempt, empty, others)
    pool_reaches = bool(small) and sum(others[g] for g in small) >= threshold
    pooled = small if pool_reaches else frozenset()
    return Visibility(
        threshold=threshold,
        named=exempt | named,
        pooled=pooled,
        suppressed=small - pooled,
        empty=empty,
        others_visible=bool(pooled),
        all_others_visible=bool(named or pooled),
    )


def _complementary(
    threshold: int, exempt: frozenset[str], empty: frozenset[str], others: Mapping[str, int]
) -> Visibility:
    if sum(others.values()) < threshold:
        return Visibility(threshold, exempt, frozenset(), frozenset(others), empty, False, False)
    pool = {g for g, n in others.items() if n < threshold}
    named = {g for g, n in others.items() if n >= threshold}
    if pool and sum(others[g] for g in pool) < threshold:
        smallest = min(named, key=lambda g: (others[g], g))  # ties: by name
        named.remove(smallest)
        pool.add(smallest)
    return Visibility(
        threshold, exempt | frozenset(named), frozenset(pool), frozenset(), empty, bool(pool), True
    )


def shown_in_all_others(visibility: Visibility) -> frozenset[str]:
    """The rater groups whose answers make up "all_others": the named ones except self, and
    the pool. Left-out (suppressed) groups never count."""
    return (visibility.named - {SELF}) | visibility.pooled


def show_distribution(group: str, visible: bool, n: int, threshold: int) -> bool:
    """The spread of answers is shown only for a visible non-exempt or pooled figure with n >= t.

    Never for self or supervisor (one person's answers), never for a pooled or suppressed
    group on its own, and never below the threshold, which also covers "everyone in a small
    group gave the same answer".
    """
    return group not in EXEMPT_GROUPS and visible and n >= threshold


def figure_stats(tallies: Mapping[str, Tally], threshold: int) -> tuple[GroupStat, ...]:
    """The per-group stats of one statement or the grade, threshold applied (legs:
    `leg_figure_stats`, which derives them from these).

    tallies: per rater group (missing groups count as n = 0). Returns one GroupStat per
    REPORT_GROUPS entry; hidden groups carry no numbers at all.
    """
    visibility = apply_threshold({g: tallies.get(g, Tally()).n for g in RATER_GROUPS}, threshold)
    pooled_tally = merge(tallies.get(g, Tally()) for g in sorted(visibility.pooled))
    combined = dict(tallies)
    combined[OTHERS] = pooled_tally
    combined[ALL_OTHERS] = merge(
        tallies.get(g, Tally()) for g in RATER_GROUPS if g in shown_in_all_others(visibility)
    )
    stats = []
    for group in REPORT_GROUPS:
        tally = combined.get(group, Tally())
        state = visibility.state(group)
        stats.append(_group_stat(group, state, tally, threshold))
    return tuple(stats)


def _group_stat(group: str, state: str, tally: Tally, threshold: int) -> GroupStat:
    if state == VISIBLE:
        has_dist = bool(tally.distribution) and show_distribution(group, True, tally.n, threshold)
        return GroupStat(
            group=group,
            state=state,
            n=tally.n,
            mean=mean(tally),
            sd=sample_sd(tally),
            n_dont_know=tally.n_dont_know,
            distribution=tally.distribution if has_dist else None,
        )
    if state == NO_ANSWERS and group in EXEMPT_GROUPS:
        # Named groups that only said "don't know": say so, with their count.
        return GroupStat(group, state, n=0, n_dont_know=tally.n_dont_know)
    if state == NO_ANSWERS:
        return GroupStat(group, state, n=0)
    return GroupStat(group, state)


def leg_figure_stats(
    statements: Sequence[Sequence[GroupStat]],
    counts: Mapping[str, int],
    threshold: int,
) -> tuple[GroupStat, ...]:
    """The per-group stats of one leg, derived only from its statements' shown figures.

    statements: the threshold-applied stats (figure_stats) of the leg's statements, which
    count only qualifying raters. counts: qualifying raters per rater group (answered at
    least half of the leg's statements). The threshold is applied to these counts first, as
    for any figure: a group it hides stays hidden. For a group it shows:
    - mean: the unweighted mean of the group's visible statement means;
    - n: the group's qualifying raters ("others" and "all_others": summed as in figure_stats);
    - sd: the mean of the group's visible statement SDs. Not the SD of any set of values:
      it only feeds the disagreement warning (`disagrees`);
    - no distribution and no "don't know" count (nothing renders them for a leg).
    A shown group without a single visible statement figure is suppressed: no numbers.
    So a leg figure is a function of the visible statement figures and the qualifying
    counts alone, and can never reveal what the statement figures hide.
    """
    visibility = apply_threshold({g: counts.get(g, 0) for g in RATER_GROUPS}, threshold)
    totals = {g: counts.get(g, 0) for g in RATER_GROUPS}
    totals[OTHERS] = sum(counts.get(g, 0) for g in visibility.pooled)
    totals[ALL_OTHERS] = sum(counts.get(g, 0) for g in shown_in_all_others(visibility))
    result = []
    for group in REPORT_GROUPS:
        state = visibility.state(group)
        if state == NO_ANSWERS:
            result.append(GroupStat(group, state, n=0))
            continue
        if state != VISIBLE:
            result.append(GroupStat(group, state))
            continue
        shown = [
            stat
            for stat in (stat_of(figure, group) for figure in statements)
            if stat.state == VISIBLE and stat.mean is not None
        ]
        if not shown:
            result.append(GroupStat(group, SUPPRESSED))
            continue
        sds = [stat.sd for stat in shown if stat.sd is not None]
        result.append(
            GroupStat(
                group=group,
                state=VISIBLE,
                n=totals[group],
                mean=sum(stat.mean for stat in shown) / len(shown),
                sd=sum(sds) / len(sds) if sds else None,
            )
        )
    return tuple(result)


def stat_of(stats: Sequence[GroupStat], group: str) -> GroupStat:
    for stat in stats:
        if stat.group == group:
            return stat
    raise KeyError(group)


def visible_mean(stats: Sequence[GroupStat], group: str) -> float | None:
    stat = stat_of(stats, group)
    return stat.mean if stat.state == VISIBLE else None


# --- Derived figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """The input of the ranking rules: one statement or leg with its threshold-applied stats."""

    kind: str  # "statement" or "leg"
    key: str
    leg_key: str
    text: str
    order: int  # position in the report (ties are broken by it)
    stats: tuple[GroupStat, ...]


def gap(stats: Sequence[GroupStat]) -> float | None:
    """self minus all_others, when both are visible."""
    own = visible_mean(stats, SELF)
    others = visible_mean(stats, ALL_OTHERS)
    if own is None or others is None:
        return None
    return own - others


def _ranked(figure: Figure) -> RankedItem:
    all_others = stat_of(figure.stats, ALL_OTHERS)
    own = stat_of(figure.stats, SELF)
    return RankedItem(
        kind=figure.kind,
        key=figure.key,
        leg_key=figure.leg_key,
        text=figure.text,
        order=figure.order,
        all_others_mean=all_others.mean,
        all_others_n=all_others.n,
        all_others_sd=all_others.sd,
        self_mean=own.mean if own.state == VISIBLE else None,
        gap=gap(figure.stats),
    )


def strengths_and_development_areas(
    figures: Sequence[Figure], top: int = TOP_N
) -> tuple[tuple[RankedItem, ...], tuple[RankedItem, ...]]:
    """The top `top` statements by all_others mean and the bottom `top` (visible only).

    Ties go to the statement that comes first in the report. A statement is never both.
    """
    scored = [f for f in figures if visible_mean(f.stats, ALL_OTHERS) is not None]
    best = sorted(scored, key=lambda f: (-visible_mean(f.stats, ALL_OTHERS), f.order))[:top]
    chosen = {f.key for f in best}
    rest = [f for f in scored if f.key not in chosen]
    worst = sorted(rest, key=lambda f: (visible_mean(f.stats, ALL_OTHERS), f.order))[:top]
    return tuple(_ranked(f) for f in best), tuple(_ranked(f) for f in worst)


def blind_spots(
    figures: Sequence[Figure], min_gap: float = DEFAULT_GAP, top: int | None = None
) -> tuple[RankedItem, ...]:
    """Self rated at least `min_gap` above all_others; largest gap first, then report order;
    the first `top` only when given.

    The rule is the gap alone: others' mean can be high too (others 4.0, self 5.0 is a blind
    spot of 1.0); the report says both figures, so the reader sees which kind it is.
    """
    found = [f for f in figures if (g := gap(f.stats)) is not None and g >= min_gap - _EPS]
    found.sort(key=lambda f: (-gap(f.stats), f.order))
    return tuple(_ranked(f) for f in found[:top])


def hidden_strengths(
    figures: Sequence[Figure], min_gap: float = DEFAULT_GAP, top: int | None = None
) -> tuple[RankedItem, ...]:
    """Self rated at least `min_gap` below all_others; largest gap first, then report order;
    the first `top` only when given."""
    found = [f for f in figures if (g := gap(f.stats)) is not None and -g >= min_gap - _EPS]
    found.sort(key=lambda f: (gap(f.stats), f.order))
    return tuple(_ranked(f) for f in found[:top])


def disagrees(
    stats: Sequence[GroupStat], threshold: int, min_sd: float = DEFAULT_DISAGREEMENT_SD
) -> bool:
    """Raters disagree strongly: all_others is visible with n >= t and its SD >= min_sd."""
    stat = stat_of(stats, ALL_OTHERS)
    return (
        stat.state == VISIBLE
        and stat.n is not None
        and stat.n >= threshold
        and stat.sd is not None
        and stat.sd >= min_sd - _EPS
    )


def disagreements(
    figures: Sequence[Figure], threshold: int, min_sd: float = DEFAULT_DISAGREEMENT_SD
) -> tuple[RankedItem, ...]:
    """Every figure where raters disagree strongly, in report order."""
    found = [f for f in figures if disagrees(f.stats, threshold, min_sd)]
    return tuple(_ranked(f) for f in sorted(found, key=lambda f: f.order))


def usable_norm(norm: float | None, n_managers: int) -> float | None:
    """The organisation norm (the mean over managers of their visible all_others means, as
    round_norms computes it), or None when fewer than NORM_MIN_MANAGERS managers count: with
    one or two, the norm and a manager's own mean would give away another manager's result.
    """
    if norm is None or n_managers < NORM_MIN_MANAGERS:
        return None
    return norm


def position_against_norm(
    own: float | None, norm: float | None, n_managers: int, band: float = NORM_BAND
) -> Norm:
    """Where the manager's all_others mean stands against the norm: above, at (+-band) or below."""
    if norm is None:
        return Norm(mean=None, n_managers=n_managers)
    if own is None:
        return Norm(mean=norm, n_managers=n_managers)
    difference = own - norm
    if difference > band + _EPS:
        position = "above"
    elif difference < -band - _EPS:
        position = "below"
    else:
        position = "at"
    return Norm(mean=norm, n_managers=n_managers, difference=difference, position=position)


TREND_Z = 1.645  # a two-sided 90 % interval


def trend_interval(
    before: GroupStat, now: GroupStat, z: float = TREND_Z
) -> tuple[float, float] | None:
    """The Welch interval of now.mean - before.mean: diff +- z * sqrt(sd1²/n1 + sd2²/n2).

    For a leg, sd is the mean of its visible statement SDs (leg_figure_stats), not the SD of
    any set of values: it stands in for the raters' spread, as the leg's own spread is not
    kept. None when either side lacks a mean, an sd or an n of at least 2.
    """
    figures = (before.mean, now.mean, before.sd, now.sd, before.n, now.n)
    if any(v is None for v in figures) or before.n < 2 or now.n < 2:
        return None
    diff = now.mean - before.mean
    half = z * math.sqrt(before.sd**2 / before.n + now.sd**2 / now.n)
    return diff - half, diff + half


def trend(
    legs: Sequence[tuple[str, str]],
    previous: Mapping[str, Sequence[GroupStat]],
    current: Mapping[str, Sequence[GroupStat]],
) -> tuple[TrendItem, ...]:
    """Per leg (key, name) where all_others is visible in both rounds, one item:

    - "one_rater": the two rater sets differ in size by exactly one; the change of the means
      could then give away that one rater's score, so the item has no figures at all;
    - "change": the 90 % Welch interval of the difference (trend_interval) excludes zero;
    - "no_clear_change": otherwise (also when no interval can be made): both means are
      shown, the change is not.
    """
    items = []
    for key, name in legs:
        if key not in previous or key not in current:
            continue
        before = stat_of(previous[key], ALL_OTHERS)
        now = stat_of(current[key], ALL_OTHERS)
        if before.state != VISIBLE or now.state != VISIBLE:
            continue
        if abs(before.n - now.n) == 1:
            items.append(TrendItem(key, name, status="one_rater"))
            continue
        interval = trend_interval(before, now)
        clear = interval is not None and (interval[0] > _EPS or interval[1] < -_EPS)
        items.append(
            TrendItem(
                leg_key=key,
                leg_name=name,
                status="change" if clear else "no_clear_change",
                previous_mean=before.mean,
                previous_n=before.n,
                current_mean=now.mean,
                current_n=now.n,
                delta=now.mean - before.mean if clear else None,
                interval=interval if clear else None,
            )
        )
    return tuple(items)


@dataclass(frozen=True)
class LegActions:
    key: str
    name: str
    order: int
    stats: tuple[GroupStat, ...]
    actions: tuple[str, ...] = field(default=())


def plan_suggestions(
    legs: Sequence[LegActions], min_gap: float = DEFAULT_GAP, count: int = 3
) -> tuple[PlanSuggestion, ...]:
    """Suggested actions for the weakest legs: up to `count` - 1 lowest by all_others mean
    (visible only), then the leg with the largest blind spot not already chosen, then, if
    room is left, the next lowest. At most `count` legs.

    Each suggestion keeps the reason it was chosen for and its rank under that reason, as
    the labels say it: "lowest_score" rank 2 is the second-lowest leg by all_others mean;
    "blind_spot" rank 1 the largest blind spot among all legs (a larger one may already be
    in the plan as a low score, then the rank says so). Equal figures share a rank.
    """
    scored = sorted(
        (leg for leg in legs if visible_mean(leg.stats, ALL_OTHERS) is not None),
        key=lambda leg: (visible_mean(leg.stats, ALL_OTHERS), leg.order),
    )
    lows = [visible_mean(leg.stats, ALL_OTHERS) for leg in scored]
    # Equal figures share a rank: 1 + the number of legs strictly lower (larger, for gaps).
    low_rank = {
        leg.key: 1 + sum(v < visible_mean(leg.stats, ALL_OTHERS) - _EPS for v in lows)
        for leg in scored
    }
    chosen: list[tuple[LegActions, str, int]] = [
        (leg, "lowest_score", low_rank[leg.key]) for leg in scored[: count - 1]
    ]
    taken = {leg.key for leg, _, _ in chosen}
    spots = sorted(
        (leg for leg in legs if (g := gap(leg.stats)) is not None and g >= min_gap - _EPS),
        key=lambda leg: (-gap(leg.stats), leg.order),
    )
    gaps = [gap(leg.stats) for leg in spots]
    free = [
        (1 + sum(g > gap(leg.stats) + _EPS for g in gaps), leg)
        for leg in spots
        if leg.key not in taken
    ]
    if free and len(chosen) < count:
        rank, spot = free[0]
        chosen.append((spot, "blind_spot", rank))
        taken.add(spot.key)
    for leg in scored:
        if len(chosen) >= count:
            break
        if leg.key not in taken:
            chosen.append((leg, "lowest_score", low_rank[leg.key]))
            taken.add(leg.key)
    return tuple(
        PlanSuggestion(
            leg_key=leg.key,
            leg_name=leg.name,
            reason=reason,
            all_others_mean=visible_mean(leg.stats, ALL_OTHERS),
            gap=gap(leg.stats),
            actions=leg.actions,
            rank=rank,
        )
        for leg, reason, rank in chosen
    )


# --- Response counts, comments, the rules applied ---------------------------------------------


def response_counts(
    counts: Mapping[str, int], threshold: int, invited: Mapping[str, int] | None = None
) -> tuple[ResponseCount, ...]:
    """The cover's respondents per group: exact for self, supervisor and groups shown by name
    (and for the pooled "others" and "all_others" when visible); a left-out group's count is
    given too (left_out: "n answered, too few to show separately; not included in the
    figures": its answers are in no figure, so its count reveals nothing of them); a pooled
    group says "fewer than t" or "included in others". invited (raters invited per group)
    is given only beside a named group's own count: never for a hidden count, nor for
    "others" or "all_others", whose invited total beside their answers could tell how
    many of a pooled group answered."""
    visibility = apply_threshold({g: counts.get(g, 0) for g in RATER_GROUPS}, threshold)
    totals = {
        **{g: counts.get(g, 0) for g in RATER_GROUPS},
        OTHERS: sum(counts.get(g, 0) for g in visibility.pooled),
        ALL_OTHERS: sum(counts.get(g, 0) for g in shown_in_all_others(visibility)),
    }
    rows = []
    for group in REPORT_GROUPS:
        state = visibility.state(group)
        if state == NOT_APPLICABLE:
            continue
        left_out = group in visibility.suppressed
        shown = state in (VISIBLE, NO_ANSWERS) or left_out
        rows.append(
            ResponseCount(
                group=group,
                state=state,
                count=totals[group] if shown else None,
                fewer_than_threshold=(
                    state == SUPPRESSED or (state == POOLED and totals[group] < threshold)
                ),
                left_out=left_out,
                invited=(
                    invited.get(group, 0)
                    if invited is not None and shown and group in RATER_GROUPS
                    else None
                ),
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class RawComment:
    id: str  # the comment's random UUID
    question_key: str
    group: str
    text: str


def select_comments(
    comments: Iterable[RawComment], counts: Mapping[str, int], threshold: int
) -> tuple[dict[str, tuple[CommentItem, ...]], bool]:
    """The comments that may be shown, per question, and whether any were withheld.

    counts: respondents per group for the report as a whole. Self and supervisor comments
    are always shown with their label. Comments of a group shown by name carry its label;
    those of pooled groups are shown unlabelled, which needs the pool to reach the threshold;
    those of a left-out group are withheld (they would be its own small pool). The order
    is the order of the random comment UUIDs: stable for a report, unrelated to arrival.
    """
    visibility = apply_threshold({g: counts.get(g, 0) for g in RATER_GROUPS}, threshold)
    by_question: dict[str, list[CommentItem]] = {}
    withheld = False
    for comment in sorted(comments, key=lambda c: c.id):
        if not comment.text.strip():
            continue
        shown = visibility.named | visibility.pooled  # a left-out group's comments never
        if comment.group not in EXEMPT_GROUPS and comment.group not in shown:
            withheld = True
            continue
        labelled = comment.group in EXEMPT_GROUPS or comment.group in visibility.named
        by_question.setdefault(comment.question_key, []).append(
            CommentItem(
                id=comment.id,
                text=comment.text,
                group=comment.group if labelled else None,
            )
        )
    return {key: tuple(items) for key, items in by_question.items()}, withheld


@dataclass(frozen=True)
class Rule:
    """One anonymity rule applied to a report: a key and the figures its sentence needs
    (labels.rule_text writes it in the reader's language). params never holds the count of
    a group that is not shown."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


def anonymity_rules(
    counts: Mapping[str, int], threshold: int, comments_withheld: bool
) -> tuple[Rule, ...]:
    """The rules applied to this report, in the order the report lists them."""
    visibility = apply_threshold({g: counts.get(g, 0) for g in RATER_GROUPS}, threshold)
    rules = [Rule("threshold", {"t": threshold}), Rule("exempt")]
    for group in NON_EXEMPT_GROUPS:
        if group in visibility.pooled:
            rules.append(Rule("pooled_small", {"group": group, "t": threshold}))
        if group in visibility.suppressed and visibility.all_others_visible:
            rules.append(Rule("left_out", {"group": group, "t": threshold}))
    if visibility.suppressed and not visibility.all_others_visible:
        rules.append(Rule("suppressed", {"t": threshold}))
    rules += [Rule("per_figure"), Rule("dont_know"), Rule("distribution", {"t": threshold})]
    rules.append(Rule("comments_order"))
    if comments_withheld:
        rules.append(Rule("comments_withheld"))
    rules.append(Rule("norm", {"m": NORM_MIN_MANAGERS}))
    return tuple(rules)


# --- Why a section is empty -------------------------------------------------------------------

STRENGTHS, DEVELOPMENT_AREAS, BLIND_SPOTS, HIDDEN_STRENGTHS = (
    "strengths",
    "development_areas",
    "blind_spots",
    "hidden_strengths",
)


def empty_reason(
    section: str,
    figures: Sequence[Figure],
    counts: Mapping[str, int],
    threshold: int,
    min_gap: float = DEFAULT_GAP,
) -> Rule:
    """Why a ranked section has no entries, as a key and the figures its one sentence needs
    (labels.empty_text writes it). Its count of non-exempt answers is given only when it is
    below the threshold: those raters are left out and counted on the cover anyway.

    - too_few: no statement shows "all others" (non-exempt answers n of the t needed);
    - too_few_each: enough raters, but no statement has t answers other than "don't know";
    - no_self: blind spots and hidden strengths need a self-assessment;
    - all_listed: development areas when every ranked statement is already a strength;
    - no_gap: self and others are shown but nowhere differ by min_gap in that direction.
    """
    with_others = [f for f in figures if visible_mean(f.stats, ALL_OTHERS) is not None]
    if not with_others:
        n = sum(counts.get(g, 0) for g in NON_EXEMPT_GROUPS)
        if n < threshold:
            return Rule("too_few", {"section": section, "n": n, "t": threshold})
        return Rule("too_few_each", {"section": section, "t": threshold})
    if section == DEVELOPMENT_AREAS:
        return Rule("all_listed", {"section": section})
    if section in (BLIND_SPOTS, HIDDEN_STRENGTHS):
        own = [f for f in with_others if visible_mean(f.stats, SELF) is not None]
        if counts.get(SELF, 0) == 0 or not own:
            return Rule("no_self", {"section": section})
        return Rule("no_gap", {"section": section, "gap": min_gap})
    return Rule("all_listed", {"section": section})
