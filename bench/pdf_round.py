"""Benchmark: a round's PDFs in two processes against one, with memory and progress.

    .venv/bin/python bench/pdf_round.py [--smoke]

Builds a closed round (bench/aggregation.py's organisation, summed up as at close) in a
temporary SQLite file, then renders its PDFs with `bulk.build_round_pdfs`:

  speed-up     reports/s with jobs=2 over all 300  vs  reports/s with jobs=1
               over the first 40 of them (one process);
               target: at least 1.8x
  memory       the highest peak RSS of any PDF process over the round (each is replaced
               after PDF_TASKS_PER_PROCESS reports); target: under 250 MB
  progress     on_done calls (what moves the job's progress bar) per report; target: 1

`run(smoke)` returns the rows (bench/_rows.py) for bench/run_all.py; run alone it prints
them and writes bench/results/pdf_round.rows.json. --smoke renders 6 reports (seconds).
The speed-up needs an idle machine: two cores shared with other work give any ratio.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _rows import Row, limit_row, main  # noqa: E402
from aggregation import build_organisation  # noqa: E402

from feedback import create_app  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.reports import bulk, summary  # noqa: E402

SPEEDUP_TARGET = 1.8
RSS_TARGET_MB = 250.0


def _build(round_id: int, out: Path, jobs: int, limit: int | None) -> tuple[float, list, int]:
    """Seconds, built reports and progress calls for the round's first `limit` reports."""
    updates = 0

    def progress(_built) -> None:
        nonlocal updates
        updates += 1

    start = time.perf_counter()
    built = bulk.build_round_pdfs(round_id, out, jobs=jobs, on_done=progress, limit=limit)
    return time.perf_counter() - start, built, updates


def run(smoke: bool, reports: int | None = None, baseline_reports: int | None = None) -> list[Row]:
    reports = reports or (6 if smoke else 300)
    baseline_reports = min(reports, baseline_reports or (6 if smoke else 40))
    os.environ.setdefault("SECRET_KEY", "bench-only")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                "TESTING": True,
                "PDF_TASKS_PER_PROCESS": 3 if smoke else 50,
            }
        )
        app.instance_path = tmp
        with app.app_context():
            db.create_all()
            org = build_organisation(reports, 12)
            summary.summarise_round(org["round_id"])
            db.session.commit()
            rid = org["round_id"]
            _build(rid, Path(tmp) / "warm", 1, 1)  # imports, fonts, templates
            one_s, _built, _n = _build(rid, Path(tmp) / "one", 1, baseline_reports)
            two_s, built, updates = _build(rid, Path(tmp) / "two", 2, None)
            db.session.remove()
    one_rate, two_rate = baseline_reports / one_s, reports / two_s
    speedup = two_rate / one_rate
    peak_mb = max(b.peak_rss_kb for b in built) / 1024
    children = len({b.worker_pid for b in built})
    return [
        Row(
            f"PDFs, 2 processes vs 1 ({reports} vs {baseline_reports} reports)",
            two_rate,
            one_rate,
            speedup,
            f">= {SPEEDUP_TARGET:g}x",
            "rep/s",
            speedup >= SPEEDUP_TARGET,
        ),
        limit_row(
            f"peak RSS of a PDF process ({children} processes)", peak_mb, RSS_TARGET_MB, "MB"
        ),
        Row(
            "progress updates per report",
            updates,
            len(built),
            updates / len(built),
            "= 1x",
            "calls",
            updates == len(built) == reports,
        ),
    ]


if __name__ == "__main__":
    sys.exit(main(run, "pdf_round"))
