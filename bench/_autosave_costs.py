"""What parts of an autosave cost, measured in one process (bench/survey_http.py uses it).

gunicorn's CPU per request says how much an autosave costs, not what for. This runs the
same autosave (one answer, changed_at, the draft fingerprint, with the session cookie and
the CSRF token a browser has) through Flask's test client against a SQLite database of its
own, in batches, with the parts that the bare-stack baseline does not have switched off in
turn: the rate limits (Flask-Limiter) and the CSRF check. The batches alternate, so the
machine's drift hits every variant alike; each variant's figure is its lower quartile of
the batches' CPU per request (time.process_time), the part's cost the difference with
everything on.
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
    finally:
        switch("all on")
        shutil.rmtree(folder, ignore_errors=True)
    out = {v: sorted(ms)[len(ms) // 4] for v, ms in per_variant.items()}
    out["rate limits"] = out["all on"] - out["without rate limits"]
    out["CSRF check"] = out["all on"] - out["without CSRF check"]
    return out
