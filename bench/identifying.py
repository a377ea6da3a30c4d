"""Benchmark: the comment warning (feedback/identifying/), how well and how fast.

On the labelled set (tests/identifying/comments.json: 101 Dutch and English sales-team
comments, 51 with an identifying detail; 71 written together with the patterns, 30
written afterwards and held out), it scores

- the fallback alone (the organisation's names and the patterns), as on a laptop without
  deduce;
- deduce alone (its spans as it gives them, no filter), for comparison;
- the fallback with deduce, filtered as check.py does: what the survey runs when the
  checker answers,

each as precision and recall per comment (does the page warn where it should?) and per
span (are the right words marked?), for the whole set, each split and each language. And
it times one check: the fallback in process; deduce through the checker's socket; both
together, as an autosave pays for it (median, 95th percentile, maximum), for the set's
comments and for a 4,000-character one (its first check, and the next autosaves while the
rater types on: only the last sentence is checked again); plus building the names of
10,000 people, which each web process does on its first check.

deduce runs in a checker process this script starts (as the app does), on a socket in a
temporary folder, and stops afterwards; without deduce the table says so and scores the
fallback alone. Prints a table and writes bench/results/identifying.json.

    .venv/bin/python bench/identifying.py [--repeat 5] [--no-deduce] [--load-timeout 900]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feedback.identifying import check, deduce_checker, org_names  # noqa: E402
from feedback.identifying.kinds import Span, split_words  # noqa: E402
from tests.identifying import labelled  # noqa: E402

_EXISTING: Path | None = None  # --socket
BUDGET = 0.025  # IDENTIFYING_BUDGET_MS, the autosave's wait for deduce
SCORING_BUDGET = 2.0  # scoring waits for every answer: quality, not speed


def _percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(p95 * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
        "n": len(ordered),
    }


def _views(comments, checker) -> dict:
    views = {
        "all": comments,
        "tuning": [c for c in comments if c.split == "tuning"],
        "held-out": [c for c in comments if c.split == "held-out"],
        "nl": [c for c in comments if c.lang == "nl"],
        "en": [c for c in comments if c.lang == "en"],
    }
    return {name: labelled.score(part, checker).as_dict() for name, part in views.items()}


def _start_checker(folder: Path, timeout: float) -> tuple[subprocess.Popen | None, Path, float]:
    path = folder / "bench.sock"
    began = time.monotonic()
    if _EXISTING is not None:  # --socket: a checker already running (load not measured)
        if not deduce_checker.ping(_EXISTING):
            raise RuntimeError(f"no checker answers on {_EXISTING}")
        return None, _EXISTING, float("nan")
    process = subprocess.Popen(
        [sys.executable, "-m", "feedback.identifying.deduce_checker", "--socket", str(path)]
        + ["--idle", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while time.monotonic() - began < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the checker exited with {process.returncode}")
        if deduce_checker.ping(path):
            return process, path, time.monotonic() - began
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the checker did not answer within {timeout:.0f} s")


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _ten_thousand_people() -> list[tuple[int, str]]:
    rng = random.Random(11)
    first = split_words(
        "Jan Piet Sanne Anna Eva Mark Lotte Daan Sophie Lars Emma Noah Tess Finn Fatima"
    )
    last = ["de Vries", "Jansen", "van der Berg", "Bakker", "Visser", "Smit", "Meijer", "Kaya"]
    last += ["de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk"]
    return [(i, f"{rng.choice(first)} {rng.choice(last)}{i % 97 or ''}") for i in range(10000)]


def run(repeat: int, use_deduce: bool, load_timeout: float) -> dict:
    data, comments = labelled.load()
    org = labelled.organisation(data)
    long_text = " ".join(c.text for c in comments)[:4000]

    def fallback(comment) -> list[Span]:
        return check.spans(comment.text, comment.lang, org)

    report: dict = {
        "set": {
            "comments": len(comments),
            "identifying": sum(bool(c.gold) for c in comments),
            "labelled_spans": sum(len(c.gold) for c in comments),
        },
        "budget_ms": BUDGET * 1000,
        "fallback": _views(comments, fallback),
    }
    timings = {"fallback": [], "fallback_4000_chars": [], "fallback_4000_chars_typing": []}
    for _ in range(repeat):
        for comment in comments:
            check._kept.clear()  # each comment's first check, nothing kept
            _spans, seconds = check.timed(check.spans, comment.text, comment.lang, org)
            timings["fallback"].append(seconds)
        check._kept.clear()
        timings["fallback_4000_chars"].append(check.timed(check.spans, long_text, "nl", org)[1])
        for typed in ("En", "En nog", "En nog iets."):  # the next autosaves of that answer
            seconds = check.timed(check.spans, f"{long_text} {typed}", "nl", org)[1]
            timings["fallback_4000_chars_typing"].append(seconds)
    _org, seconds = check.timed(org_names.build, _ten_thousand_people(), [])
    report["names_10000_people_build_ms"] = round(seconds * 1000, 1)

    if use_deduce and not deduce_checker.deduce_installed():
        report["deduce"] = "not installed"
        use_deduce = False
    if use_deduce:
        with tempfile.TemporaryDirectory(prefix="bench-identifying-") as folder:
            process, path, load_seconds = _start_checker(Path(folder), load_timeout)
            try:
                pid = process.pid if process else None
                report["deduce_checker"] = {
                    "load_seconds": round(load_seconds, 1),
                    "rss_mb": _rss_mb(pid) if pid else None,
                }
                raw = {}
                for comment in comments:
                    raw[comment.text] = deduce_checker.ask(path, comment.text, SCORING_BUDGET)

                def deduce_alone(comment) -> list[Span]:
                    found = raw[comment.text] or []
                    return check.merge(Span(s, e, check.kind_of_tag(t)) for s, e, t in found)

                def with_deduce(comment) -> list[Span]:
                    return check.spans(comment.text, comment.lang, org, raw.get)

                def with_deduce_on_english(comment) -> list[Span]:
                    return check.spans(comment.text, comment.lang, org, raw.get, ("nl", "en"))

                report["deduce_alone"] = _views(comments, deduce_alone)
                report["with_deduce"] = _views(comments, with_deduce)
                report["with_deduce_on_english_too"] = _views(comments, with_deduce_on_english)
                timings.update(deduce_socket=[], with_deduce=[], with_deduce_4000_chars=[])
                late = 0
                for _ in range(repeat):
                    for comment in comments:
                        began = time.perf_counter()
                        answer = deduce_checker.ask(path, comment.text, BUDGET)
                        timings["deduce_socket"].append(time.perf_counter() - began)
                        late += answer is None

                        def ask(text):
                            return deduce_checker.ask_later(path, text, BUDGET)

                        check._kept.clear()
                        _s, seconds = check.timed(check.spans, comment.text, comment.lang, org, ask)
                        timings["with_deduce"].append(seconds)
                    check._kept.clear()
                    _s, seconds = check.timed(check.spans, long_text, "nl", org, ask)
                    timings["with_deduce_4000_chars"].append(seconds)
                report["deduce_checker"]["answers_over_budget"] = late
                report["deduce_checker"]["rss_mb_after"] = _rss_mb(pid) if pid else None
            finally:
                if process is not None:
                    process.terminate()
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:  # busy machine: no need to wait longer
                        process.kill()
                        process.wait()
    report["timings"] = {name: _percentiles(values) for name, values in timings.items() if values}
    report["machine"] = {"python": platform.python_version(), "load_average": _load()}
    return report


def _load() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def _table(report: dict) -> str:
    rows = [("checker", "view", "comment P", "comment R", "span P", "span R")]
    for name in ("fallback", "deduce_alone", "with_deduce", "with_deduce_on_english_too"):
        views = report.get(name)
        if not isinstance(views, dict):
            continue
        for view, s in views.items():
            rows.append(
                (
                    name,
                    view,
                    f"{s['comment_precision']:.2f}",
                    f"{s['comment_recall']:.2f}",
                    f"{s['span_precision']:.2f}",
                    f"{s['span_recall']:.2f}",
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.append("")
    lines.append(f"{'time per check':28} {'median ms':>10} {'p95 ms':>10} {'max ms':>10}")
    for name, t in report["timings"].items():
        lines.append(f"{name:28} {t['median_ms']:>10} {t['p95_ms']:>10} {t['max_ms']:>10}")
    lines.append(f"names of 10,000 people built in {report['names_10000_people_build_ms']} ms")
    if "deduce_checker" in report:
        d = report["deduce_checker"]
        lines.append(
            f"deduce checker: loaded in {d['load_seconds']} s, {d['rss_mb']} MB RSS; "
            f"{d['answers_over_budget']} answers over the {report['budget_ms']:.0f} ms budget"
        )
    elif "deduce" in report:
        lines.append(f"deduce: {report['deduce']} (fallback only)")
    lines.append(f"load average during the run: {report['machine']['load_average']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-deduce", action="store_true", help="score the fallback alone")
    parser.add_argument("--load-timeout", type=float, default=900.0)
    parser.add_argument("--socket", type=Path, help="use a checker already running there")
    args = parser.parse_args()
    global _EXISTING  # noqa: PLW0603  (a command-line choice)
    _EXISTING = args.socket
    report = run(args.repeat, not args.no_deduce, args.load_timeout)
    print(_table(report))
    out = ROOT / "bench" / "results" / "identifying.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
