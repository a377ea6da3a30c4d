"""Benchmark: closing a round of 300 managers x 8 raters (2,400 sealed envelopes) on SQLite.

Times `close_round` (open every envelope, write the responses in shuffled order, erase
participation, rewrite the invitation side, checkpoint and truncate the WAL) and sealing
the same envelopes, against a baseline measured in the same run: a plain SQLAlchemy Core
executemany (Core) of the same response, answer and comment rows into the same database. Prints a
table and writes bench/results/close_round.json.

    .venv/bin/python bench/close_round.py [--managers 300] [--raters 8]
"""

import argparse
import json
import platform
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--managers", type=int, default=300)
    parser.add_argument("--raters", type=int, default=8)
    args = parser.parse_args()

    import sqlalchemy as sa

    from feedback import create_app, envelopes, sealing
    from feedback.admin import closing
    from feedback.admin.transitions import close_round
    from feedback.config import TestConfig
    from feedback.extensions import db
    from feedback.frameworks import copy_framework, load_framework
    from feedback.models import (
        Answer,
        Comment,
        Invitation,
        Participant,
        Person,
        Response,
        Round,
        RoundStatus,
        SealedResponse,
    )

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:

        class Bench(TestConfig):
            TESTING = False
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.db"

        app = create_app(Bench)
        with app.app_context():
            db.create_all()
            template = load_framework()
            from datetime import date

            rnd = Round(
                name="Bench",
                opens_on=date(2026, 1, 1),
                closes_on=date(2099, 1, 1),
                status=RoundStatus.OPEN,
                framework=copy_framework(template),
                answers_started=True,
            )
            db.session.add(rnd)
            db.session.flush()
            statements = [s.id for s in rnd.framework.statements]
            answers_per_rater = []
            for m in range(args.managers):
                manager = Person(name=f"Manager {m}", email=f"m{m}@example.com", role="manager")
                participant = Participant(round=rnd, person=manager)
                db.session.add(participant)
                db.session.flush()
                for r in range(args.raters):
                    db.session.add(
                        Invitation(
                            round_id=rnd.id,
                            participant=participant,
                            group="direct_report",
                            email=f"r{m}-{r}@example.com",
                            submitted=True,
                        )
                    )
                    answers_per_rater.append(
                        envelopes.SealedAnswers(
                            participant_id=participant.id,
                            group="direct_report",
                            grade=rng.randint(5, 9),
                            scores={s: rng.randint(1, 5) for s in statements},
                            comments={"start": "Meer samen op pad " * rng.randint(1, 8)},
                        )
                    )
            db.session.commit()

            start = time.perf_counter()
            rows = [
                {
                    "id": str(uuid.uuid4()),
                    "round_id": rnd.id,
                    "sealed": envelopes.seal_answers(rnd.id, a, sealing.seal),
                }
                for a in answers_per_rater
            ]
            seal_s = time.perf_counter() - start
            db.session.execute(sa.insert(SealedResponse), rows)
            db.session.commit()

            # Baseline: the same rows, inserted plainly, in a second round's worth of tables.
            responses, answers, comments = envelopes.shuffled_rows(
                answers_per_rater, rnd.id, lambda: str(uuid.uuid4()), rng.shuffle
            )
            start = time.perf_counter()
            db.session.execute(sa.insert(Response.__table__), responses)
            db.session.execute(sa.insert(Answer.__table__), answers)
            db.session.execute(sa.insert(Comment.__table__), comments)
            db.session.commit()
            baseline_s = time.perf_counter() - start
            db.session.execute(sa.delete(Answer))
            db.session.execute(sa.delete(Comment))
            db.session.execute(sa.delete(Response))
            db.session.commit()

            start = time.perf_counter()
            close_round(rnd.id)
            close_s = time.perf_counter() - start
            start = time.perf_counter()
            closing.clean_after_close(rnd.id)
            clean_s = time.perf_counter() - start
            count = db.session.scalar(sa.select(sa.func.count()).select_from(Response))
            assert count == len(answers_per_rater), count

    envelopes_n = len(answers_per_rater)
    table = [
        ("baseline: insert the rows plainly", baseline_s, 1.0),
        ("close_round (open, write, erase, clean)", close_s, close_s / baseline_s),
        ("  of which clean_after_close again", clean_s, clean_s / baseline_s),
        (f"sealing {envelopes_n} envelopes (submit side)", seal_s, seal_s / baseline_s),
    ]
    print(f"{envelopes_n} envelopes, {len(statements)} statements each, SQLite")
    print(f"{'step':48} {'seconds':>9} {'x baseline':>11}")
    for name, seconds, ratio in table:
        print(f"{name:48} {seconds:9.3f} {ratio:11.2f}")
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "close_round.json").write_text(
        json.dumps(
            {
                "envelopes": envelopes_n,
                "python": platform.python_version(),
                "rows": [{"step": n, "seconds": s, "ratio": r} for n, s, r in table],
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
