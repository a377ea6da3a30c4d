"""Run every benchmark in this folder and print one table (`make bench`, `make bench-smoke`).

A benchmark is a bench/*.py script that follows bench/_rows.py: it defines
`run(smoke: bool) -> list[Row]` and writes its rows through `_rows.main`. Each runs in a
process of its own, one after another; then the rows of all of them make one table. Scripts
without `run(` are older one-off measurements: listed, not run (run them by hand).

    .venv/bin/python bench/run_all.py [--smoke] [NAME ...]
"""

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import _rows  # noqa: E402

FOLLOWS = re.compile(r"^def run\(smoke", re.MULTILINE)


def benchmarks() -> tuple[list[Path], list[Path]]:
    scripts = [p for p in sorted(HERE.glob("*.py")) if not p.name.startswith("_")]
    scripts = [p for p in scripts if p.name != Path(__file__).name]
    ours = [p for p in scripts if FOLLOWS.search(p.read_text())]
    scripts = [p for p in scripts if "__main__" in p.read_text()]  # not the helpers they load
    return ours, [p for p in scripts if p not in ours]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="each for a few seconds")
    parser.add_argument("names", nargs="*", help="only these benchmarks (file names, no .py)")
    args = parser.parse_args()
    ours, others = benchmarks()
    if args.names:
        ours = [p for p in ours if p.stem in args.names]
    failed, table = [], {}
    started = time.monotonic()
    for script in ours:
        print(f"\n=== {script.name}{' (smoke)' if args.smoke else ''} ===", flush=True)
        path = _rows.rows_path(script.stem)
        path.unlink(missing_ok=True)
        t0 = time.monotonic()
        cmd = [sys.executable, str(script), *(["--smoke"] if args.smoke else [])]
        code = subprocess.run(cmd, check=False).returncode
        print(f"--- {script.name}: exit {code} in {time.monotonic() - t0:.0f} s", flush=True)
        if code != 0 or not path.exists():
            failed.append(script.name)
            continue
        table[script.stem] = _rows.load(script.stem)
    print(f"\n=== all benchmarks ({time.monotonic() - started:.0f} s) ===")
    print(_rows.format_table(table))
    if others and not args.names:
        print(f"not run (no run(smoke) yet): {', '.join(p.name for p in others)}")
    misses = _rows.format_misses(table)
    if misses:
        print(misses)
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
