"""Benchmark: what do our charts cost WeasyPrint, inline <svg> versus data-URI <img>?

Renders a representative 5-page report (cover, 11 charts, 2 tables, 30 comments) three ways
in the same run: (a) charts as inline <svg>, (b) charts as data-URI <img>, and (c) the same
HTML with the charts removed (the baseline). Prints a table with the ratios against the
baseline and writes bench/results/pdf_engine.json.

    .venv/bin/python bench/pdf_engine.py [--repeat 5] [--write-sample out.html]

Also prints whether Debian's libharfbuzz-subset is found (without it WeasyPrint falls back
to fontTools for font subsetting, about 35 % slower).
"""

from __future__ import annotations

import argparse
import ctypes.util
import json
import platform
import statistics
import sys
import time
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feedback.reports import charts  # noqa: E402
from feedback.reports.pdf import render_pdf, static_url_fetcher  # noqa: E402

LEGS = ["Teambuilder", "Doortastend", "Politicus", "Coach", "Cijferexpert", "Streber"]
GROUPS = [
    ("self", "Zelf"),
    ("supervisor", "Leidinggevende"),
    ("direct_report", "Medewerkers"),
    ("peer", "Collega's"),
]
STATEMENTS = [
    "Neemt mensen aan die het team sterker maken, ook als dat even duurt.",
    "Spreekt een medewerker direct aan als resultaten achterblijven.",
    "Weet het verschil tussen een motivatieprobleem en een gemis aan vaardigheid.",
    "Legt het verkoopplan zo uit dat iedereen weet wat er van hem of haar verwacht wordt.",
    "Brengt de behoeften van het team over aan de directie.",
    "Zegt nee tegen onrealistische targets en legt uit waarom.",
    "Erkent goed werk zichtbaar en specifiek.",
    "Coacht zonder over de schouder mee te kijken.",
]
COMMENT = (
    "Goede coach in gesprekken met klanten, maar de wekelijkse pipeline-review voelt soms als "
    "controle in plaats van hulp. Meer vertrouwen zou het team helpen. <b>geen opmaak</b>"
)


def _score(seed: int, spread: float = 1.6) -> float:
    return round(3.0 + ((seed * 37) % 17) / 17 * spread - spread / 3, 2)


def sample_charts() -> dict[str, list[str]]:
    """The 11 charts of the sample: 1 radar, 6 leg bars, 2 distribution, 2 trend."""
    radar = charts.radar(
        LEGS,
        {
            "self": [_score(i + 1) for i in range(6)],
            "all_others": [_score(i + 9) for i in range(6)],
            "norm": [3.6, 3.5, 3.3, 3.7, 3.8, 3.9],
        },
        series_labels={"self": "Zelf", "all_others": "Alle anderen", "norm": "Norm"},
        title="Zes poten",
        decimal_sep=",",
    )
    bars = [
        charts.leg_bars(
            [
                (k, label, _score(leg * 5 + g), 1 if k in {"self", "supervisor"} else 4 + g)
                for g, (k, label) in enumerate(GROUPS)
            ],
            norm=3.6,
            title=name,
            decimal_sep=",",
        )
        for leg, name in enumerate(LEGS)
    ]
    dists = [
        charts.distribution({1: 0, 2: 1, 3: 3, 4: 6, 5: 2, "dk": 1}, title="Uitspraak 1"),
        charts.distribution({1: 2, 2: 3, 3: 1, 4: 4, 5: 1, "dk": 0}, title="Uitspraak 2"),
    ]
    trends = [charts.trend(3.2, 3.9, title="Coach"), charts.trend(4.1, 3.5, title="Streber")]
    return {"radar": [radar], "bars": bars, "dist": dists, "trend": trends}


def sample_report_html(mode: str = "img") -> str:
    """A report-like HTML document; ``mode`` is "svg" (inline), "img" (data URI) or "none"."""

    def chart(svg: str, alt: str = "") -> str:
        if mode == "none":
            return ""
        if mode == "svg":
            return svg
        css_class = svg.split('class="', 1)[1].split('"', 1)[0]
        return f'<img class="{css_class}" src="{charts.svg_data_uri(svg)}" alt="{escape(alt)}">'

    c = sample_charts()
    legend = "".join(
        f'<li class="legend-item"><span class="swatch g-{k}"></span>{escape(label)}</li>'
        for k, label in [*GROUPS, ("norm", "Organisatienorm")]
    )
    leg_sections = []
    for index, name in enumerate(LEGS):
        leg_sections.append(
            f"<section><h3>{escape(name)}</h3><figure>{chart(c['bars'][index], name)}"
            f"<figcaption>Gemiddelde per groep (1 tot 5), n = aantal beoordelaars.</figcaption>"
            f"</figure></section>"
        )
    rows = []
    for i, statement in enumerate(STATEMENTS):
        dist = chart(c["dist"][i % 2], statement)
        trend = chart(c["trend"][i % 2], statement)
        supervisor = (
            '<td class="suppressed" title="minder dan 3 antwoorden">–</td>'
            if i % 3 == 0
            else f'<td class="num">{charts.fmt(_score(i + 4), ",")}</td>'
        )
        rows.append(
            f'<tr><td class="statement">{escape(statement)}</td>'
            f'<td class="num">{charts.fmt(_score(i), ",")}</td>{supervisor}'
            f'<td class="num">{charts.fmt(_score(i + 2), ",")}<span class="n">n=7</span></td>'
            f"<td>{dist}</td><td>{trend}</td></tr>"
        )
    table = (
        '<div class="table-wrap"><table class="report-table"><thead><tr><th>Uitspraak</th>'
        '<th class="num">Zelf</th>'
        '<th class="num">Leidinggevende</th><th class="num">Anderen</th><th>Spreiding</th>'
        f"<th>Verandering</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    counts = "".join(
        f'<tr><td><span class="group-label g-{k}">{escape(label)}</span></td>'
        f'<td class="num">{n}</td><td class="num">{m}</td></tr>'
        for (k, label), n, m in zip(GROUPS, [1, 1, 7, 2], [1, 1, 9, 4], strict=True)
    )
    comments = "".join(
        f"<li>{escape(COMMENT if i % 2 else COMMENT[:90])} ({i + 1})</li>" for i in range(30)
    )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>360-feedback Anne de Vries</title>
<link rel="stylesheet" href="/static/css/report.css"></head>
<body class="report">
<section class="page cover">
  <p class="muted">360-feedback · vertrouwelijk</p>
  <h1>Anne de Vries</h1>
  <p class="running-header" data-page-word="Pagina" data-of-word="van"
     data-footer="Vertrouwelijk">Anne de Vries · Voorjaarsronde 2025</p>
  <div class="cover-meta">
    <div class="meta-item"><span class="value">11</span><span class="label">antwoorden</span></div>
    <div class="meta-item"><span class="value">15</span><span class="label">uitgenodigd</span></div>
    <div class="meta-item"><span class="value">3</span><span class="label">drempel</span></div>
  </div>
  <table class="report-table"><caption>Respons per groep</caption>
    <thead><tr><th>Groep</th><th class="num">Antwoorden</th><th class="num">Uitgenodigd</th></tr>
    </thead><tbody>{counts}</tbody></table>
  <div class="callout"><span class="callout-title">Anonimiteit.</span> Groepen met minder dan
    3 antwoorden zijn samengevoegd met "anderen" of niet getoond.</div>
</section>
<section class="page">
  <h2>De zes poten</h2>
  <ul class="legend">{legend}</ul>
  <figure>{chart(c["radar"][0], "Radar van de zes poten")}</figure>
  <div class="callout warning"><span class="callout-title">Beoordelaars zijn het oneens</span>
    over Politicus: de antwoorden lopen uiteen van 1 tot 5.</div>
</section>
<section class="page"><h2>Per poot</h2>{"".join(leg_sections)}</section>
<section class="page"><h2>Uitspraken</h2>
  <ul class="legend answer-legend">
    <li class="legend-item"><span class="swatch a-1"></span>1</li>
    <li class="legend-item"><span class="swatch a-3"></span>3</li>
    <li class="legend-item"><span class="swatch a-5"></span>5</li>
    <li class="legend-item"><span class="swatch a-dk"></span>weet niet</li></ul>
  {table}</section>
<section class="page"><h2>Opmerkingen</h2><ul class="comments">{comments}</ul></section>
</body></html>"""


def _time(html: str, repeat: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(render_pdf(html))
        times.append(time.perf_counter() - start)
    return times, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-sample", type=Path, help="write the <img> sample HTML here")
    args = parser.parse_args()

    harfbuzz_subset = ctypes.util.find_library("harfbuzz-subset")
    print(f"libharfbuzz-subset: {harfbuzz_subset or 'NOT FOUND (fontTools fallback, slower)'}")

    import weasyprint  # noqa: F401  (first import outside the timings)

    html = {mode: sample_report_html(mode) for mode in ("none", "svg", "img")}
    if args.write_sample:
        args.write_sample.write_text(html["img"], encoding="utf-8")
    fetcher = static_url_fetcher()
    render_pdf(html["img"], fetcher=fetcher)  # warm-up: fonts, caches
    refused = [r for r in fetcher.log if not r.allowed]
    results = {}
    # Interleave the modes so drift on a noisy machine hits all of them alike.
    samples: dict[str, list[float]] = {mode: [] for mode in html}
    sizes: dict[str, int] = {}
    for _ in range(args.repeat):
        for mode, text in html.items():
            times, sizes[mode] = _time(text, 1)
            samples[mode] += times
    base = statistics.median(samples["none"])
    print(f"\n{'mode':<22}{'median s':>10}{'min s':>9}{'ratio':>8}{'PDF KB':>9}{'HTML KB':>9}")
    labels = {
        "none": "no charts (baseline)",
        "svg": "(a) inline <svg>",
        "img": "(b) data-URI <img>",
    }
    for mode in ("none", "svg", "img"):
        median = statistics.median(samples[mode])
        results[mode] = {
            "median_s": round(median, 4),
            "min_s": round(min(samples[mode]), 4),
            "samples_s": [round(t, 4) for t in samples[mode]],
            "ratio_vs_baseline": round(median / base, 3),
            "pdf_bytes": sizes[mode],
            "html_bytes": len(html[mode].encode()),
        }
        print(
            f"{labels[mode]:<22}{median:>10.3f}{min(samples[mode]):>9.3f}"
            f"{median / base:>8.2f}{sizes[mode] / 1024:>9.1f}{len(html[mode]) / 1024:>9.1f}"
        )
    img_vs_svg = results["img"]["median_s"] / results["svg"]["median_s"]
    print(f"\n<img> / <svg> time: {img_vs_svg:.2f}")
    print(f"fetches refused in the sample: {len(refused)}")
    out = ROOT / "bench" / "results" / "pdf_engine.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    import weasyprint as wp

    payload = {
        "benchmark": "pdf_engine",
        "weasyprint": wp.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "repeat": args.repeat,
        "charts": 11,
        "harfbuzz_subset": harfbuzz_subset,
        "results": results,
        "img_over_svg": round(img_vs_svg, 3),
    }
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
