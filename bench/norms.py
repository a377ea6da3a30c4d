"""Benchmark: organisation norms and one manager's report data from the summary kept at close.

    .venv/bin/python bench/norms.py [--smoke]

Builds a closed round in a temporary SQLite file (2,800 managers x 15 responses x 24
statements = 1,008,000 answers; bench/aggregation.py's organisation), sums it up the way
closing does (reports/summary.py, `summarise_round`), then measures, each against the raw
GROUP BY on the answers in the same run:

  norms         summary.norms (the round's stored norms)  vs  queries.round_norms
  report data   what build_report loads for one manager: the summary check, its tallies
                and legs, the norms, grades, comments, the previous-round lookup and that
                round's tallies (read here from this round's summary: the same query)
                vs  the same with queries.statement_tallies / leg_counts / round_norms
  close         summarise_round once (part of closing; no target)

Targets (issue 13): norms under 20 ms at 1,000,000 answers, report data under 3 ms; each
row's value is the median, "best" the fastest run (on a busy machine the median counts
the waits for a core).
`run(smoke)` returns the rows (bench/_rows.py) for bench/run_all.py; run alone it prints
them and writes bench/results/norms.rows.json. --smoke uses 60 managers and a few runs
(seconds).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _rows import Row, main  # noqa: E402
from aggregation import build_organisation  # noqa: E402

from feedback import create_app  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import Round  # noqa: E402
from feedback.reports import queries, summary  # noqa: E402

NORMS_TARGET_MS = 20.0
REPORT_DATA_TARGET_MS = 3.0


BEST: dict[int, float] = {}  # id of the timed function -> its fastest run (ms)


def _median_ms(fn, runs: int) -> float:
    """The median of `runs` runs; the fastest is kept in BEST (on a busy machine the median
    counts the time the process waited for a core, the fastest run hardly)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    BEST[id(fn)] = min(samples)
    return statistics.median(samples)


def _report_data(rnd: Round, participant_id: int, person_id: int, from_summary: bool):
    s = db.session
    summarised = from_summary and summary.has_summary(rnd, s)
    tallies = summary.manager_tallies(participant_id, rnd.framework_id, summarised, s)
    norms = (
        summary.stored_norms(rnd.id, s)
        if summarised
        else queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold, s)
    )
    grades = queries.grade_tallies(participant_id, s)
    comments = queries.comments_of(participant_id, s)
    keys = {f"leg{n}" for n in range(1, 7)}
    previous = queries.previous_round(person_id, rnd.id, rnd.closes_on, keys, s)
    before = summary.manager_tallies(participant_id, rnd.framework_id, summarised, s)
    return tallies, norms, grades, comments, previous, before


def _row(figure, value, baseline, target, unit="ms", **detail) -> Row:
    """An absolute target (under `target` ms), with the raw GROUP BY beside it as baseline."""
    ratio = value / baseline if baseline else None
    met = None if target is None else value < target
    return Row(
        figure, value, baseline, ratio, f"< {target:g} {unit}" if target else "-", unit, met, detail
    )


def run(smoke: bool, managers: int | None = None, responses: int = 15) -> list[Row]:
    managers = managers or (60 if smoke else 2800)
    runs, raw_runs = (5, 2) if smoke else (50, 1)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
        app.instance_path = tmp
        with app.app_context():
            db.create_all()
            org = build_organisation(managers, responses)
            rnd = db.session.get(Round, org["round_id"])
            start = time.perf_counter()
            summary.summarise_round(rnd.id)
            db.session.commit()
            close_ms = (time.perf_counter() - start) * 1000
            rnd = db.session.get(Round, org["round_id"])
            assert summary.norms(rnd) == queries.round_norms(rnd.id, rnd.framework_id, 3)

            def raw_norms():
                queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold)

            def read_norms():
                summary.norms(rnd)

            norms_ms = _median_ms(read_norms, runs)
            raw_ms = _median_ms(raw_norms, raw_runs)
            pid = org["participant_ids"][len(org["participant_ids"]) // 2]
            person_id = rnd.participants[0].person_id

            def report_data():
                _report_data(rnd, pid, person_id, True)

            data_ms = _median_ms(report_data, runs)
            raw_data_ms = _median_ms(lambda: _report_data(rnd, pid, person_id, False), raw_runs)
            db.session.remove()
    label = f"{org['answers']:,} answers"
    rows = [
        _row(
            f"norms from the summary ({label}; baseline: GROUP BY)",
            norms_ms,
            raw_ms,
            NORMS_TARGET_MS,
            best=round(BEST[id(read_norms)], 3),
        ),
        _row(
            "one manager's report data from the summary (baseline: GROUP BYs)",
            data_ms,
            raw_data_ms,
            REPORT_DATA_TARGET_MS,
            best=round(BEST[id(report_data)], 3),
        ),
        _row("summing up the round at close (once)", close_ms, None, None),
    ]
    return rows


if __name__ == "__main__":
    sys.exit(main(run, "norms"))
