"""What the report templates get: `ReportView`, made from the report's data.

    view = report_view(participant_report(participant), pdf=False)
    html = render_report("reports/_report.html", view, tab=tab)   # in the manager's language

builder.py makes the report's data (model.ManagerReport: figures, states, texts of the
framework); this module turns it into view data for the web page and the PDF template:
the group columns to show, every cell's text and CSS class, the charts (charts.py SVG,
already made, as Markup: inline on the web, data-URI images in the PDF). Templates only lay
these out, with their own words from the translation catalogue.

A report speaks its manager's language, whoever reads it: `report_view` and the rendering
of its templates run inside `flask_babel.force_locale(report.lang)` (`render_report`), so
every word, number and date (numbers.py, Flask-Babel) is in that language, also in the PDF
child process and the bulk build, which have no request.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import partial

from flask import render_template
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from feedback.reports import aggregation as agg
from feedback.reports import charts, numbers
from feedback.reports.filenames import report_filename
from feedback.reports.first_page import one_minute, one_minute_text
from feedback.reports.labels import (
    NORM_POSITIONS,
    empty_text,
    group_name,
    norm_note,
    plan_reason,
    rule_text,
)
from feedback.reports.model import (
    CommentItem,
    CommentSection,
    GroupStat,
    LegReport,
    ManagerReport,
    RankedItem,
    StatementReport,
)

TABS = ("overview", "legs", "comments", "plan")  # the tabs of the web page


@dataclass(frozen=True)
class Cell:
    """One group's figure in a table: text to show, n (None: no n), a CSS class."""

    text: str
    n: int | None
    css: str
    title: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class StatementRow:
    order: int
    text: str
    cells: tuple[Cell, ...]
    spread: Markup | None
    norm: str
    position: str
    disagreement: bool
    norm_note: str = ""  # "norm of 12 managers in this round", or why there is none


@dataclass(frozen=True)
class LegView:
    key: str
    position: int
    name: str
    description: str
    bars: Markup | None
    small_bars: Markup | None  # the same, narrower (bigger text), for the overview grid
    cells: tuple[Cell, ...]
    norm: str
    position_text: str
    rows: tuple[StatementRow, ...]
    disagreement: bool
    trend: str | None  # "3,4 → 3,9 (+0,5)", "3,4 → 3,5 (no clear change)" or why not
    norm_note: str = ""  # "norm of 12 managers in this round", or why there is none


@dataclass(frozen=True)
class TrendRow:
    """One leg in the table of change since the previous round: texts ready to show.
    before/now empty and chart None when no figure may be shown (change says why)."""

    name: str
    before: str
    now: str
    change: str
    css: str
    chart: Markup | None


@dataclass(frozen=True)
class Gaps:
    """Blind spots or hidden strengths: the rule in one line, then statements and legs
    as two separate short lists."""

    rule: str
    statements: tuple[RankedItem, ...]
    legs: tuple[RankedItem, ...]


@dataclass(frozen=True)
class CommentsView:
    """One open question's comments: others' (in the order select_comments gives, which
    is the comments' random ids) and, apart, the manager's own."""

    section: CommentSection
    others: tuple[CommentItem, ...]
    own: tuple[CommentItem, ...]


@dataclass(frozen=True)
class CountRow:
    """One row of the cover's respondents per group."""

    group: str
    label: str
    text: str
    css: str


@dataclass(frozen=True)
class ReportView:
    report: ManagerReport
    lang: str
    pdf: bool
    columns: tuple[Column, ...]
    legend: tuple[Column, ...]
    legs: tuple[LegView, ...]
    radar: Markup | None
    radar_norm: bool  # the radar draws the norm (every leg has one)
    grade: tuple[Cell, ...]
    trend_rows: tuple[TrendRow, ...]
    period: str
    filename: str
    counts: tuple[CountRow, ...]
    rules: tuple[str, ...]
    plan_reasons: tuple[str, ...]  # per report.plan suggestion
    comment_groups: dict[str, str]  # comment id -> group name, where one may be shown
    comment_sections: tuple[CommentsView, ...]
    blind_spots: Gaps
    hidden_strengths: Gaps
    group_names: dict[str, str]  # group key -> name, for the sentences that name groups
    empty: dict[str, str]  # ranked section -> the sentence saying why it has no entries
    # the summary in one minute (first_page.py): "picture" and "answered", sentences
    summary: dict = dataclasses.field(default_factory=dict)
    norm_band: float = agg.NORM_BAND

    def num(self, value: float | None, digits: int = 1) -> str:
        return numbers.decimal(value, digits)

    def signed(self, value: float | None) -> str:
        return numbers.signed(value)

    def count(self, value: int | None) -> str:
        return numbers.count(value)


def render_report(template: str, view: ReportView, **context) -> str:
    """A report template rendered in the report's language (web page, tab, PDF)."""
    with force_locale(view.lang):
        return render_template(template, v=view, **context)


def chart_text() -> charts.ChartText:
    """The charts' words and number formats in the current locale (bound to it)."""
    locale = get_locale()
    return charts.ChartText(
        number=partial(numbers.decimal, locale=locale),
        signed=partial(numbers.signed, locale=locale),
        count=partial(numbers.count, locale=locale),
        scale=_("%(summary)s (scale 1 to 5)"),
        titled=_("%(title)s: %(summary)s"),
        bar=_("%(group)s %(mean)s (n=%(n)s)"),
        bar_value=_("%(mean)s  n=%(n)s"),
        norm=_("norm %(norm)s"),
        no_groups=_("no groups to show"),
        series=_("%(group)s: %(values)s"),
        leg_value=_("%(leg)s %(value)s"),
        no_data=_("no data"),
        answers=_("%(counts)s, %(dont_know)s: %(n)s (total %(total)s)"),
        dont_know=_("don't know"),
        trend_new=_("now %(now)s, no previous round to compare"),
        trend=_("previous round %(previous)s, now %(now)s (%(delta)s)"),
    )


def _chart(svg: str, alt: str, pdf: bool) -> Markup:
    """Our own SVG (charts.py escapes its labels): inline on the web, a data-URI image in
    the PDF (WeasyPrint draws those faster)."""
    if not pdf:
        return Markup(svg)  # noqa: S704  (built by charts.py, every string in it escaped)
    css = re.search(r'class="(chart[^"]*)"', svg)
    return Markup('<img class="{}" src="{}" alt="{}">').format(
        css.group(1) if css else "chart", charts.svg_data_uri(svg), alt
    )


def _cell(stat: GroupStat, threshold: int) -> Cell:
    if stat.state == agg.VISIBLE:
        return Cell(numbers.decimal(stat.mean), stat.n, "num")
    if stat.state == agg.SUPPRESSED:
        text = _("fewer than %(t)s", t=numbers.count(threshold))
        return Cell(f"< {numbers.count(threshold)}", None, "num suppressed", text)
    if stat.state == agg.POOLED:
        others = group_name(agg.OTHERS)
        return Cell(
            _("in %(others)s", others=others),
            None,
            "num muted pooled",
            _("included in %(others)s", others=others),
        )
    if stat.state == agg.NO_ANSWERS:
        return Cell(numbers.NONE, None, "num muted", "")
    return Cell("", None, "num", "")


def _columns(report: ManagerReport) -> tuple[Column, ...]:
    """The groups shown as columns: those visible in at least one figure of the report."""
    figures = [report.grade, *(leg.groups for leg in report.legs)]
    figures += [st.groups for leg in report.legs for st in leg.statements]
    shown = {stat.group for stats in figures for stat in stats if stat.visible}
    return tuple(Column(g, group_name(g)) for g in agg.REPORT_GROUPS if g in shown)


def _position(norm) -> tuple[str, str]:
    if norm.mean is None:
        return _("no norm"), ""
    position = str(NORM_POSITIONS[norm.position]) if norm.position else ""
    return numbers.decimal(norm.mean), position


def _bars(
    title: str, stats, columns, text: charts.ChartText, norm: float | None, pdf: bool, **kwargs
) -> Markup | None:
    rows = [
        (c.key, c.label, stat.mean, stat.n)
        for c in columns
        if (stat := _stat(stats, c.key)).visible and stat.mean is not None
    ]
    if not rows:
        return None
    svg = charts.leg_bars(rows, norm=norm, title=title, text=text, **kwargs)
    return _chart(svg, title, pdf)


def _stat(stats, key: str) -> GroupStat:
    return next(stat for stat in stats if stat.group == key)


def _spread(st: StatementReport, text: charts.ChartText, pdf: bool) -> Markup | None:
    for key in (agg.ALL_OTHERS, agg.OTHERS):
        stat = st.group(key)
        if stat.visible and stat.distribution:
            counts = (*stat.distribution, stat.n_dont_know or 0)
            svg = charts.distribution(counts, title=st.text, text=text, width=120, height=12)
            return _chart(svg, _("Spread"), pdf)
    return None


def _leg_view(leg: LegReport, report, columns, text, trend_text, pdf) -> LegView:
    t = report.threshold
    rows = []
    for st in leg.statements:
        norm, position = _position(st.norm)
        rows.append(
            StatementRow(
                order=st.order,
                text=st.text,
                cells=tuple(_cell(st.group(c.key), t) for c in columns),
                spread=_spread(st, text, pdf),
                norm=norm,
                position=position,
                disagreement=st.disagreement,
                norm_note=norm_note(st.norm),
            )
        )
    norm, position = _position(leg.norm)
    return LegView(
        key=leg.key,
        position=leg.position,
        name=leg.name,
        description=leg.description,
        # On screen the narrower drawing keeps its labels readable on a phone.
        bars=_bars(
            leg.name,
            leg.groups,
            columns,
            text,
            leg.norm.mean,
            pdf,
            **({} if pdf else {"width": 360}),
        ),
        small_bars=_bars(leg.name, leg.groups, columns, text, leg.norm.mean, pdf, width=360),
        cells=tuple(_cell(leg.group(c.key), t) for c in columns),
        norm=norm,
        position_text=position,
        rows=tuple(rows),
        disagreement=leg.disagreement,
        trend=trend_text.get(leg.key),
        norm_note=norm_note(leg.norm),
    )


def _radar(report: ManagerReport, text: charts.ChartText, pdf: bool) -> Markup | None:
    # The chart cuts labels at 22 characters: a longer leg name shows its first word
    # ("Decisive judge of people and deals" becomes "Decisive").
    names = [leg.name if len(leg.name) <= 22 else leg.name.split()[0] for leg in report.legs]
    series: dict[str, list[float | None]] = {}
    for key in (agg.ALL_OTHERS, agg.SELF):
        values = [agg.visible_mean(leg.groups, key) for leg in report.legs]
        if any(v is not None for v in values):
            series[key] = values
    norms = [leg.norm.mean for leg in report.legs]
    if not series or len(names) < 3:
        return None
    if all(v is not None for v in norms):
        series["norm"] = norms
    title = _("The six legs at a glance")
    svg = charts.radar(
        names,
        series,
        series_labels={k: group_name(k) for k in series},
        title=title,
        text=text,
        wrap=None if pdf else 14,  # long names on two lines: report.css enlarges them on a phone
    )
    return _chart(svg, title, pdf)


def _period(report: ManagerReport) -> str:
    start = format_date(report.opens_on, format="long")
    end = format_date(report.closes_on, format="long")
    return f"{start} – {end}"


def _counts(report: ManagerReport) -> tuple[CountRow, ...]:
    rows = []
    for c in report.response_counts:
        if c.left_out:
            text = _(
                "%(n)s answered, too few to show separately; not included in the figures",
                n=numbers.count(c.count),
            )
            css = "num muted"
        elif c.count is not None:
            text, css = numbers.count(c.count), "num"
        elif c.fewer_than_threshold:
            text, css = _("fewer than %(t)s", t=numbers.count(report.threshold)), "num suppressed"
        else:
            text = _("included in %(others)s", others=group_name(agg.OTHERS))
            css = "num muted"
        rows.append(CountRow(c.group, group_name(c.group), text, css))
    return tuple(rows)


def report_view(report: ManagerReport, *, pdf: bool) -> ReportView:
    """The view data of a report, every text in the report's language."""
    with force_locale(report.lang):
        return _report_view(report, pdf)


def _legend(report: ManagerReport, columns) -> tuple[Column, ...]:
    """The legend of the leg charts: only the groups that have a bar in at least one of them
    (visible with a mean, as _bars draws them), and the norm only where one is drawn."""
    drawn = {
        stat.group
        for leg in report.legs
        for stat in leg.groups
        if stat.visible and stat.mean is not None
    }
    legend = [c for c in columns if c.key in drawn]
    if any(leg.norm.mean is not None for leg in report.legs):
        legend.append(Column("norm", group_name("norm")))
    return tuple(legend)


def _gaps(items: tuple[RankedItem, ...], rule: str) -> Gaps:
    return Gaps(
        rule=rule,
        statements=tuple(it for it in items if it.kind == "statement"),
        legs=tuple(it for it in items if it.kind == "leg"),
    )


def _trend_rows(report: ManagerReport, text, pdf) -> tuple[dict[str, str], tuple[TrendRow, ...]]:
    trend_text: dict[str, str] = {}
    rows = []
    for item in report.trend.legs if report.trend else ():
        if item.status == "one_rater":
            why = _("no comparison: the groups differ by one rater")
            trend_text[item.leg_key] = why
            rows.append(TrendRow(item.leg_name, "", "", why, "muted", None))
            continue
        before = numbers.decimal(item.previous_mean)
        now = numbers.decimal(item.current_mean)
        words = text
        if item.status == "change":
            change = numbers.signed(item.delta)
            css = "delta-up" if item.delta > 0 else "delta-down"
        else:
            change, css = _("no clear change"), "muted"
            # the chart's accessible title says so too, never the difference itself
            words = dataclasses.replace(text, signed=lambda _value, said=change: said)
        trend_text[item.leg_key] = f"{before} → {now} ({change})"
        svg = charts.trend(item.previous_mean, item.current_mean, title=item.leg_name, text=words)
        rows.append(
            TrendRow(item.leg_name, before, now, change, css, _chart(svg, item.leg_name, pdf))
        )
    return trend_text, tuple(rows)


def _comment_sections(report: ManagerReport) -> tuple[CommentsView, ...]:
    return tuple(
        CommentsView(
            section=section,
            others=tuple(c for c in section.comments if c.group != agg.SELF),
            own=tuple(c for c in section.comments if c.group == agg.SELF),
        )
        for section in report.comments
    )


def _report_view(report: ManagerReport, pdf: bool) -> ReportView:
    text = chart_text()
    columns = _columns(report)
    trend_text, trend_rows = _trend_rows(report, text, pdf)
    comment_groups = {
        c.id: group_name(c.group)
        for section in report.comments
        for c in section.comments
        if c.group is not None
    }
    gap = numbers.decimal(report.blind_spot_gap)
    top = numbers.count(agg.TOP_N)
    return ReportView(
        report=report,
        lang=report.lang,
        pdf=pdf,
        columns=columns,
        legend=_legend(report, columns),
        legs=tuple(_leg_view(leg, report, columns, text, trend_text, pdf) for leg in report.legs),
        radar=_radar(report, text, pdf),
        radar_norm=all(leg.norm.mean is not None for leg in report.legs),
        grade=tuple(_cell(report.grade_of(c.key), report.threshold) for c in columns),
        trend_rows=trend_rows,
        period=_period(report),
        filename=report_filename(report.round_name, report.manager_name),
        counts=_counts(report),
        rules=tuple(rule_text(rule) for rule in report.anonymity_rules),
        plan_reasons=tuple(plan_reason(s) for s in report.plan),
        comment_groups=comment_groups,
        comment_sections=_comment_sections(report),
        blind_spots=_gaps(
            report.blind_spots,
            _(
                "Your own score at least %(gap)s above others' — the %(top)s largest gaps",
                gap=gap,
                top=top,
            ),
        ),
        hidden_strengths=_gaps(
            report.hidden_strengths,
            _(
                "Your own score at least %(gap)s below others' — the %(top)s largest gaps",
                gap=gap,
                top=top,
            ),
        ),
        group_names={g: group_name(g) for g in (*agg.REPORT_GROUPS, "norm")},
        empty={key: empty_text(reason) for key, reason in report.empty_reasons.items()},
        summary=one_minute_text(one_minute(report)),
    )
