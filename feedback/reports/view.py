"""What the report templates get: `ReportView`, made from the report's data.

    view = report_view(participant_report(participant), pdf=False)
    render_template("reports/report.html", v=view, tab=tab)

builder.py makes the report's data (model.ManagerReport: figures, states, texts of the
framework); this module turns it into view data for the web page and the PDF template:
the group columns to show, every cell's text and CSS class, the charts (charts.py SVG,
already made, as Markup: inline on the web, data-URI images in the PDF) and every text in
the report's language (labels.LABELS). Templates only lay these out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.dates import format_date
from markupsafe import Markup

from feedback.reports import aggregation as agg
from feedback.reports import charts
from feedback.reports.filenames import report_filename
from feedback.reports.labels import LABELS, RADAR_NAMES
from feedback.reports.model import GroupStat, LegReport, ManagerReport, StatementReport

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
    trend: str | None  # "3,4 → 3,9 (+0,5)"


@dataclass(frozen=True)
class ReportView:
    report: ManagerReport
    lang: str
    labels: dict[str, str]
    pdf: bool
    columns: tuple[Column, ...]
    legend: tuple[Column, ...]
    legs: tuple[LegView, ...]
    radar: Markup | None
    grade: tuple[Cell, ...]
    trend_rows: tuple[tuple[str, str, str, str, str, Markup], ...]
    period: str
    filename: str

    def num(self, value: float | None, digits: int = 1) -> str:
        return agg.format_decimal(value, self.lang, digits)

    def signed(self, value: float | None) -> str:
        text = agg.format_decimal(value, self.lang)
        return text if value is None or text.startswith("-") or text == "0,0" else "+" + text


def _label(labels: dict[str, str], group: str) -> str:
    return labels[f"lbl_{group}"]


def _chart(svg: str, alt: str, pdf: bool) -> Markup:
    """Our own SVG (charts.py escapes its labels): inline on the web, a data-URI image in
    the PDF (WeasyPrint draws those faster)."""
    if not pdf:
        return Markup(svg)  # noqa: S704  (built by charts.py, every string in it escaped)
    css = re.search(r'class="(chart[^"]*)"', svg)
    return Markup('<img class="{}" src="{}" alt="{}">').format(
        css.group(1) if css else "chart", charts.svg_data_uri(svg), alt
    )


def _cell(stat: GroupStat, labels: dict[str, str], lang: str, threshold: int) -> Cell:
    if stat.state == agg.VISIBLE:
        return Cell(agg.format_decimal(stat.mean, lang), stat.n, "num")
    if stat.state == agg.SUPPRESSED:
        text = labels["fewer_than"].format(t=threshold)
        return Cell(f"< {threshold}", None, "num suppressed", text)
    if stat.state == agg.POOLED:
        return Cell(labels["in_others_short"], None, "num muted pooled", labels["in_others"])
    if stat.state == agg.NO_ANSWERS:
        return Cell("–", None, "num muted", "")
    return Cell("", None, "num", "")


def _columns(report: ManagerReport, labels: dict[str, str]) -> tuple[Column, ...]:
    """The groups shown as columns: those visible in at least one figure of the report."""
    figures = [report.grade, *(leg.groups for leg in report.legs)]
    figures += [st.groups for leg in report.legs for st in leg.statements]
    shown = {stat.group for stats in figures for stat in stats if stat.visible}
    return tuple(Column(g, _label(labels, g)) for g in agg.REPORT_GROUPS if g in shown)


def _position(norm, labels: dict[str, str], lang: str) -> tuple[str, str]:
    if norm.mean is None:
        return labels["no_norm"], ""
    return agg.format_decimal(norm.mean, lang), labels[norm.position] if norm.position else ""


def _bars(
    title: str, stats, columns, labels, lang, norm: float | None, pdf: bool, **kwargs
) -> Markup | None:
    rows = [
        (c.key, c.label, stat.mean, stat.n)
        for c in columns
        if (stat := _stat(stats, c.key)).visible and stat.mean is not None
    ]
    if not rows:
        return None
    svg = charts.leg_bars(
        rows, norm=norm, title=title, decimal_sep="," if lang == "nl" else ".", **kwargs
    )
    return _chart(svg, title, pdf)


def _stat(stats, key: str) -> GroupStat:
    return next(stat for stat in stats if stat.group == key)


def _spread(st: StatementReport, labels, pdf: bool) -> Markup | None:
    for key in (agg.ALL_OTHERS, agg.OTHERS):
        stat = st.group(key)
        if stat.visible and stat.distribution:
            counts = (*stat.distribution, stat.n_dont_know or 0)
            svg = charts.distribution(
                counts, title=st.text, dont_know_label=labels["dont_know"], width=120, height=12
            )
            return _chart(svg, labels["spread"], pdf)
    return None


def _leg_view(leg: LegReport, report, columns, labels, trend_text, pdf) -> LegView:
    lang, t = report.lang, report.threshold
    rows = []
    for st in leg.statements:
        norm, position = _position(st.norm, labels, lang)
        rows.append(
            StatementRow(
                order=st.order,
                text=st.text,
                cells=tuple(_cell(st.group(c.key), labels, lang, t) for c in columns),
                spread=_spread(st, labels, pdf),
                norm=norm,
                position=position,
                disagreement=st.disagreement,
            )
        )
    norm, position = _position(leg.norm, labels, lang)
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
            labels,
            lang,
            leg.norm.mean,
            pdf,
            **({} if pdf else {"width": 360}),
        ),
        small_bars=_bars(
            leg.name, leg.groups, columns, labels, lang, leg.norm.mean, pdf, width=360
        ),
        cells=tuple(_cell(leg.group(c.key), labels, lang, t) for c in columns),
        norm=norm,
        position_text=position,
        rows=tuple(rows),
        disagreement=leg.disagreement,
        trend=trend_text.get(leg.key),
    )


def _radar(report: ManagerReport, labels, pdf: bool) -> Markup | None:
    lang = report.lang
    names = [RADAR_NAMES.get(leg.key, {}).get(lang, leg.name) for leg in report.legs]
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
    svg = charts.radar(
        names,
        series,
        series_labels={k: _label(labels, k) for k in series},
        title=labels["radar"],
        decimal_sep="," if lang == "nl" else ".",
    )
    return _chart(svg, labels["radar"], pdf)


def _period(report: ManagerReport) -> str:
    start = format_date(report.opens_on, format="long", locale=report.lang)
    end = format_date(report.closes_on, format="long", locale=report.lang)
    return f"{start} – {end}"


def report_view(report: ManagerReport, *, pdf: bool) -> ReportView:
    lang = report.lang
    labels = LABELS[lang]
    columns = _columns(report, labels)
    trend_text: dict[str, str] = {}
    trend_rows = []
    if report.trend:
        for item in report.trend.legs:
            now = agg.format_decimal(item.current_mean, lang)
            before = agg.format_decimal(item.previous_mean, lang)
            delta = agg.format_decimal(item.delta, lang)
            delta = delta if delta.startswith("-") or item.delta == 0 else "+" + delta
            trend_text[item.leg_key] = f"{before} → {now} ({delta})"
            svg = charts.trend(
                item.previous_mean,
                item.current_mean,
                title=item.leg_name,
                decimal_sep="," if lang == "nl" else ".",
            )
            css = "delta-up" if item.delta > 0 else ("delta-down" if item.delta < 0 else "")
            trend_rows.append(
                (item.leg_name, before, now, delta, css, _chart(svg, item.leg_name, pdf))
            )
    return ReportView(
        report=report,
        lang=lang,
        labels=labels,
        pdf=pdf,
        columns=columns,
        legend=(*columns, Column("norm", labels["lbl_norm"])),
        legs=tuple(_leg_view(leg, report, columns, labels, trend_text, pdf) for leg in report.legs),
        radar=_radar(report, labels, pdf),
        grade=tuple(_cell(report.grade_of(c.key), labels, lang, report.threshold) for c in columns),
        trend_rows=tuple(trend_rows),
        period=_period(report),
        filename=report_filename(report.round_name, report.manager_name),
    )
