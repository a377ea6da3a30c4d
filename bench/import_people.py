"""Benchmark: importing 10,000 people (300 managers with teams) on SQLite.

Times parsing + validation (pure), the full import through the service (validate again,
bulk insert, bulk manager links, one transaction) and a re-import that updates everyone,
and compares them with a baseline measured in the same run: a plain sqlite3 executemany
INSERT of the same rows. Prints a table and writes bench/results/import_people.json.

    .venv/bin/python bench/import_people.py [--people 10000] [--managers 300] [--repeat 3]
"""

import argparse
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_csv(people: int, managers: int, suffix: str = "") -> bytes:
    lines = ["naam;e-mail;taal;manager;team;rol", "Directeur;director@example.com;nl;;;director"]
    for m in range(managers):
        lines.append(
            f"Manager {m}{suffix};manager{m}@example.com;{'en' if m % 4 == 0 else 'nl'};"
            f"director@example.com;Team {m % 40};manager"
        )
    for r in range(people - managers - 1):
        m = r % managers
        lines.append(
            f"Rep {r}{suffix};rep{r}@example.com;nl;manager{m}@example.com;Team {m % 40};rep"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def baseline(rows, directory: Path) -> float:
    """Plain executemany INSERT through sqlite3 into the same table shape, same pragmas."""
    path = directory / "baseline.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE person (id INTEGER PRIMARY KEY, name VARCHAR(200), email VARCHAR(254) "
        "UNIQUE, language VARCHAR(2), manager_id INTEGER, team VARCHAR(120), role VARCHAR(40), "
        "active BOOLEAN)"
    )
    conn.execute("CREATE INDEX ix_person_manager_id ON person (manager_id)")
    params = [(r.name, r.email.lower(), r.language, r.team, r.role, 1) for r in rows]
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO person (name, email, language, team, role, active) VALUES (?,?,?,?,?,?)",
        params,
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def run(people: int, managers: int, repeat: int) -> dict:
    import sqlalchemy as sa

    from feedback import create_app
    from feedback.extensions import db
    from feedback.models import Person
    from feedback.people import services
    from feedback.people.importing import normalise_email, parse_file, validate

    data = make_csv(people, managers)
    data_update = make_csv(people, managers, suffix=" (2)")
    results: dict[str, list[float]] = {
        "parse": [],
        "parse_validate": [],
        "import_new": [],
        "import_update": [],
        "baseline_insert": [],
    }
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            seconds, rows = timed(lambda: parse_file("people.csv", data))
            results["parse"].append(seconds)
            normalise_email.cache_clear()  # measure cold: no addresses checked before
            seconds, _ = timed(lambda: validate(parse_file("people.csv", data), {}))
            results["parse_validate"].append(seconds)

            app = create_app(
                {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.db'}", "TESTING": True}
            )
            with app.app_context():
                db.create_all()
                normalise_email.cache_clear()
                seconds, outcome = timed(partial(services.apply_import, rows))
                assert outcome.created == people, outcome
                results["import_new"].append(seconds)
                rows2 = parse_file("people.csv", data_update)
                normalise_email.cache_clear()
                seconds, outcome = timed(partial(services.apply_import, rows2))
                assert outcome.updated == people - 1 and outcome.created == 0, outcome
                results["import_update"].append(seconds)
                linked = db.session.scalar(
                    sa.select(sa.func.count()).where(Person.manager_id.is_not(None))
                )
                assert linked == people - 1
                db.session.remove()
                db.engine.dispose()
            results["baseline_insert"].append(baseline(rows, directory))

    medians = {name: statistics.median(values) for name, values in results.items()}
    base = medians["baseline_insert"]
    return {
        "people": people,
        "managers": managers,
        "repeat": repeat,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "median_seconds": {k: round(v, 4) for k, v in medians.items()},
        "all_seconds": {k: [round(x, 4) for x in v] for k, v in results.items()},
        "ratio_to_baseline": {
            k: round(v / base, 1) for k, v in medians.items() if k != "baseline_insert"
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--managers", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    report = run(args.people, args.managers, args.repeat)

    labels = {
        "parse": "parse CSV",
        "parse_validate": "parse + validate",
        "import_new": "import (all new, incl. validate)",
        "import_update": "re-import (all updated)",
        "baseline_insert": "baseline: sqlite3 executemany",
    }
    print(f"{report['people']} people, {report['managers']} managers, median of {args.repeat}")
    print(f"{'step':<36}{'seconds':>10}{'x baseline':>12}")
    for key, label in labels.items():
        seconds = report["median_seconds"][key]
        ratio = report["ratio_to_baseline"].get(key, 1.0)
        print(f"{label:<36}{seconds:>10.3f}{ratio:>12.1f}")
    out = ROOT / "bench" / "results" / "import_people.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
