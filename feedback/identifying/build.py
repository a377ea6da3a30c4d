"""Install step (`make run`, `make test`): build deduce's lookup structures once, now.

    python -m feedback.identifying.build [--force]

deduce builds its lookup structures (about 90 s and 1.2 GB) the first time it is loaded
and keeps them on disk, next to its own files. Doing it here means the checker process
(feedback/identifying/deduce_checker.py) never makes a rater wait for it. When deduce is
not installed, or building fails, this says so and exits 0: the organisation's names and
the patterns still check every comment, so a laptop set-up works without it.

A stamp next to deduce's cache records the deduce version it was built for; with the stamp
and the cache in place this returns at once, without loading deduce.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import logging
import sys
import time
from pathlib import Path

from feedback.identifying.deduce_checker import deduce_installed

STAMP = "feedback-build.json"


def _cache_dir() -> Path | None:
    """deduce's cache folder (inside the installed package), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("deduce")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "data" / "lookup" / "cache"


def _version() -> str:
    return importlib.metadata.version("deduce")


def is_built() -> bool:
    """deduce's lookup structures are cached for the installed version (by our stamp)."""
    folder = _cache_dir()
    if folder is None:
        return False
    stamp, cache = folder / STAMP, folder / "lookup_structs.pickle"
    try:
        return cache.is_file() and json.loads(stamp.read_text())["deduce"] == _version()
    except (OSError, ValueError, KeyError):
        return False


def build(force: bool = False) -> bool:
    """Load deduce once (building and caching its lookup structures); write the stamp.
    True when deduce is ready to use."""
    if not force and is_built():
        print(f"deduce {_version()}: lookup structures ready (built before)")
        return True
    began = time.monotonic()
    import deduce  # noqa: PLC0415  (this process exits right after)

    logging.getLogger().setLevel(logging.WARNING)  # deduce turns DEBUG on when imported
    model = deduce.Deduce(build_lookup_structs=force)
    model.deidentify("Jan de Vries belde op 3 april.")  # it works, not just loads
    folder = _cache_dir()
    if folder is not None and folder.is_dir():
        (folder / STAMP).write_text(json.dumps({"deduce": _version()}))
    print(f"deduce {_version()}: lookup structures ready ({time.monotonic() - began:.0f} s)")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build deduce's lookup structures.")
    parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    args = parser.parse_args(argv)
    if not deduce_installed():
        print(
            "warning: deduce is not installed (pip install -e '.[deduce]'): comments are "
            "checked with the organisation's names and patterns only",
            file=sys.stderr,
        )
        return 0
    try:
        build(force=args.force)
    except Exception as error:  # noqa: BLE001  (a warning, never a stop: the fallback works)
        print(
            f"warning: deduce could not build its lookup structures ({error!r}): comments "
            "are checked with the organisation's names and patterns only",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
