"""The benchmarks' one convention, shared by every script in bench/.

A benchmark is a script bench/NAME.py (no leading underscore) that defines

    def run(smoke: bool) -> list[Row]

and ends with `if __name__ == "__main__": sys.exit(main(run, "NAME"))`. run() measures,
each figure against a baseline taken in the same run, and returns the rows of the table;
smoke=True runs for a few seconds only (`make bench-smoke`, part of `make test`: it checks
that the benchmark runs and gives its rows, never the numbers). Whatever else it wants to
keep goes in the rows' `detail` or in its own JSON file under bench/results/.

main() runs it alone (`.venv/bin/python bench/NAME.py [--smoke]`), prints its rows and
writes them to bench/results/NAME.rows.json; bench/run_all.py runs every benchmark that way
and prints one table from those files. A run that raises, or returns no rows, fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    """One figure of the table.

    figure: what is measured ("server CPU per rater visit, SQLite");
    value, baseline: the measurement and its baseline in the same run, in `unit`
      (baseline None when the figure is absolute, e.g. a p99 or a size);
    ratio: value / baseline (None without a baseline);
    target: the goal as text ("<= 1.5x", "< 25 ms");
    met: whether this run met it (None: no target);
    why: for a target not met, the measured reason and what would close it.
    """

    figure: str
    value: float
    baseline: float | None
    ratio: float | None
    target: str
    unit: str
    met: bool | None
    detail: dict = field(default_factory=dict)
    why: str = ""


def ratio_row(figure: str, value: float, baseline: float, limit: float, unit: str, **detail) -> Row:
    """A figure that must stay at most `limit` times its baseline."""
    ratio = value / baseline if baseline else None
    met = ratio is not None and ratio <= limit
    return Row(figure, value, baseline, ratio, f"<= {limit:g}x", unit, met, detail)


def limit_row(figure: str, value: float, limit: float, unit: str, **detail) -> Row:
    """An absolute figure that must stay under `limit`."""
    return Row(figure, value, None, None, f"< {limit:g} {unit}", unit, value < limit, detail)


def rows_path(name: str) -> Path:
    return RESULTS / f"{name}.rows.json"


def save(name: str, rows: list[Row], smoke: bool) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = rows_path(name)
    data = {"benchmark": name, "smoke": smoke, "rows": [asdict(r) for r in rows]}
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def load(name: str) -> list[Row]:
    data = json.loads(rows_path(name).read_text())
    return [Row(**r) for r in data["rows"]]


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_table(rows_by_bench: dict[str, list[Row]]) -> str:
    header = (
        f"{'benchmark':<14}{'figure':<50}{'value':>10}{'baseline':>10}{'ratio':>7}"
        f"{'target':>11}  {'unit':<6}{'met':>4}"
    )
    lines = [header, "-" * len(header)]
    for bench, rows in rows_by_bench.items():
        for r in rows:
            met = {True: "yes", False: "NO", None: "-"}[r.met]
            ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
            lines.append(
                f"{bench:<14}{r.figure[:49]:<50}{_num(r.value):>10}{_num(r.baseline):>10}"
                f"{ratio:>7}{r.target:>11}  {r.unit:<6}{met:>4}"
            )
    return "\n".join(lines)


def format_misses(rows_by_bench: dict[str, list[Row]]) -> str:
    """Each target this run did not meet, with its reason when the benchmark gave one."""
    lines = []
    for bench, rows in rows_by_bench.items():
        for r in rows:
            if r.met is False:
                lines.append(f"not met: {bench}, {r.figure}")
                if r.why:
                    lines.append(
                        textwrap.fill(r.why, 98, initial_indent="  ", subsequent_indent="  ")
                    )
    return "\n".join(lines)


def main(run: Callable[[bool], list[Row]], name: str) -> int:
    parser = argparse.ArgumentParser(description=f"bench/{name}.py")
    parser.add_argument("--smoke", action="store_true", help="a few seconds: does it run?")
    args = parser.parse_args()
    rows = run(args.smoke)
    if not rows:
        print(f"{name}: no rows", file=sys.stderr)
        return 1
    save(name, rows, args.smoke)
    print()
    print(format_table({name: rows}))
    misses = format_misses({name: rows})
    if misses:
        print(misses)
    return 0
