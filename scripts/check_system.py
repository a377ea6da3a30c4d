"""Check the system libraries and programs `make run` / `make test` rely on.

Prints exactly which Debian packages to install when something is missing and exits 1.
Runs with the system Python before the virtualenv exists, so it imports nothing outside
the standard library.
"""

import ctypes.util
import shutil
import sys

RUN = [
    ("library", "pango-1.0", "libpango-1.0-0", "WeasyPrint draws the PDF reports with Pango"),
    ("library", "pangoft2-1.0", "libpangoft2-1.0-0", "WeasyPrint needs Pango's FreeType backend"),
    ("library", "harfbuzz-subset", "libharfbuzz-subset0", "fast font subsetting in PDFs"),
]
TEST = [
    ("program", "pdftotext", "poppler-utils", "the tests read the generated PDFs"),
    ("program", "pdftoppm", "poppler-utils", "the tests render PDF pages"),
    ("program", "chromium", "chromium", "the browser tests drive Debian's Chromium"),
]


def missing(checks):
    for kind, name, package, why in checks:
        found = ctypes.util.find_library(name) if kind == "library" else shutil.which(name)
        if not found:
            yield name, package, why


def main(mode: str) -> int:
    checks = RUN + (TEST if mode == "test" else [])
    gaps = list(missing(checks))
    if sys.version_info < (3, 11):  # noqa: UP036  (runs with the system Python)
        print(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
        return 1
    if not gaps:
        return 0
    print("Missing system packages:")
    for name, package, why in gaps:
        print(f"  - {name} ({why}): Debian package {package}")
    packages = " ".join(sorted({package for _, package, _ in gaps}))
    print(f"\nInstall them with:\n  sudo apt-get update && sudo apt-get install -y {packages}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "run"))
