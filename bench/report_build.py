"""Benchmark: what does building development reports cost on top of WeasyPrint itself?

Loads the demo organisation into a temporary SQLite database and measures, in one run:

(a) one report end to end (queries + view data + HTML + PDF) against WeasyPrint rendering
    the same, already-made HTML alone;
(b) all reports of the demo round ("Voorjaar 2026") with `--jobs 1` and `--jobs 2`
    (bulk.build_round_pdfs, as `flask reports build` runs it) against WeasyPrint
    rendering the same already-made HTML documents alone, in one process and in two spawned
    processes respectively.

The ratio (ours / WeasyPrint alone) is the figure that counts: the machine drifts, the ratio
much less. Prints a table and writes bench/results/report_build.json.

    .venv/bin/python bench/report_build.py [--repeat 5] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _render_alone(html: str) -> int:
    from feedback.reports.pdf import render_pdf

    return len(render_pdf(html))


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of (a), median taken")
    parser.add_argument("--rounds", type=int, default=2, help="runs of (b), best taken")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="report-bench-"))
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["DATABASE_URL"] = db_url

    import sqlalchemy as sa

    from feedback import create_app
    from feedback.demo import SPRING, load_demo
    from feedback.extensions import db
    from feedback.models import Participant, Round
    from feedback.reports import bulk
    from feedback.reports.builder import participant_report
    from feedback.reports.pdf import render_pdf
    from feedback.reports.pdf_report import pdf_html
    from feedback.reports.view import report_view

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()  # a throwaway database, like the tests' (the schema of the models)
        load_demo(echo=lambda _msg: None)
        rnd = db.session.scalar(sa.select(Round).where(Round.name == SPRING))
        round_id = rnd.id
        parts = list(
            db.session.scalars(
                sa.select(Participant)
                .where(Participant.round_id == round_id)
                .order_by(Participant.id)
            )
        )
        first = parts[0]

        # Warm up: imports, fonts, template compilation.
        render_pdf(pdf_html(report_view(participant_report(first), pdf=True)))

        # (a) one report: ours end to end vs WeasyPrint alone on the same HTML.
        ours_one, alone_one, html_only = [], [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            view = report_view(participant_report(first), pdf=True)
            html = pdf_html(view)
            mid = time.perf_counter()
            render_pdf(html)
            ours_one.append(time.perf_counter() - start)
            html_only.append(mid - start)
            start = time.perf_counter()
            render_pdf(html)
            alone_one.append(time.perf_counter() - start)

        # The HTML of every report, made once, for the WeasyPrint-alone baselines of (b).
        htmls = [pdf_html(report_view(participant_report(p), pdf=True)) for p in parts]
        db.session.rollback()

        def ours(jobs: int, run: int) -> float:
            start = time.perf_counter()
            bulk.build_round_pdfs(round_id, tmp / f"jobs{jobs}-{run}", jobs=jobs)
            return time.perf_counter() - start

        def alone(jobs: int) -> float:
            start = time.perf_counter()
            if jobs == 1:
                for html in htmls:
                    render_pdf(html)
            else:
                context = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(jobs, mp_context=context) as pool:
                    list(pool.map(_render_alone, htmls))
            return time.perf_counter() - start

        # (b) all reports: ours and the baseline alternate, twice; the best run of each
        # counts (the machine is shared: the minimum is the least disturbed run).
        times: dict[str, list[float]] = {"o1": [], "a1": [], "o2": [], "a2": []}
        for run in range(args.rounds):
            times["o1"].append(ours(1, run))
            times["a1"].append(alone(1))
            times["o2"].append(ours(2, run))
            times["a2"].append(alone(2))
    ours_j1, alone_j1 = min(times["o1"]), min(times["a1"])
    ours_j2, alone_j2 = min(times["o2"]), min(times["a2"])

    n = len(parts)
    rows = [
        ("one report", _median(ours_one), _median(alone_one)),
        (f"{n} reports, --jobs 1", ours_j1, alone_j1),
        (f"{n} reports, --jobs 2", ours_j2, alone_j2),
    ]
    print(f"{'case':<22}{'ours (s)':>10}{'WeasyPrint alone (s)':>22}{'ratio':>8}")
    for name, ours, alone in rows:
        print(f"{name:<22}{ours:>10.2f}{alone:>22.2f}{ours / alone:>8.2f}")
    print(f"data + HTML of one report: {_median(html_only) * 1000:.0f} ms (median)")
    print(f"throughput --jobs 2 vs --jobs 1: {ours_j1 / ours_j2:.2f}x")

    result = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "repeat": args.repeat,
        "reports": n,
        "one_report": {
            "ours_s": _median(ours_one),
            "weasyprint_alone_s": _median(alone_one),
            "ratio": _median(ours_one) / _median(alone_one),
            "data_and_html_s": _median(html_only),
            "runs_ours_s": ours_one,
            "runs_alone_s": alone_one,
        },
        "rounds": args.rounds,
        "runs_s": times,
        "all_reports_jobs1": {
            "ours_s": ours_j1,
            "weasyprint_alone_s": alone_j1,
            "ratio": ours_j1 / alone_j1,
        },
        "all_reports_jobs2": {
            "ours_s": ours_j2,
            "weasyprint_alone_s": alone_j2,
            "ratio": ours_j2 / alone_j2,
        },
        "speedup_jobs2_over_jobs1": ours_j1 / ours_j2,
    }
    out = ROOT / "bench" / "results" / "report_build.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
