"""Benchmark: the report's aggregation on an organisation of 2,000 managers.

    .venv/bin/python bench/aggregation.py [--managers 2000] [--responses 15]

Builds a SQLite file in a temporary directory (2,000 managers x 15 responses x 24
statements = 720,000 answers, written with executemany), then measures, each against a
baseline taken in the same run on the same file:

  (a) one manager's per-statement stats through queries.statement_tallies
      vs the same GROUP BY through the raw sqlite3 module;
  (b) the organisation norms of the round (queries.round_norms)
      vs the same two queries through raw sqlite3, and a bare SELECT count(*) FROM answer;
  (c) build_report for one manager (norms computed once per round and passed in, as bulk
      PDF builds do; and with the norms computed inside)
      vs the three per-manager GROUP BYs through raw sqlite3.

Prints a table and writes bench/results/aggregation.json. Timings are medians of several
runs; the machine drifts, so compare ratios to the baseline rather than absolute times.
"""

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feedback import create_app  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import (  # noqa: E402
    Framework,
    Leg,
    OpenQuestion,
    Participant,
    Person,
    Round,
    Statement,
)
from feedback.reports import builder, queries  # noqa: E402

LEGS = 6
STATEMENTS_PER_LEG = 4
RESULTS = ROOT / "bench" / "results" / "aggregation.json"


def build_organisation(managers: int, responses: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    framework = Framework(key="bench", version="1", name_nl="Bench", name_en="Bench")
    for leg_no in range(1, LEGS + 1):
        leg = Leg(
            key=f"leg{leg_no}",
            position=leg_no,
            name_nl=f"Poot {leg_no}",
            name_en=f"Leg {leg_no}",
            actions_nl=["Actie"],
            actions_en=["Action"],
        )
        for st_no in range(1, STATEMENTS_PER_LEG + 1):
            leg.statements.append(
                Statement(
                    key=f"leg{leg_no}-{st_no}",
                    position=st_no,
                    text_nl=f"Stelling {leg_no}.{st_no}",
                    text_en=f"Statement {leg_no}.{st_no}",
                )
            )
        framework.legs.append(leg)
    for position, key in enumerate(("start", "stop", "continue"), start=1):
        framework.open_questions.append(
            OpenQuestion(key=key, position=position, text_nl=key, text_en=key)
        )
    rnd = Round(
        name="Bench round",
        opens_on=date(2025, 1, 1),
        closes_on=date(2025, 2, 1),
        threshold=3,
        status="closed",
        framework=framework,
    )
    db.session.add(rnd)
    db.session.commit()
    statement_ids = [st.id for leg in framework.legs for st in leg.statements]

    conn = db.session.connection()
    conn.execute(
        sa.insert(Person.__table__),
        [
            {
                "name": f"Manager {m}",
                "email": f"m{m}@bench.test",
                "language": "nl",
                "role": "manager",
            }
            for m in range(managers)
        ],
    )
    person_ids = conn.execute(sa.select(Person.id).order_by(Person.id)).scalars().all()
    conn.execute(
        sa.insert(Participant.__table__),
        [{"round_id": rnd.id, "person_id": pid} for pid in person_ids],
    )
    participant_ids = (
        conn.execute(sa.select(Participant.id).where(Participant.round_id == rnd.id))
        .scalars()
        .all()
    )

    response_rows, answer_rows, comment_rows = [], [], []
    for index, pid in enumerate(participant_ids):
        # Mostly 9 direct reports and 4 peers; every fifth manager has only 2 peers.
        peers = 2 if index % 5 == 0 else 4
        groups = ["self", "supervisor"] + ["peer"] * peers
        groups += ["direct_report"] * (responses - len(groups))
        level = rng.uniform(2.5, 4.5)
        for group in groups:
            rid = str(uuid.uuid4())
            response_rows.append((rid, rnd.id, pid, group, rng.randint(5, 9)))
            for sid in statement_ids:
                if rng.random() < 0.05:
                    score = None
                else:
                    score = min(5, max(1, round(rng.gauss(level, 0.9))))
                answer_rows.append((rid, sid, score))
            if rng.random() < 0.3:
                comment_rows.append((str(uuid.uuid4()), rid, "start", "Meer coachen."))
    response_rows.sort()
    answer_rows.sort(key=lambda row: (row[0], row[1]))
    comment_rows.sort()
    conn.exec_driver_sql(
        'INSERT INTO response (id, round_id, participant_id, "group", grade) VALUES (?,?,?,?,?)',
        response_rows,
    )
    conn.exec_driver_sql(
        "INSERT INTO answer (response_id, statement_id, score) VALUES (?,?,?)", answer_rows
    )
    conn.exec_driver_sql(
        "INSERT INTO comment (id, response_id, question_key, text) VALUES (?,?,?,?)",
        comment_rows,
    )
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    db.session.commit()
    return {
        "round_id": rnd.id,
        "framework_id": framework.id,
        "participant_ids": participant_ids,
        "answers": len(answer_rows),
        "responses": len(response_rows),
    }


def timed(fn, runs: int) -> dict:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "runs": runs,
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 3),
    }


def sql_text(query: sa.Select) -> str:
    return str(
        query.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--managers", type=int, default=2000)
    parser.add_argument("--responses", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
        app.instance_path = tmp
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            org = build_organisation(args.managers, args.responses)
            build_seconds = time.perf_counter() - start
            rid, fid, pids = org["round_id"], org["framework_id"], org["participant_ids"]
            raw = sqlite3.connect(path)
            pick = random.Random(1)
            sample = [pick.choice(pids) for _ in range(400)]

            def raw_run(sql: str) -> None:
                raw.execute(sql).fetchall()

            stmt_sql = [sql_text(queries.statement_tallies_query(pid, fid)) for pid in sample]
            per_manager_sql = [
                (
                    sql_text(queries.statement_tallies_query(pid, fid)),
                    sql_text(queries.leg_counts_query(pid, fid)),
                    f'SELECT "group", count(*), count(grade), sum(grade), sum(grade*grade) '
                    f'FROM response WHERE participant_id = {pid} GROUP BY "group"',
                )
                for pid in sample
            ]
            norm_sql = (
                sql_text(queries.statement_norms_query(rid, fid, 3)),
                sql_text(queries.leg_norms_query(rid, fid, 3)),
            )
            norms = queries.round_norms(rid, fid, 3)

            def report(i: int, with_norms: bool) -> None:
                db.session.remove()
                builder.build_report(
                    rid, sample[i % len(sample)], "nl", norms=norms if with_norms else None
                )

            rows = [
                (
                    "a",
                    "one manager: per-statement stats (Core)",
                    timed(lambda i: queries.statement_tallies(sample[i % len(sample)], fid), 400),
                    "same GROUP BY, raw sqlite3",
                    timed(lambda i: raw_run(stmt_sql[i % len(stmt_sql)]), 400),
                ),
                (
                    "b",
                    "organisation norms (statements + legs)",
                    timed(lambda i: queries.round_norms(rid, fid, 3), 5),
                    "same two queries, raw sqlite3",
                    timed(lambda i: [raw_run(q) for q in norm_sql], 5),
                ),
                (
                    "b0",
                    "organisation norms (statements + legs)",
                    timed(lambda i: queries.round_norms(rid, fid, 3), 5),
                    "SELECT count(*) FROM answer",
                    timed(lambda i: raw_run("SELECT count(*) FROM answer"), 5),
                ),
                (
                    "c",
                    "build_report, norms passed in",
                    timed(lambda i: report(i, True), 60),
                    "3 per-manager GROUP BYs, raw sqlite3",
                    timed(lambda i: [raw_run(q) for q in per_manager_sql[i % len(sample)]], 60),
                ),
                (
                    "c2",
                    "build_report, norms computed inside",
                    timed(lambda i: report(i, False), 5),
                    "3 per-manager GROUP BYs + norms, raw",
                    timed(
                        lambda i: [
                            raw_run(q) for q in (*per_manager_sql[i % len(sample)], *norm_sql)
                        ],
                        5,
                    ),
                ),
            ]
            raw.close()
            db.session.remove()
            db.engine.dispose()

    print(
        f"\n{org['answers']:,} answers, {org['responses']:,} responses, "
        f"{args.managers:,} managers; data built in {build_seconds:.1f} s\n"
    )
    header = (
        f"{'':3} {'measured':42} {'median ms':>10} {'p95 ms':>9}   "
        f"{'baseline':38} {'median ms':>10} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    results = []
    for key, name, result, base_name, base in rows:
        ratio = result["median_ms"] / base["median_ms"] if base["median_ms"] else None
        print(
            f"{key:3} {name:42} {result['median_ms']:10.3f} {result['p95_ms']:9.3f}   "
            f"{base_name:38} {base['median_ms']:10.3f} {ratio:7.1f}"
        )
        results.append(
            {
                "key": key,
                "measured": name,
                **result,
                "baseline": base_name,
                "baseline_median_ms": base["median_ms"],
                "baseline_p95_ms": base["p95_ms"],
                "ratio": round(ratio, 2) if ratio else None,
            }
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "managers": args.managers,
                "responses_per_manager": args.responses,
                "statements": LEGS * STATEMENTS_PER_LEG,
                "answers": org["answers"],
                "build_seconds": round(build_seconds, 1),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
