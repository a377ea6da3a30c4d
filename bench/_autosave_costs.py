"""What parts of an autosave cost, measured in one process (bench/survey_http.py uses it).

gunicorn's CPU per request says how much an autosave costs, not what for. This runs the
same autosave (one answer, changed_at, the draft fingerprint, with the session cookie and
the CSRF token a browser has) through Flask's test client against a SQLite database of its
own, in batches, with the parts that the bare-stack baseline does not have switched off in
turn: the rate limits (Flask-Limiter) and the CSRF check. The batches alternate, so the
machine's drift hits every variant alike; each variant's figure is its lower quartile of
the batches' CPU per request (time.process_time), the part's cost the difference with
everything on. Last, how many pages an autosave writes to SQLite's WAL.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
import time
from pathlib import Path

VARIANTS = ("all on", "without rate limits", "without CSRF check")


def measure(prepare_database, batches: int, per_batch: int) -> dict[str, float]:
    """{variant: ms per autosave, part: ms} (see above); `prepare_database` is
    survey_http.prepare_database."""
    from feedback import create_app
    from feedback.extensions import limiter

    folder = Path(tempfile.mkdtemp(prefix="autosave-costs-"))
    url = f"sqlite:///{folder / 'costs.db'}"
    tokens = prepare_database(url, 200, "migrations")
    limits = {
        "RATE_LIMIT_SURVEY_PAGE": "1000000 per 10 minutes",
        "RATE_LIMIT_SURVEY_ANSWER": "1000000 per 10 minutes",
    }
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "autosave-costs", **limits})
    client = app.test_client()
    page = client.get(f"/s/{tokens[0]}").data
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    statements = sorted(set(re.findall(rb'type="radio" name="(s\d+)"', page)))
    fields = [s.decode() for s in statements]
    fingerprints: dict[str, str] = {}
    rng = random.Random(3)
    sent = iter(range(10**9))

    def autosave() -> None:
        token = tokens[next(sent) % len(tokens)]
        form = {
            rng.choice(fields): rng.choice("12345"),
            "changed_at": str(int(time.time() * 1000)),
            "draft_fingerprint": fingerprints.get(token, ""),
        }
        headers = {"HX-Request": "true", "X-CSRFToken": csrf}
        body = client.post(f"/s/{token}/answer", data=form, headers=headers).data
        if b'class="save-state saved"' not in body:
            raise RuntimeError(f"autosave not saved: {body[:200]!r}")
        match = re.search(rb'name="draft_fingerprint" value="([0-9a-f]*)"', body)
        if match:
            fingerprints[token] = match.group(1).decode()

    def switch(variant: str) -> None:
        limiter.enabled = variant != "without rate limits"
        app.config["WTF_CSRF_ENABLED"] = variant != "without CSRF check"

    per_variant: dict[str, list[float]] = {v: [] for v in VARIANTS}
    try:
        for _ in range(per_batch):  # warm-up: caches, the first answers of each draft
            autosave()
        for _ in range(batches):
            for variant in VARIANTS:
                switch(variant)
                started = time.process_time()
                for _ in range(per_batch):
                    autosave()
                per_variant[variant].append((time.process_time() - started) * 1000 / per_batch)
        switch("all on")
        pages = _wal_pages_per_autosave(folder / "costs.db", autosave, per_batch)
        bare_pages = _baseline_wal_pages(folder, per_batch)
    finally:
        switch("all on")
        shutil.rmtree(folder, ignore_errors=True)
    out = {v: sorted(ms)[len(ms) // 4] for v, ms in per_variant.items()}
    out["rate limits"] = out["all on"] - out["without rate limits"]
    out["CSRF check"] = out["all on"] - out["without CSRF check"]
    out["WAL pages per autosave"] = pages
    out["baseline WAL pages"] = bare_pages
    return out


def _baseline_wal_pages(folder: Path, count: int) -> float:
    """The same count for bench/baseline_app.py's autosave (one answer row upserted)."""
    import os

    import baseline_app

    from feedback.tokens import new_token

    url = f"sqlite:///{folder / 'baseline.db'}"
    tokens = [new_token() for _ in range(50)]
    baseline_app.prepare(url, tokens)
    os.environ["DATABASE_URL"] = url
    client = baseline_app.create().test_client()
    rng = random.Random(5)
    sent = iter(range(10**9))

    def autosave() -> None:
        token = tokens[next(sent) % len(tokens)]
        form = {f"s{rng.randint(1, 24)}": rng.choice("12345"), "changed_at": "1"}
        if client.post(f"/s/{token}/answer", data=form).status_code != 200:
            raise RuntimeError("baseline autosave failed")

    for _ in range(len(tokens)):
        autosave()
    return _wal_pages_per_autosave(folder / "baseline.db", autosave, count)


def _wal_pages_per_autosave(path: Path, autosave, count: int) -> float:
    """Pages the autosaves write to SQLite's WAL, on average (the draft is one blob padded
    to 16 KiB, re-encrypted whole on every save): the WAL emptied first, counted after
    (fewer than SQLite's 1,000-page checkpoint, so none is lost in between)."""
    import sqlite3

    count = min(count, 100)
    with sqlite3.connect(path, isolation_level=None) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for _ in range(count):
            autosave()
        _busy, frames, _done = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames / count
