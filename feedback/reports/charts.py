"""SVG charts for the manager report, as plain strings.

Why this module is over 400 lines: the four charts (`leg_bars`, `radar`, `distribution`,
`trend`, one section each) share one palette, one escaping and one number format, and a
chart's look is changed in one place with the others beside it.

Pure functions: plain numbers and strings in, an SVG document out. No Flask, no database,
no randomness, no ids (several charts share one HTML page), so the same input always gives
the same bytes. Every chart has a ``viewBox`` (it scales to the width of its container),
``role="img"``, an ``aria-label`` and a ``<title>`` that state the numbers in words.

Drawing ``<text>`` is the most expensive part of a PDF (see PERF-NOTES), so charts carry as
few text elements as possible: put long labels (statement texts, legends, explanations) in
the HTML around the chart, never in the SVG.

Group colours are the Okabe-Ito colour-blind-safe palette; they differ in lightness too, so
the bars stay apart in grayscale print. ``feedback/static/css/report.css`` uses the same
colours for its legend classes (``.g-self``, ``.g-supervisor``...): change both together.

Embedding, for the templates:

* web page: ``{{ chart_svg }}`` inline is fine (the SVG is built by the project and every
  string in it is escaped here; mark it ``Markup`` in the view, never ``|safe`` on user text);
* PDF: ``<img class="chart" src="{{ svg_data_uri(chart_svg) }}" alt="...">`` is about 11 %
  faster for WeasyPrint than inline SVG.

Language: every word and number a chart draws or says (the accessible title included) comes
from its ``text`` argument, a :class:`ChartText`. view.py fills it from the translation
catalogue and numbers.py in the reader's locale, so a Dutch report's charts say "3,6" and
"(schaal 1 tot 5)"; the default is English with a decimal point, for tests and tools.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from feedback.reports.numbers import rounded
from feedback.text import strip_bidi

SCALE_MIN = 1
SCALE_MAX = 5

#: Colour per rater group (fill of bars, stroke of radar lines).
PALETTE: dict[str, str] = {
    "self": "#0072B2",  # blue
    "supervisor": "#D55E00",  # vermillion
    "direct_report": "#009E73",  # bluish green
    "peer": "#E69F00",  # orange
    "others": "#CC79A7",  # reddish purple
    "all_others": "#3F3F3F",  # dark grey: everybody but self
    "norm": "#8C8C8C",  # mid grey: the organisation norm
}
#: Fallback for a group key the palette does not know.
DEFAULT_COLOUR = "#6A6A6A"

#: Fill per answer 1..5 and "don't know" for :func:`distribution` (PuOr, colour-blind safe;
#: every step has its own lightness, so it survives grayscale print).
ANSWER_COLOURS: dict[str, str] = {
    "1": "#B35806",
    "2": "#F1A340",
    "3": "#E0E0E0",
    "4": "#998EC3",
    "5": "#542788",
    "dk": "#FFFFFF",
}

FONT = "'Source Sans 3', 'DejaVu Sans', sans-serif"
INK = "#1D2433"
MUTED = "#5B6475"
GRID = "#C9CFDA"

# Characters XML 1.0 does not allow at all; they would make the document unparsable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(value: object) -> str:
    """Escape any value for SVG text or a double-quoted attribute (no bidi controls: in the
    PDF a chart is an image that no template filter sees)."""
    return escape(_XML_INVALID.sub("", strip_bidi(str(value))), quote=True)


def colour(group_key: str) -> str:
    """The palette colour of a rater group (grey for an unknown key)."""
    return PALETTE.get(group_key, DEFAULT_COLOUR)


def fmt(value: float, digits: int = 1) -> str:
    """A mean as plain text with a decimal point, rounded half up by numbers.rounded (the
    report's own rule): ``fmt(2.25) == "2.3"``. The default number format of ChartText."""
    return f"{rounded(value, digits):.{digits}f}"


def _signed(value: float) -> str:
    exact = rounded(value)
    return f"{exact:.1f}" if exact == 0 else f"{exact:+.1f}"


@dataclass(frozen=True)
class ChartText:
    """The words and number formats of the charts, in the reader's language.

    number: a mean as text ("3.6" / "3,6"); signed: a difference ("+0.5"); count: an n.
    The other fields are sentences with named placeholders (``%(name)s``), as they come
    from the catalogue (view.chart_text); they are filled with already formatted numbers.
    """

    number: Callable[[float], str] = fmt
    signed: Callable[[float], str] = _signed
    count: Callable[[int], str] = str
    scale: str = "%(summary)s (scale 1 to 5)"
    titled: str = "%(title)s: %(summary)s"
    bar: str = "%(group)s %(mean)s (n=%(n)s)"
    bar_value: str = "%(mean)s  n=%(n)s"
    norm: str = "norm %(norm)s"
    no_groups: str = "no groups to show"
    series: str = "%(group)s: %(values)s"
    leg_value: str = "%(leg)s %(value)s"
    no_data: str = "no data"
    answers: str = "%(counts)s, %(dont_know)s: %(n)s (total %(total)s)"
    dont_know: str = "don't know"
    trend_new: str = "now %(now)s, no previous round to compare"
    trend: str = "previous round %(previous)s, now %(now)s (%(delta)s)"
    separator: str = "; "


ENGLISH = ChartText()


def _num(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros (stable and compact output)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _check_score(value: float, what: str) -> float:
    if not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"{what} must be within {SCALE_MIN}..{SCALE_MAX}, got {value!r}")
    return float(value)


def _svg(width: float, height: float, label: str, body: Sequence[str], css_class: str) -> str:
    label = esc(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img" aria-label="{label}" '
        f'class="chart {css_class}" font-family="{esc(FONT)}">'
        f"<title>{label}</title>" + "".join(body) + "</svg>"
    )


def svg_data_uri(svg: str) -> str:
    """``data:image/svg+xml;base64,...`` for an ``<img src>`` in the PDF."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Bars per rater group for one leg or statement


def leg_bars(
    rows: Sequence[tuple[str, str, float, int]],
    *,
    norm: float | None = None,
    title: str = "",
    text: ChartText = ENGLISH,
    show_labels: bool = True,
    axis: bool = True,
    width: int = 480,
) -> str:
    """Horizontal bars on the fixed 1..5 scale, one per visible rater group.

    ``rows``: ``(group_key, label, mean, n)`` per group, in display order, e.g.
    ``[("self", "Self", 4.0, 1), ("peer", "Peers", 3.62, 7)]``. Pass only groups that may be
    shown: suppressed groups are left out by the caller. A row whose key is ``"norm"`` is not
    a bar: it becomes the organisation-norm marker (as if passed as ``norm=``; the keyword
    wins). ``mean`` must lie within 1..5, ``n`` is the number of raters behind it.

    ``norm``: the organisation norm for this leg or statement, drawn as a dark dashed line
    with a diamond across all bars. ``title``: the leg or statement name, used only in the
    accessible title (put the visible heading in the HTML). ``text``: the words and number
    format (:class:`ChartText`). ``show_labels=False`` leaves out the group labels on the
    left, for when the HTML next to the chart names them (fewer ``<text>`` elements, faster
    PDF); ``axis=False``
    leaves out the numbers 1..5 under the bars (e.g. when one axis in the HTML serves a
    stack of charts of the same width).

    Text elements: one label per bar (unless ``show_labels=False``), one "3.6  n=7" per bar,
    and the axis numbers 1..5 (unless ``axis=False``).
    """
    bars: list[tuple[str, str, float, int]] = []
    for key, label, mean, n in rows:
        if key == "norm":
            if norm is None:
                norm = mean
            continue
        bars.append((key, label, _check_score(mean, f"mean of {label!r}"), int(n)))
    if norm is not None:
        norm = _check_score(norm, "norm")

    label_w = 118 if show_labels else 4
    value_w = 86
    left, right = label_w, width - value_w
    row_h, bar_h, top = 22, 14, 6
    plot_h = max(len(bars), 1) * row_h
    height = top + plot_h + (20 if axis else 6)

    def x(score: float) -> float:
        return left + (score - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * (right - left)

    body: list[str] = []
    # Gridlines (one path: fewer objects to draw) and the axis numbers.
    ticks = range(SCALE_MIN, SCALE_MAX + 1)
    grid = "".join(f"M{_num(x(t))} {top - 2}V{_num(top + plot_h + 2)}" for t in ticks)
    body.append(f'<path d="{grid}" stroke="{GRID}" stroke-width="0.8" fill="none"/>')
    if axis:
        body.extend(
            f'<text x="{_num(x(t))}" y="{_num(top + plot_h + 15)}" font-size="10" '
            f'text-anchor="middle" fill="{MUTED}">{esc(text.count(t))}</text>'
            for t in ticks
        )
    # One bar per group.
    for index, (key, label, mean, n) in enumerate(bars):
        y = top + index * row_h + (row_h - bar_h) / 2
        mid = _num(y + bar_h / 2 + 4)
        if show_labels:
            body.append(
                f'<text x="{left - 6}" y="{mid}" font-size="11" text-anchor="end" '
                f'fill="{INK}">{esc(_shorten(label, 20))}</text>'
            )
        body.append(
            f'<rect x="{left}" y="{_num(y)}" width="{_num(max(x(mean) - left, 1.5))}" '
            f'height="{bar_h}" fill="{colour(key)}" stroke="{INK}" stroke-width="0.4"/>'
        )
        body.append(
            f'<text x="{right + 6}" y="{mid}" font-size="11" fill="{INK}" '
            f'xml:space="preserve">'
            f"{esc(text.bar_value % {'mean': text.number(mean), 'n': text.count(n)})}</text>"
        )
    # The organisation norm: a dashed line plus a diamond above the bars.
    if norm is not None:
        nx = x(norm)
        body.append(
            f'<line x1="{_num(nx)}" y1="{top - 1}" x2="{_num(nx)}" y2="{_num(top + plot_h)}" '
            f'stroke="{INK}" stroke-width="1.4" stroke-dasharray="3 2"/>'
        )
        body.append(
            f'<path d="M{_num(nx)} {top - 5}l4 4-4 4-4-4z" fill="{PALETTE["norm"]}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )

    parts = [
        text.bar % {"group": label, "mean": text.number(mean), "n": text.count(n)}
        for _key, label, mean, n in bars
    ]
    if norm is not None:
        parts.append(text.norm % {"norm": text.number(norm)})
    summary = text.separator.join(parts) if bars else text.no_groups
    return _svg(width, height, _label(text, title, summary, scale=True), body, "chart-bars")


def _label(text: ChartText, title: str, summary: str, *, scale: bool = False) -> str:
    """The accessible title: "title: summary", with the scale when the chart has one."""
    label = text.titled % {"title": title, "summary": summary} if title else summary
    return text.scale % {"summary": label} if scale else label


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Radar of the six legs

#: Drawing order and style of the radar series (later ones are drawn on top).
RADAR_SERIES = ("norm", "all_others", "self")


def radar(
    legs: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    series_labels: Mapping[str, str] | None = None,
    title: str = "",
    text: ChartText = ENGLISH,
    size: int = 300,
    wrap: int | None = None,
) -> str:
    """The legs as a spider chart on the 1..5 scale (the centre is 1, the outer ring 5).

    ``legs``: short leg names in framework order (these become the only text in the chart;
    keep them short, e.g. "Coach"; longer than 22 characters is cut off).
    ``series``: means per leg for any of ``"self"``, ``"all_others"`` and ``"norm"`` (other
    group keys are drawn too, in their palette colour); a missing key is simply not drawn, a
    ``None`` value (suppressed leg) leaves a gap: the series is then drawn as dots only.
    ``series_labels``: display names for the accessible title (default: the keys).
    Norm is a dashed grey line, all others a filled dark polygon, self a blue line with dots.
    ``wrap``: a leg name longer than this many characters is drawn on two lines (at its
    middle space), so the web page can draw the names larger on a phone.
    """
    count = len(legs)
    if count < 3:
        raise ValueError("a radar needs at least three legs")
    names = dict(series_labels or {})
    cx, cy, radius = size * 0.8, size / 2, size * 0.37
    width, height = size * 1.6, size

    def point(index: int, score: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        r = (score - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * radius
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body: list[str] = []
    # The web of rings and spokes as one path (fewer objects to draw).
    web = []
    for ring in range(SCALE_MIN + 1, SCALE_MAX + 1):
        corners = [point(i, ring) for i in range(count)]
        web.append("M" + "L".join(f"{_num(px)} {_num(py)}" for px, py in corners) + "Z")
    for index in range(count):
        ox, oy = point(index, SCALE_MAX)
        web.append(f"M{_num(cx)} {_num(cy)}L{_num(ox)} {_num(oy)}")
    body.append(f'<path d="{"".join(web)}" fill="none" stroke="{GRID}" stroke-width="0.8"/>')
    for index, leg in enumerate(legs):
        lx, ly = point(index, SCALE_MAX + 0.45)
        dx = lx - cx
        anchor = "middle" if abs(dx) < 1 else ("start" if dx > 0 else "end")
        ly += 4 if abs(dx) >= 1 else (-2 if ly < cy else 10)
        body.append(
            f'<text x="{_num(lx)}" y="{_num(ly)}" font-size="12" text-anchor="{anchor}" '
            f'fill="{INK}">{_radar_label(_shorten(leg, 22), lx, ly < cy, wrap)}</text>'
        )

    described: list[str] = []
    keys = [k for k in RADAR_SERIES if k in series] + [k for k in series if k not in RADAR_SERIES]
    for key in keys:
        values = list(series[key])
        if len(values) != count:
            raise ValueError(f"series {key!r} has {len(values)} values for {count} legs")
        checked = [None if v is None else _check_score(v, f"{key} value") for v in values]
        stroke = colour(key)
        points = [None if v is None else point(i, v) for i, v in enumerate(checked)]
        if all(p is not None for p in points):
            pts = " ".join(f"{_num(px)},{_num(py)}" for px, py in points)
            if key == "norm":
                style = f'fill="none" stroke="{stroke}" stroke-width="1.8" stroke-dasharray="5 3"'
            elif key == "all_others":
                style = f'fill="{stroke}" fill-opacity="0.16" stroke="{stroke}" stroke-width="2"'
            else:
                style = f'fill="none" stroke="{stroke}" stroke-width="2.2"'
            body.append(f'<polygon points="{pts}" {style}/>')
        if key != "norm" or not all(p is not None for p in points):
            for p in points:
                if p is not None:
                    body.append(
                        f'<circle cx="{_num(p[0])}" cy="{_num(p[1])}" r="3" fill="{stroke}" '
                        f'stroke="#FFFFFF" stroke-width="0.8"/>'
                    )
        vals = ", ".join(
            text.leg_value % {"leg": leg, "value": "-" if v is None else text.number(v)}
            for leg, v in zip(legs, checked, strict=True)
        )
        described.append(text.series % {"group": names.get(key, key), "values": vals})
    summary = text.separator.join(described) if described else text.no_data
    return _svg(width, height, _label(text, title, summary, scale=True), body, "chart-radar")


def _radar_label(label: str, x: float, above: bool, wrap: int | None) -> str:
    """A leg name as the content of its <text>: itself, or two <tspan> lines when it is
    longer than ``wrap`` and has a space. The lines grow away from the chart (upwards for
    the names above the centre); em units follow the font size a stylesheet gives them."""
    words = label.split(" ")
    if wrap is None or len(label) <= wrap or len(words) < 2:
        return esc(label)
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(label) / 2))
    first, second = " ".join(words[:cut]), " ".join(words[cut:])
    start = "-1.1em" if above else "0"
    return (
        f'<tspan x="{_num(x)}" dy="{start}">{esc(first)}</tspan>'
        f'<tspan x="{_num(x)}" dy="1.1em">{esc(second)}</tspan>'
    )


# ---------------------------------------------------------------------------------------------
# Spread of answers for one statement

ANSWER_KEYS = ("1", "2", "3", "4", "5", "dk")


def distribution(
    counts: Mapping[int | str, int] | Sequence[int],
    *,
    title: str = "",
    text: ChartText = ENGLISH,
    width: int = 120,
    height: int = 12,
) -> str:
    """A tiny stacked bar of how many raters answered 1, 2, 3, 4, 5 and "don't know".

    ``counts``: a mapping ``{1: 0, 2: 1, 3: 2, 4: 5, 5: 1, "dk": 1}`` (keys may be ints or
    strings; missing keys count 0) or a sequence of six counts in that order. No text is
    drawn; the numbers are in the accessible title. Meant to sit inline in a table cell:
    style it with ``.chart-dist`` (report.css sets its display size).
    """
    if isinstance(counts, Mapping):
        values = [int(_count(counts, key)) for key in ANSWER_KEYS]
    else:
        values = [int(v) for v in counts]
        if len(values) == 5:
            values.append(0)
        if len(values) != 6:
            raise ValueError("distribution needs five or six counts (1..5 and don't know)")
    if any(v < 0 for v in values):
        raise ValueError("counts cannot be negative")
    total = sum(values)
    body: list[str] = []
    xpos = 0.5
    inner = width - 1
    for key, value in zip(ANSWER_KEYS, values, strict=True):
        if not value:
            continue
        seg = inner * value / total
        body.append(
            f'<rect x="{_num(xpos)}" y="0.5" width="{_num(seg)}" height="{height - 1}" '
            f'fill="{ANSWER_COLOURS[key]}" stroke="#FFFFFF" stroke-width="0.8"/>'
        )
        xpos += seg
    body.append(
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="none" '
        f'stroke="{MUTED}" stroke-width="0.6"/>'
    )
    words = ", ".join(
        f"{k}: {text.count(v)}" for k, v in zip(ANSWER_KEYS[:5], values[:5], strict=True)
    )
    summary = text.answers % {
        "counts": words,
        "dont_know": text.dont_know,
        "n": text.count(values[5]),
        "total": text.count(total),
    }
    return _svg(width, height, _label(text, title, summary), body, "chart-dist")


def _count(counts: Mapping[int | str, int], key: str) -> int:
    if key in counts:
        return counts[key]
    if key != "dk" and int(key) in counts:
        return counts[int(key)]
    return 0


# ---------------------------------------------------------------------------------------------
# Change since the previous round


def trend(
    prev: float | None,
    now: float,
    *,
    title: str = "",
    text: ChartText = ENGLISH,
    width: int = 120,
    height: int = 20,
) -> str:
    """Previous round (hollow dot) and this round (filled dot) on a 1..5 line, with an arrow.

    ``prev`` is ``None`` when the previous round is missing or had too few answers: only the
    current dot is drawn. No text in the chart (the numbers go in the table next to it and
    in the accessible title). A rise is drawn in blue, a fall in vermillion; the arrow head
    shows the direction in grayscale.
    """
    now = _check_score(now, "now")
    if prev is not None:
        prev = _check_score(prev, "prev")
    pad = 7
    cy = height / 2

    def x(score: float) -> float:
        return pad + (score - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * (width - 2 * pad)

    scale = f"M{pad} {_num(cy)}H{width - pad}" + "".join(
        f"M{_num(x(t))} {_num(cy - 3)}V{_num(cy + 3)}" for t in range(SCALE_MIN, SCALE_MAX + 1)
    )
    body = [f'<path d="{scale}" stroke="{GRID}" stroke-width="1" fill="none"/>']
    delta = None if prev is None else now - prev
    tone = PALETTE["self"] if (delta or 0) >= 0 else PALETTE["supervisor"]
    if prev is not None:
        x0, x1 = x(prev), x(now)
        if abs(x1 - x0) > 9:
            direction = 1 if x1 > x0 else -1
            tip = x1 - direction * 5
            base = tip - direction * 5
            body.append(
                f'<line x1="{_num(x0 + direction * 4)}" y1="{_num(cy)}" x2="{_num(base)}" '
                f'y2="{_num(cy)}" stroke="{tone}" stroke-width="1.6"/>'
            )
            body.append(
                f'<path d="M{_num(tip)} {_num(cy)}L{_num(base)} {_num(cy - 4)}'
                f'L{_num(base)} {_num(cy + 4)}z" fill="{tone}"/>'
            )
        body.append(
            f'<circle cx="{_num(x0)}" cy="{_num(cy)}" r="3.5" fill="#FFFFFF" '
            f'stroke="{MUTED}" stroke-width="1.4"/>'
        )
    body.append(
        f'<circle cx="{_num(x(now))}" cy="{_num(cy)}" r="4" fill="{tone}" '
        f'stroke="{INK}" stroke-width="0.6"/>'
    )
    if prev is None:
        summary = text.trend_new % {"now": text.number(now)}
    else:
        summary = text.trend % {
            "previous": text.number(prev),
            "now": text.number(now),
            "delta": text.signed(delta),
        }
    return _svg(width, height, _label(text, title, summary), body, "chart-trend")
