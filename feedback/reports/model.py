"""The development report of one manager in one round, as plain data.

`build_report` (builder.py) fills a ManagerReport, the report's data; view.report_view
turns it into what the templates of the web page and the PDF get (view.ReportView). It
holds only plain values (str, int, float, bool, None, date, tuples of these dataclasses),
never ORM objects, and everything a template needs is already decided: which groups are
visible, which figures are hidden, the framework's texts in the report's language. Words
of the report itself (group names, rules, reasons) are keys here: labels.py and the
templates write them from the translation catalogue, and numbers.py writes the numbers,
in the reader's locale ("7,4" in Dutch, "7.4" in English).

Group keys (in report order): "self", "supervisor", "direct_report", "peer", "others" (the
small groups pooled together) and "all_others" (everyone except self).

States of a group in a figure (GroupStat.state):
- "visible": n, mean and sd are set (n_dont_know and, when it may be shown, the
  distribution for statements);
- "pooled": below the threshold, or pooled to protect a smaller group: counted in "others";
- "suppressed": fewer than the threshold answered; shown as "fewer than t", no numbers;
- "no_answers": nobody answered (or only "don't know"): n = 0, mean None; show "no answers";
- "not_applicable": "others" when no group needed pooling: leave the column empty.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class GroupStat:
    """One rater group's figure for one statement, leg or the overall grade.

    mean: the mean of the scores (statements: 1-5, counting only the raters who qualify for
    the statement's leg; grade: 1-10), "don't know" left out; legs: the mean of the group's
    visible statement means. sd: the sample standard deviation (n - 1), None when n < 2;
    legs: the mean of the visible statement SDs (only for the disagreement warning). n:
    scores (statements), qualifying raters (legs) or grades given. n_dont_know: "don't know"
    answers (statements only; None for legs). distribution: counts of the answers 1, 2, 3,
    4, 5 (statements only), None unless it may be shown.
    All numbers are None unless state is "visible" (n is 0 for "no_answers").
    """

    group: str
    state: str
    n: int | None = None
    mean: float | None = None
    sd: float | None = None
    n_dont_know: int | None = None
    distribution: tuple[int, ...] | None = None

    @property
    def visible(self) -> bool:
        return self.state == "visible"


@dataclass(frozen=True)
class Norm:
    """The organisation norm (mean over managers of their all_others mean) and where this
    manager stands: difference = own all_others mean - norm; position "above", "at" (within
    +-0.2) or "below". mean None: no norm (too few managers). position None: own figure hidden.
    """

    mean: float | None = None
    n_managers: int = 0
    difference: float | None = None
    position: str | None = None


@dataclass(frozen=True)
class StatementReport:
    id: int
    key: str
    position: int  # within its leg, from 1
    order: int  # across the report, from 1
    text: str
    groups: tuple[GroupStat, ...]  # one per group key, in report order
    norm: Norm
    gap: float | None  # self mean - all_others mean, when both are visible
    disagreement: bool  # all_others SD at or above the warning level (n >= threshold)

    def group(self, key: str) -> GroupStat:
        return next(stat for stat in self.groups if stat.group == key)


@dataclass(frozen=True)
class LegReport:
    id: int
    key: str
    position: int
    name: str
    description: str
    statements: tuple[StatementReport, ...]
    groups: tuple[GroupStat, ...]  # per group: derived from the visible statement figures
    norm: Norm
    gap: float | None
    disagreement: bool

    def group(self, key: str) -> GroupStat:
        return next(stat for stat in self.groups if stat.group == key)


@dataclass(frozen=True)
class RankedItem:
    """A statement or leg picked as strength, development area, blind spot, hidden strength
    or disagreement. text: the statement text or the leg name."""

    kind: str  # "statement" or "leg"
    key: str
    leg_key: str
    text: str
    order: int
    all_others_mean: float | None
    all_others_n: int | None
    all_others_sd: float | None
    self_mean: float | None
    gap: float | None  # self - all_others


@dataclass(frozen=True)
class TrendItem:
    """One leg's all_others figure then and now (aggregation.trend). status:
    - "change": the 90 % interval of the difference excludes zero; delta and interval set;
    - "no_clear_change": both means and n set, delta and interval None;
    - "one_rater": the rater sets differ by exactly one: no figures at all (all None)."""

    leg_key: str
    leg_name: str
    status: str = "change"
    previous_mean: float | None = None
    previous_n: int | None = None
    current_mean: float | None = None
    current_n: int | None = None
    delta: float | None = None  # current - previous, only for a clear change
    interval: tuple[float, float] | None = None  # 90 % Welch interval of delta


@dataclass(frozen=True)
class Trend:
    """Change since the previous round (closed or published, same person, same leg keys).
    legs: only the legs where all_others met the threshold in both rounds."""

    previous_round_id: int
    previous_round_name: str
    previous_closes_on: date
    legs: tuple[TrendItem, ...]


@dataclass(frozen=True)
class ResponseCount:
    """Respondents of one group, for the cover. count None: hidden; then fewer_than_threshold
    says whether to print "fewer than t" (pooled groups that are not small say "in others")."""

    group: str
    state: str
    count: int | None
    fewer_than_threshold: bool
    left_out: bool = False  # below the threshold and in no figure; count is given
    # raters invited in this group: only for self, supervisor, direct reports and peers,
    # and only where count is given (never beside a hidden or a pooled count)
    invited: int | None = None


@dataclass(frozen=True)
class CommentItem:
    id: str
    text: str  # user text: render escaped
    group: str | None  # None: no group name may be shown


@dataclass(frozen=True)
class CommentSection:
    question_key: str
    question_text: str
    comments: tuple[CommentItem, ...]


@dataclass(frozen=True)
class PlanSuggestion:
    leg_key: str
    leg_name: str
    reason: str  # "lowest_score" or "blind_spot"
    all_others_mean: float | None
    gap: float | None
    actions: tuple[str, ...]
    rank: int = 1  # under its reason: 2 = the second-lowest leg, the second-largest blind spot


@dataclass(frozen=True)
class ManagerReport:
    round_id: int
    round_name: str
    opens_on: date
    closes_on: date
    participant_id: int
    manager_name: str
    lang: str
    threshold: int
    blind_spot_gap: float
    disagreement_sd: float
    response_counts: tuple[ResponseCount, ...]
    legs: tuple[LegReport, ...]
    grade: tuple[GroupStat, ...]  # overall grade 1-10 per group
    strengths: tuple[RankedItem, ...]  # statements, best first
    development_areas: tuple[RankedItem, ...]  # statements, weakest first
    blind_spots: tuple[RankedItem, ...]  # the top 5 statements, then the top 5 legs
    hidden_strengths: tuple[RankedItem, ...]  # the top 5 statements, then the top 5 legs
    disagreements: tuple[RankedItem, ...]  # statements and legs
    trend: Trend | None
    comments: tuple[CommentSection, ...]
    comments_withheld: bool
    plan: tuple[PlanSuggestion, ...]
    anonymity_rules: tuple  # aggregation.Rule: a key and its figures (labels.rule_text)
    # section -> aggregation.Rule saying why that ranked section is empty (labels.empty_text)
    empty_reasons: dict = field(default_factory=dict)

    def grade_of(self, key: str) -> GroupStat:
        return next(stat for stat in self.grade if stat.group == key)
