"""Check the system libraries and programs `make run` / `make test` rely on.

Something the app or the tests cannot work without stops `make` (exit 1) with the Debian
packages to install. Something that only makes them slower (an optimisation) is a warning:
what is missing, what it costs, the package; `make` carries on. Runs with the system Python
before the virtualenv exists, so it imports nothing outside the standard library.
"""

import ctypes.util
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    kind: str  # "library" (ctypes.util.find_library) or "program" (on PATH)
    name: str
    package: str  # the Debian package that provides it
    why: str  # what it is for; for an optional one, what missing it costs
    required: bool = True


RUN = [
    Check("library", "pango-1.0", "libpango-1.0-0", "WeasyPrint draws the PDF reports with Pango"),
    Check(
        "library", "pangoft2-1.0", "libpangoft2-1.0-0", "WeasyPrint needs Pango's FreeType backend"
    ),
    Check(
        "library",
        "harfbuzz-subset",
        "libharfbuzz-subset0",
        "fast font subsetting: without it WeasyPrint subsets fonts with fontTools and "
        "writes PDFs about 35 % slower",
        required=False,
    ),
]
TEST = [
    Check("program", "pdftotext", "poppler-utils", "the tests read the generated PDFs"),
    Check("program", "pdftoppm", "poppler-utils", "the tests render PDF pages"),
    Check("program", "chromium", "chromium", "the browser tests drive Debian's Chromium"),
]


def _found(check: Check) -> bool:
    if check.kind == "library":
        return ctypes.util.find_library(check.name) is not None
    return shutil.which(check.name) is not None


def missing(checks: Iterable[Check], found: Callable[[Check], bool] = _found) -> list[Check]:
    return [check for check in checks if not found(check)]


def report(gaps: list[Check]) -> tuple[int, list[str]]:
    """The exit status and the lines to print for what is missing: 1 (and what to install)
    when a required piece is missing; 0 with a warning when only optional ones are."""
    required = [gap for gap in gaps if gap.required]
    optional = [gap for gap in gaps if not gap.required]
    lines: list[str] = []
    if required:
        lines.append("Missing system packages (needed):")
        lines += [f"  - {gap.name} ({gap.why}): Debian package {gap.package}" for gap in required]
    if optional:
        lines.append(
            "Warning: optional system packages are missing; everything works without them:"
        )
        lines += [f"  - {gap.name} ({gap.why}): Debian package {gap.package}" for gap in optional]
    if gaps:
        packages = " ".join(sorted({gap.package for gap in gaps}))
        lines.append("Install them with:")
        lines.append(f"  sudo apt-get update && sudo apt-get install -y {packages}")
    if optional and not required:
        lines.append("Carrying on without them.")
    return (1 if required else 0), lines


def main(mode: str, found: Callable[[Check], bool] = _found) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036  (runs with the system Python)
        print(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
        return 1
    checks = RUN + (TEST if mode == "test" else [])
    status, lines = report(missing(checks, found))
    if lines:
        print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "run"))
