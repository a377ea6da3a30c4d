"""The report's summary in one minute: the overall picture in a few plain sentences.

    data = one_minute(report)          # plain data, no words: which legs, which gap, counts
    lines = one_minute_text(data)      # the sentences, in the current locale (view.py)

It picks only what the report shows elsewhere, so it can tell nothing new:
- the strongest and the weakest leg by all others' view (their visible leg means), or why
  all others' view is hidden (too few answers);
- the largest blind spot among the statements (the report's first one), or why there is
  none (the same reason as the blind-spot section: no self-assessment, no gap that large);
- per rater group the answers as the cover gives them, with the raters invited only where
  the group's own count is shown (aggregation.response_counts decides that).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from feedback.reports import aggregation as agg
from feedback.reports import numbers
from feedback.reports.labels import group_name
from feedback.reports.model import LegReport, ManagerReport, RankedItem, ResponseCount


@dataclass(frozen=True)
class LegPick:
    name: str
    mean: float
    n: int


@dataclass(frozen=True)
class OneMinute:
    threshold: int
    strongest: LegPick | None  # None: all others' view is hidden on every leg
    weakest: LegPick | None  # None also when only one leg shows all others' view
    level: bool  # two or more legs shown, all the same as written ("3,4"): none is named
    hidden_reason: str | None  # "too_few" / "too_few_each" when all others' view is hidden
    blind_spot: RankedItem | None
    no_blind_spot: str | None  # "no_self", "no_gap" or "too_few...": why there is none
    gap: float
    counts: tuple[ResponseCount, ...]


def _pick(leg: LegReport) -> LegPick | None:
    stat = leg.group(agg.ALL_OTHERS)
    if not stat.visible or stat.mean is None:
        return None
    return LegPick(leg.name, stat.mean, stat.n)


def one_minute(report: ManagerReport) -> OneMinute:
    """The first page's picture of a report (see the module's docstring)."""
    picks = [p for leg in report.legs if (p := _pick(leg)) is not None]
    # max/min keep the first of equal means: the leg that comes first in the report
    strongest = max(picks, key=lambda p: p.mean) if picks else None
    weakest = min(picks, key=lambda p: p.mean) if len(picks) > 1 else None
    # Every leg the same as the reader sees it (rounded as written): naming one strongest
    # and one weakest leg, both "3,4", would read as a contradiction.
    level = weakest is not None and numbers.rounded(weakest.mean) == numbers.rounded(strongest.mean)
    if level:
        weakest = None
    hidden = None
    if not picks:
        reason = report.empty_reasons.get(agg.STRENGTHS)
        hidden = reason.key if reason is not None else "too_few"
    spots = [it for it in report.blind_spots if it.kind == "statement"]
    spot = spots[0] if spots else None
    why = None
    if spot is None:
        reason = report.empty_reasons.get(agg.BLIND_SPOTS)
        why = reason.key if reason is not None else "no_gap" if picks else "too_few"
    return OneMinute(
        threshold=report.threshold,
        strongest=strongest,
        weakest=weakest,
        level=level,
        hidden_reason=hidden,
        blind_spot=spot,
        no_blind_spot=why,
        gap=report.blind_spot_gap,
        counts=report.response_counts,
    )


def _answered(c: ResponseCount, threshold: int) -> str:
    name = group_name(c.group)
    if c.count is None:  # hidden on the cover: say only what the cover says
        if c.fewer_than_threshold:
            return _("%(group)s: fewer than %(t)s", group=name, t=numbers.count(threshold))
        return _("%(group)s: included in %(others)s", group=name, others=group_name(agg.OTHERS))
    n = numbers.count(c.count)
    if c.invited == 0 and c.count == 0:
        return _("%(group)s: none invited", group=name)
    if c.invited:
        text = _("%(group)s: %(n)s of %(m)s invited", group=name, n=n, m=numbers.count(c.invited))
    else:
        text = _("%(group)s: %(n)s", group=name, n=n)
    if c.left_out:
        text += " " + _("(too few to show separately)")
    return text


def one_minute_text(data: OneMinute) -> dict:
    """The sentences of the summary in the current locale: "picture" (legs and blind spot)
    and "answered" (one short line per group)."""
    picture = []
    if data.strongest is None:
        t = numbers.count(data.threshold)
        if data.hidden_reason == "too_few_each":
            picture.append(
                _(
                    "How all others see you cannot be shown: no statement has %(t)s answers"
                    " other than “don't know”.",
                    t=t,
                )
            )
        else:
            picture.append(
                _(
                    "How all others see you cannot be shown: fewer than %(t)s direct reports"
                    " and peers answered, so their scores would not be anonymous.",
                    t=t,
                )
            )
    elif data.level:
        picture.append(
            _(
                "As others see you, your legs are level: each at %(mean)s.",
                mean=numbers.decimal(data.strongest.mean),
            )
        )
    else:
        s = data.strongest
        picture.append(
            _(
                "Your strongest leg as others see you: %(leg)s (%(mean)s, n=%(n)s).",
                leg=s.name,
                mean=numbers.decimal(s.mean),
                n=numbers.count(s.n),
            )
        )
        if data.weakest is not None:
            w = data.weakest
            picture.append(
                _(
                    "Your weakest leg as others see you: %(leg)s (%(mean)s, n=%(n)s).",
                    leg=w.name,
                    mean=numbers.decimal(w.mean),
                    n=numbers.count(w.n),
                )
            )
    spot = data.blind_spot
    if spot is not None:
        picture.append(
            _(
                "Your largest blind spot: “%(text)s” – you give yourself %(own)s, others"
                " give you %(mean)s.",
                text=spot.text,
                own=numbers.decimal(spot.self_mean),
                mean=numbers.decimal(spot.all_others_mean),
            )
        )
    elif data.no_blind_spot == "no_self":
        picture.append(_("No blind spot can be shown: there is no self-assessment."))
    elif data.no_blind_spot == "no_gap":
        picture.append(
            _(
                "No blind spot: nowhere is your own score %(gap)s point or more above"
                " that of others.",
                gap=numbers.decimal(data.gap),
            )
        )
    else:
        picture.append(_("No blind spot can be shown: too few answers from others."))
    answered = tuple(_answered(c, data.threshold) for c in data.counts)
    return {"picture": tuple(picture), "answered": answered}
