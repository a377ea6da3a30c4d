"""The organisation overview of a round: the heat map and the development areas.

    options, messages = parse_options(request.args, leg_keys, team_names(results))
    view = build_overview(results, options)    # results: figures.round_results

Functions over figures.RoundResults, with no queries. `development_legs` is the pure rule
that makes a leg a development area for one manager; the rest lays out what the page and
the development-areas export show, its words from the translation catalogue and its numbers
from numbers.py, in the current locale: HR's own language (the request's), not a
manager's. Only visible figures are used, so a hidden figure stays hidden here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.insights.figures import LegInfo, RoundResults
from feedback.reports import aggregation as agg
from feedback.reports import numbers
from feedback.reports.model import GroupStat

DEFAULT_CUT = 3.0  # an all_others leg mean below this is a development area
WEAKEST_LEGS = 2  # a manager's two weakest legs are development areas
HIDDEN = "—"  # a figure under the threshold (or without answers)

# Colour bins of the heat map (leg means on the 1-5 scale): upper bounds, exclusive.
HEAT_BOUNDS = (2.5, 3.0, 3.5, 4.0, 4.5)

_EPS = 1e-9


# --- Development areas (a pure rule) --------------------------------------------------------------

BELOW_CUT = "below_cut"
TWO_WEAKEST = "two_weakest"
BLIND_SPOT = "blind_spot"
REASONS = (BELOW_CUT, TWO_WEAKEST, BLIND_SPOT)
REASON_TEXT = {
    BELOW_CUT: _l("below %(cut)s"),
    TWO_WEAKEST: _l("one of the two weakest legs"),
    BLIND_SPOT: _l("blind spot (self %(gap)s higher)"),
}


def development_legs(
    legs: Mapping[str, Sequence[GroupStat]],
    order: Sequence[str],
    cut: float = DEFAULT_CUT,
    min_gap: float = agg.DEFAULT_GAP,
    weakest: int = WEAKEST_LEGS,
) -> dict[str, tuple[str, ...]]:
    """The legs that are a development area for one manager, with the reasons (in REASONS
    order): the all_others mean is below `cut`; the leg is among the `weakest` lowest
    all_others means (ties: the leg that comes first); or self rates it at least `min_gap`
    above all_others (a blind spot). Only visible figures count: a hidden leg is never one.
    """
    means = {key: agg.visible_mean(legs[key], agg.ALL_OTHERS) for key in order}
    ranked = sorted(
        (k for k in order if means[k] is not None), key=lambda k: (means[k], order.index(k))
    )
    lowest = set(ranked[:weakest])
    result: dict[str, tuple[str, ...]] = {}
    for key in order:
        reasons = []
        if means[key] is not None and means[key] < cut - _EPS:
            reasons.append(BELOW_CUT)
        if key in lowest:
            reasons.append(TWO_WEAKEST)
        gap = agg.gap(legs[key])
        if gap is not None and gap >= min_gap - _EPS:
            reasons.append(BLIND_SPOT)
        if reasons:
            result[key] = tuple(reasons)
    return result


# --- The overview page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewOptions:
    sort: str = "name"  # "name" or a leg key
    descending: bool = False
    team: str | None = None
    cut: float = DEFAULT_CUT


def parse_options(args: Mapping[str, str], leg_keys: Sequence[str], teams: Sequence[str]):
    """(OverviewOptions, messages): bad values fall back to the default with a message."""
    messages = []
    sort = args.get("sort", "name") or "name"
    if sort != "name" and sort not in leg_keys:
        messages.append(_("Unknown column to sort by; sorted by name."))
        sort = "name"
    team = args.get("team") or None
    if team is not None and team not in teams:
        messages.append(_("Unknown team; showing every team."))
        team = None
    cut = DEFAULT_CUT
    raw_cut = (args.get("cut") or "").strip()
    if raw_cut:
        try:
            cut = float(raw_cut.replace(",", "."))
        except ValueError:
            cut = float("nan")
        if not 1.0 <= cut <= 5.0:  # also false for nan
            messages.append(
                _(
                    "The cut must be a number from 1 to 5; using %(cut)s.",
                    cut=numbers.decimal(DEFAULT_CUT),
                )
            )
            cut = DEFAULT_CUT
    options = OverviewOptions(sort=sort, descending=args.get("order") == "desc", team=team, cut=cut)
    return options, messages


def team_names(results: RoundResults) -> list[str]:
    return sorted({m.team for m in results.managers if m.team}, key=str.casefold)


@dataclass(frozen=True)
class HeatCell:
    leg_key: str
    text: str  # "3,4" or HIDDEN
    css: str  # "heat-1" .. "heat-6", or "heat-hidden"
    title: str  # the figure in words, for the tooltip and screen readers
    mean: float | None
    n: int | None
    development: bool


@dataclass(frozen=True)
class HeatRow:
    participant_id: int
    name: str
    team: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class DevelopmentEntry:
    leg_key: str
    leg_name: str
    participant_id: int
    name: str
    team: str
    mean: float | None
    mean_text: str
    n: int | None
    self_mean: float | None
    self_text: str
    gap: float | None
    reasons: tuple[str, ...]
    reason_text: str


@dataclass(frozen=True)
class LegSummary:
    key: str
    name: str
    mean: float | None  # mean over managers with a visible all_others figure
    mean_text: str
    css: str  # heat colour of the mean
    share: int  # percentage of the managers shown with this leg as a development area
    share_text: str  # the same, written in the current locale ("33%")
    managers: int  # managers with a visible figure
    hidden: int  # managers whose figure is hidden
    development: tuple[DevelopmentEntry, ...]  # weakest first


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    args: dict[str, str]  # query arguments of the link
    current: bool
    aria_sort: str | None  # "ascending" / "descending" on the sorted column


@dataclass(frozen=True)
class Overview:
    round_id: int
    round_name: str
    status: str
    threshold: int
    lang: str
    options: OverviewOptions
    cut_text: str
    gap_text: str  # the blind-spot gap that makes a leg a development area ("1,0")
    legs: tuple[LegInfo, ...]
    columns: tuple[SortLink, ...]  # name first, then the legs
    rows: tuple[HeatRow, ...]
    by_leg: tuple[LegSummary, ...]  # framework order
    weakest: tuple[LegSummary, ...]  # lowest mean first (legs without a mean last)
    teams: tuple[str, ...]
    legend: tuple[tuple[str, str], ...]  # (css class, label)
    filter_args: dict[str, str]  # query arguments that keep team and cut


def heat_class(value: float | None) -> str:
    if value is None:
        return "heat-hidden"
    bin_ = sum(1 for bound in HEAT_BOUNDS if value >= bound - _EPS)
    return f"heat-{bin_ + 1}"


def heat_legend() -> tuple[tuple[str, str], ...]:
    fmt = numbers.decimal
    bounds = HEAT_BOUNDS
    labels = [_("below %(value)s", value=fmt(bounds[0]))]
    labels += [
        _("%(low)s – %(high)s", low=fmt(lo), high=fmt(hi))
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    labels.append(_("%(value)s or more", value=fmt(bounds[-1])))
    return tuple((f"heat-{i + 1}", label) for i, label in enumerate(labels))


def reason_text(reasons: Sequence[str], cut: float, gap: float | None) -> str:
    """Why a leg is a development area, in the current locale ("below 3,0; blind spot ...")."""
    values = {"cut": numbers.decimal(cut), "gap": numbers.decimal(gap)}
    return "; ".join(str(REASON_TEXT[reason]) % values for reason in reasons)


def build_overview(results: RoundResults, options: OverviewOptions) -> Overview:
    """The heat map (one row per manager of the chosen team), the legs' summaries and the
    development areas, for the chosen sort order and cut."""
    t = results.threshold
    order = [leg.key for leg in results.legs]
    names = {leg.key: leg.name for leg in results.legs}
    managers = [m for m in results.managers if options.team is None or m.team == options.team]

    rows: list[HeatRow] = []
    entries: dict[str, list[DevelopmentEntry]] = {key: [] for key in order}
    for manager in managers:
        areas = development_legs(manager.legs, order, options.cut)
        cells = []
        for key in order:
            stat = agg.stat_of(manager.legs[key], agg.ALL_OTHERS)
            mean = stat.mean if stat.visible else None
            if mean is None:
                text = HIDDEN
                title = _(
                    "%(leg)s: fewer than %(t)s raters, not shown",
                    leg=names[key],
                    t=numbers.count(t),
                )
            else:
                text = numbers.decimal(mean)
                title = _(
                    "%(leg)s: %(mean)s (n = %(n)s)",
                    leg=names[key],
                    mean=text,
                    n=numbers.count(stat.n),
                )
            cells.append(
                HeatCell(
                    key,
                    text,
                    heat_class(mean),
                    title,
                    mean,
                    stat.n if mean is not None else None,
                    key in areas,
                )
            )
            if key in areas:
                gap = agg.gap(manager.legs[key])
                self_mean = agg.visible_mean(manager.legs[key], agg.SELF)
                entries[key].append(
                    DevelopmentEntry(
                        leg_key=key,
                        leg_name=names[key],
                        participant_id=manager.participant_id,
                        name=manager.name,
                        team=manager.team,
                        mean=mean,
                        mean_text=text,
                        n=stat.n if mean is not None else None,
                        self_mean=self_mean,
                        self_text=_text(self_mean),
                        gap=gap,
                        reasons=areas[key],
                        reason_text=reason_text(areas[key], options.cut, gap),
                    )
                )
        rows.append(HeatRow(manager.participant_id, manager.name, manager.team, tuple(cells)))

    rows = _sorted_rows(rows, options, order)
    summaries = []
    for leg in results.legs:
        means = [
            c.mean for r in rows for c in r.cells if c.leg_key == leg.key and c.mean is not None
        ]
        leg_mean = sum(means) / len(means) if means else None
        share = round(100 * len(entries[leg.key]) / len(rows)) if rows else 0
        summaries.append(
            LegSummary(
                key=leg.key,
                name=leg.name,
                mean=leg_mean,
                mean_text=numbers.decimal(leg_mean) if means else HIDDEN,
                css=heat_class(leg_mean),
                share=share,
                share_text=numbers.percent(share / 100),
                managers=len(means),
                hidden=len(rows) - len(means),
                development=tuple(
                    sorted(entries[leg.key], key=lambda e: (e.mean is None, e.mean or 0, e.name))
                ),
            )
        )
    weakest = sorted(summaries, key=lambda s: (s.mean is None, s.mean or 0, order.index(s.key)))
    filter_args = {"cut": _plain(options.cut)}
    if options.team:
        filter_args["team"] = options.team
    return Overview(
        round_id=results.round_id,
        round_name=results.round_name,
        status=results.status,
        threshold=t,
        lang=results.lang,
        options=options,
        cut_text=numbers.decimal(options.cut),
        gap_text=numbers.decimal(agg.DEFAULT_GAP),
        legs=results.legs,
        columns=_columns(results.legs, options, filter_args),
        rows=tuple(rows),
        by_leg=tuple(summaries),
        weakest=tuple(weakest),
        teams=tuple(team_names(results)),
        legend=heat_legend(),
        filter_args=filter_args,
    )


def _text(value: float | None) -> str:
    return HIDDEN if value is None else numbers.decimal(value)


def _plain(value: float) -> str:
    return f"{value:g}"


def _sorted_rows(rows: list[HeatRow], options: OverviewOptions, order: list[str]) -> list[HeatRow]:
    """By name, or by one leg's mean (lowest first; descending on request); hidden figures
    always last, ties by name."""
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.participant_id))
    if options.sort == "name":
        return list(reversed(by_name)) if options.descending else by_name
    index = order.index(options.sort)
    sign = -1 if options.descending else 1
    return sorted(
        by_name,
        key=lambda r: (r.cells[index].mean is None, sign * (r.cells[index].mean or 0)),
    )


def _columns(legs, options: OverviewOptions, filter_args: dict[str, str]) -> tuple[SortLink, ...]:
    links = []
    for key, label in [("name", _("Manager")), *((leg.key, leg.name) for leg in legs)]:
        current = options.sort == key
        descending = current and not options.descending  # clicking again flips the order
        args = {**filter_args, "sort": key}
        if descending:
            args["order"] = "desc"
        aria = None
        if current:
            aria = "descending" if options.descending else "ascending"
        links.append(SortLink(key, label, args, current, aria))
    return tuple(links)
