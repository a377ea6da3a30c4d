"""Property tests over generated rounds: no figure, distribution or comment of a group below
the threshold is ever shown, or derivable by subtraction from what is shown.

Hypothesis generates the raters of one manager (how many in each group, each one's answers
to every statement: a score, "don't know" or nothing; a grade; a comment) and a threshold.
Two kinds of checks:

- what a report shows: every figure of direct reports, peers or "others" that is shown
  counts at least t raters; "all raters" is shown only when the non-exempt raters in it
  reach t; a distribution only for such a figure; a hidden figure carries no number; the
  cover never counts a hidden group; comments of a small non-exempt total are withheld and
  a comment is labelled only with a group shown by name.
- twins (the strongest form): a second manager in the same round gets the same raters,
  except for answers the first report hides: a suppressed group's scores and grades (a
  group left out of every figure, beside one that meets the threshold, is suppressed), the
  scores of raters who do not count for a leg, the split of scores between groups pooled
  into "others", withheld comments. If any hidden answer could be worked out from the
  visible figures (by subtracting one from another, or in any other way), some such twin
  would get a different report. Every twin's report must equal the original, figure for
  figure, through the real queries (tests/reports and the pure rules in aggregation.py).

The same rules are checked on the pure functions alone, with many more examples.
"""

import dataclasses
from dataclasses import dataclass, field

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

from feedback.models import RoundStatus
from feedback.reports import aggregation as agg
from feedback.reports.aggregation import (
    ALL_OTHERS,
    EXEMPT_GROUPS,
    OTHERS,
    POOLED,
    RATER_GROUPS,
    SUPERVISOR,
    SUPPRESSED,
    VISIBLE,
    Tally,
)
from feedback.reports.builder import build_report
from tests.factories import add_participant, add_response, make_round, make_team
from tests.security.fuzz_settings import fuzz

SCORES = (1, 2, 3, 4, 5)
DK = "dk"
COMMENTS = ("Goed werk", "Luistert niet", "Meer coaching", "Top", "Duidelijk")


@dataclass
class Rater:
    group: str
    answers: list  # per statement: 1..5, DK, or None (not answered)
    grade: int | None
    comment: str | None
    index: int = field(default=0)


@st.composite
def raters(draw, n_statements):
    counts = {
        agg.SELF: draw(st.integers(0, 1)),
        SUPERVISOR: draw(st.integers(0, 2)),
        agg.DIRECT_REPORT: draw(st.integers(0, 6)),
        agg.PEER: draw(st.integers(0, 6)),
    }
    result = []
    for group, count in counts.items():
        for _ in range(count):
            # mostly answering raters, some who skip or say "don't know" a lot
            often = draw(st.sampled_from([SCORES, SCORES, (*SCORES, DK, None), (DK, None, 3)]))
            answers = [draw(st.sampled_from(often)) for _ in range(n_statements)]
            grade = draw(st.one_of(st.none(), st.integers(1, 10)))
            comment = draw(st.one_of(st.none(), st.sampled_from(COMMENTS)))
            result.append(Rater(group, answers, grade, comment, index=len(result)))
    return result


# --- The round and its reports ---------------------------------------------------------------


def _store(db, rnd, raters_, name):
    manager, _reps, _director = make_team(db, size=0)
    manager.name = name
    part = add_participant(db, rnd, manager)
    ids = [st.id for leg in rnd.framework.legs for st in leg.statements]
    key = rnd.framework.open_questions[0].key
    for rater in raters_:
        scores = {
            sid: (None if a == DK else a)
            for sid, a in zip(ids, rater.answers, strict=True)
            if a is not None
        }
        add_response(
            db,
            part,
            group=rater.group,
            scores=scores,
            grade=rater.grade,
            comments={key: rater.comment} if rater.comment else None,
        )
    return part


def _comparable(report):
    """The report without what differs between two managers by construction: their id,
    their name and the random ids that order comments."""
    sections = tuple(
        dataclasses.replace(
            section,
            comments=tuple(
                sorted(
                    (dataclasses.replace(c, id="") for c in section.comments),
                    key=lambda c: (c.text, c.group or ""),
                )
            ),
        )
        for section in report.comments
    )
    return dataclasses.replace(report, participant_id=0, manager_name="M", comments=sections)


def _legs(rnd):
    """Statement index ranges per leg, in report order."""
    spans, start = [], 0
    for leg in rnd.framework.legs:
        spans.append(range(start, start + len(leg.statements)))
        start += len(leg.statements)
    return spans


def _counts_for_leg(rater, span) -> bool:
    """The leg rule: a rater counts for a leg, and its statements, with at least half of
    its statements answered ("don't know" is not an answer)."""
    answered = sum(1 for k in span if rater.answers[k] in SCORES)
    return 2 * answered >= len(span)


# --- What a report shows ----------------------------------------------------------------------


def _stat(stats, group):
    return next(s for s in stats if s.group == group)


def assert_figure_respects_threshold(stats, t, *, leg=False):
    for stat in stats:
        if stat.state != VISIBLE:
            assert (stat.n, stat.mean, stat.sd, stat.distribution) == (None,) * 4 or (
                stat.n == 0 and stat.mean is None and stat.distribution is None
            ), stat
            continue
        if stat.group not in EXEMPT_GROUPS and stat.group != ALL_OTHERS:
            assert stat.n >= t, stat
        if stat.distribution is not None:
            assert not leg and stat.group not in EXEMPT_GROUPS and stat.n >= t, stat
    everyone = _stat(stats, ALL_OTHERS)
    if everyone.state == VISIBLE:
        supervisor = _stat(stats, SUPERVISOR)
        supervisors = supervisor.n if supervisor.state == VISIBLE else 0
        assert everyone.n - supervisors >= t, stats


def assert_report_respects_threshold(report, raters_):
    t = report.threshold
    for leg in report.legs:
        assert_figure_respects_threshold(leg.groups, t, leg=True)
        for statement in leg.statements:
            assert_figure_respects_threshold(statement.groups, t)
    assert_figure_respects_threshold(report.grade, t)
    for row in report.response_counts:  # a left-out group is counted: it is in no figure
        if row.state not in (VISIBLE, agg.NO_ANSWERS) and not row.left_out:
            assert row.count is None, row
    non_exempt = sum(1 for r in raters_ if r.group not in EXEMPT_GROUPS)
    named = {row.group for row in report.response_counts if row.state == VISIBLE}
    shown = [c for section in report.comments for c in section.comments]
    exempt_comments = [r.comment for r in raters_ if r.group in EXEMPT_GROUPS and r.comment]
    if non_exempt < t:
        assert sorted(c.text for c in shown) == sorted(exempt_comments)
    for comment in shown:
        assert comment.group is None or comment.group in named | EXEMPT_GROUPS


# --- Twins: change only what the report hides ---------------------------------------------------


def hidden_changes(draw, raters_, report, spans):
    """A copy of the raters with some of what `report` hides changed (and what it shows
    kept): see the module's docstring."""
    twin = [dataclasses.replace(r, answers=list(r.answers)) for r in raters_]
    statements = [st for leg in report.legs for st in leg.statements]
    for span in spans:
        for k in span:
            states = {s.group: s.state for s in statements[k].groups}
            counted = [r for r in twin if _counts_for_leg(r, span) and r.answers[k] in SCORES]
            for rater in twin:
                if rater.answers[k] not in SCORES:
                    continue
                if not _counts_for_leg(rater, span) or states[rater.group] == SUPPRESSED:
                    rater.answers[k] = draw(st.sampled_from(SCORES))
            pooled = [r for r in counted if states[r.group] == POOLED]
            values = draw(st.permutations([r.answers[k] for r in pooled]))
            for rater, value in zip(pooled, values, strict=True):
                rater.answers[k] = value
    grade_states = {s.group: s.state for s in report.grade}
    graded = [r for r in twin if r.grade is not None]
    for rater in graded:
        if grade_states[rater.group] == SUPPRESSED:
            rater.grade = draw(st.integers(1, 10))
    pooled = [r for r in graded if grade_states[r.group] == POOLED]
    for rater, value in zip(pooled, draw(st.permutations([r.grade for r in pooled])), strict=True):
        rater.grade = value
    cover = {row.group: row.state for row in report.response_counts}
    left_out = {row.group for row in report.response_counts if row.left_out}
    commented = [r for r in twin if r.comment and r.group not in EXEMPT_GROUPS]
    for rater in commented:  # withheld (too few in all, or a left-out group): any other words
        if cover.get(ALL_OTHERS) != VISIBLE or rater.group in left_out:
            rater.comment = draw(st.sampled_from(COMMENTS))
    unlabelled = [r for r in commented if cover.get(r.group) != VISIBLE]
    texts = draw(st.permutations([r.comment for r in unlabelled]))
    for rater, text in zip(unlabelled, texts, strict=True):
        rater.comment = text
    return twin


@pytest.fixture
def published_round(db):
    def make(threshold):
        return make_round(db, threshold=threshold, status=RoundStatus.PUBLISHED)

    return make


@given(data=st.data())
@fuzz(examples=25)
def test_a_report_hides_small_groups_and_no_hidden_answer_changes_it(db, published_round, data):
    t = data.draw(st.sampled_from([1, 2, 3, 3, 4, 5]), label="threshold")
    rnd = published_round(t)
    spans = _legs(rnd)
    n_statements = spans[-1].stop
    original = data.draw(raters(n_statements), label="raters")
    first = _store(db, rnd, original, "First")
    report = build_report(rnd.id, first.id, "en")
    assert_report_respects_threshold(report, original)

    twin = hidden_changes(data.draw, original, report, spans)
    note(f"twin: {twin}")
    event("the twin differs" if twin != original else "the twin is the same")
    second = _store(db, rnd, twin, "Second")
    twin_report = build_report(rnd.id, second.id, "en")
    assert_report_respects_threshold(twin_report, twin)
    # Built again now that the round holds both managers, as the twin's report was: the
    # organisation norm (and how many managers it counts) is the round's, not the manager's.
    report = build_report(rnd.id, first.id, "en")
    assert _comparable(twin_report) == _comparable(report)


# --- The same rules on the pure functions, with many more examples ----------------------------


@st.composite
def group_values(draw, scale=SCORES):
    """Per rater group, the values its raters gave one figure (and their "don't know"s)."""
    values = {}
    for group in RATER_GROUPS:
        most = 1 if group == agg.SELF else (2 if group == SUPERVISOR else 7)
        values[group] = (
            draw(st.lists(st.sampled_from(scale), max_size=most)),
            draw(st.integers(0, 2)),
        )
    return values


def tally(scores, dont_know=0, scale=SCORES):
    dist = tuple(scores.count(v) for v in SCORES) if scale == SCORES else ()
    return Tally(
        n=len(scores),
        total=float(sum(scores)),
        total_sq=float(sum(v * v for v in scores)),
        n_dont_know=dont_know,
        distribution=dist,
    )


def stats_of(values, t, scale=SCORES):
    tallies = {g: tally(v, dk, scale) for g, (v, dk) in values.items()}
    return agg.figure_stats(tallies, t)


@given(values=group_values(), t=st.integers(1, 6), data=st.data())
@fuzz(examples=300)
def test_figure_stats_show_no_small_group_and_hide_what_they_hide(values, t, data):
    stats = stats_of(values, t)
    assert_figure_respects_threshold(stats, t)
    states = {s.group: s.state for s in stats}
    twin = {}
    for group, (scores, dk) in values.items():
        if states[group] == SUPPRESSED:  # any other scores, as many
            scores = data.draw(
                st.lists(st.sampled_from(SCORES), min_size=len(scores), max_size=len(scores))
            )
        twin[group] = (scores, dk)
    pooled = [g for g in RATER_GROUPS if states[g] == POOLED]
    mixed = data.draw(st.permutations([v for g in pooled for v in twin[g][0]]))
    for group in pooled:  # the pooled groups' scores, split between them another way
        size = len(twin[group][0])
        twin[group] = (list(mixed[:size]), twin[group][1])
        mixed = mixed[size:]
    assert stats_of(twin, t) == stats
    assert _stat(stats, OTHERS).state != VISIBLE or len(pooled) >= 2


@given(values=group_values(scale=tuple(range(1, 11))), t=st.integers(1, 6))
@fuzz(examples=150)
def test_grade_stats_show_no_small_group(values, t):
    assert_figure_respects_threshold(stats_of(values, t, scale=tuple(range(1, 11))), t)


@st.composite
def respondents_and_comments(draw):
    counts = draw(st.fixed_dictionaries({g: st.integers(0, 8) for g in RATER_GROUPS}))
    comments = [
        (group, draw(st.sampled_from(COMMENTS)))
        for group, n in counts.items()
        for _ in range(draw(st.integers(0, n)))  # at most one comment per respondent
    ]
    return counts, comments


@given(data=respondents_and_comments(), t=st.integers(1, 6))
@fuzz(examples=200)
def test_comments_and_cover_counts_give_no_small_group_away(data, t):
    counts, comments = data
    raw = [agg.RawComment(f"{i:04}", "start", g, text) for i, (g, text) in enumerate(comments)]
    shown, withheld = agg.select_comments(raw, counts, t)
    visibility = agg.apply_threshold(counts, t)
    items = shown.get("start", ())
    for item in items:  # a label only for a group shown by name (self, supervisor: always)
        assert item.group is None or item.group in visibility.named | EXEMPT_GROUPS
    non_exempt = sum(n for g, n in counts.items() if g not in EXEMPT_GROUPS)
    if non_exempt < t:  # only self and supervisor speak; the rest is withheld, and said so
        exempt = {c.id for c in raw if c.group in EXEMPT_GROUPS}
        assert {item.id for item in items} == exempt
        assert withheld == any(c.group not in EXEMPT_GROUPS for c in raw)
    else:  # a left-out group's comments are withheld; the rest are shown
        left_out = visibility.suppressed
        assert {item.id for item in items} == {c.id for c in raw if c.group not in left_out}
        assert withheld == any(c.group in left_out for c in raw)
    pooled_ids = {c.id for c in raw if c.group in visibility.pooled}
    if pooled_ids & {item.id for item in items}:  # unlabelled: only from a pool of t or more
        assert sum(counts[g] for g in visibility.pooled) >= t
    for row in agg.response_counts(counts, t):
        if row.group in visibility.pooled:
            assert row.count is None, row
        if row.group in visibility.suppressed:  # left out: counted, in no figure
            assert row.left_out and row.count == counts[row.group], row
