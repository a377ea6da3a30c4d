"""Benchmark: what a rater's requests cost the server, against the bare stack in the same run.

For SQLite, then PostgreSQL (skipped when no server answers at FEEDBACK_TEST_POSTGRES_URL;
a database of its own is created and dropped):

1. builds the database with the migrations, an open round and N invitations with live links
   (as launch makes them: each token wraps the invitation's draft key), and the tables of
   bench/baseline_app.py with as many invitations;
2. starts both apps under gunicorn, `-w 2` sync workers, access log to /dev/null: feedback
   as production runs it (gunicorn.conf.py, wsgi:app) and the baseline (Flask + SQLAlchemy
   ORM + one compiled Jinja template of the same size, storing 1 response + 24 answers +
   comments), on free loopback ports;
3. measures the first visit's bytes on the wire (page and its static files, brotli);
4. drives each with the same requests from concurrent clients, phase by phase and app by
   app in turn, so that the machine's drift hits all alike: GET /s/<token> (first visit from
   the mail), POST /s/<token>/answer (one autosave, as survey.js sends it: the answer, when
   it was given and the fingerprint of the draft the tab shows) and POST /s/<token>
   (the whole form, every token once);
5. checks both databases (one response per successful submit, no draft left on a submitted
   invitation, no failed request, no traceback and no token in feedback's error log).

Before all that it measures, in one process, what an autosave's parts cost that the baseline
lacks (bench/_autosave_costs.py): a target the run misses gets its reason from those figures,
printed under the table.

The figures are the CPU the two gunicorn workers spent per request, read from /proc (noise
disturbs it far less than throughput), latency and requests/s beside them. A rater visit is
GET + submit POST.

The load generator: threads on raw sockets with requests built in Python, HTTP/1.1 with
`Connection: close` (one connection per request, which is what gunicorn's sync workers do
anyway). Each client is a browser of its own: it loads a page first for its session cookie
and CSRF token, which go into the autosave and submit requests. It uses about 1 ms of CPU per
visit against the server's 20 to 60 (a row of the table checks that it stays below the
server's): lean enough, and the per-client cookies, CSRF tokens and submit-once tokens stay
simple Python rather than wrk's Lua.

    .venv/bin/python bench/survey_http.py [--smoke]
"""

from __future__ import annotations

import itertools
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _rows import Row, limit_row, main, ratio_row  # noqa: E402

RESULTS = ROOT / "bench" / "results"

HOST = "127.0.0.1"
SECRET_KEY = "survey-http-bench"  # noqa: S105  (a throwaway database's session key)
PER_MANAGER = 10  # invitations per rated manager
HARD_LIMIT_S = 300  # the whole run, whatever the options say
SAVED_MARK = b'class="save-state saved"'
THANKS_MARK = b"survey-done"
FINGERPRINT_VALUE = re.compile(
    rb'id="draft-fingerprint" name="draft_fingerprint" value="([0-9a-f]*)"'
)
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- The database ---------------------------------------------------------------------------


def prepare_database(db_url: str, n_tokens: int, schema: str) -> list[str]:
    """An open round with n_tokens invitations; returns their plain tokens."""
    from datetime import date, timedelta

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from feedback import create_app
    from feedback.extensions import db
    from feedback.frameworks import copy_framework, load_framework
    from feedback.models import Invitation, Participant, Person, Round, RoundStatus
    from feedback.survey.drafts import mint_link

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        if schema == "migrations":
            upgrade()
        else:
            db.create_all()
        rnd = Round(
            name="Benchmark round",
            opens_on=date.today() - timedelta(days=1),
            closes_on=date.today() + timedelta(days=14),
            threshold=3,
            status=RoundStatus.OPEN,
            framework=copy_framework(load_framework()),
        )
        db.session.add(rnd)
        db.session.flush()
        managers = math.ceil(n_tokens / PER_MANAGER)
        db.session.execute(
            sa.insert(Person),
            [
                {"name": f"Manager {m:04d}", "email": f"manager{m}@bench.test", "role": "manager"}
                for m in range(managers)
            ],
        )
        person_ids = db.session.scalars(sa.select(Person.id).order_by(Person.id)).all()
        db.session.execute(
            sa.insert(Participant), [{"round_id": rnd.id, "person_id": p} for p in person_ids]
        )
        participant_ids = db.session.scalars(
            sa.select(Participant.id).order_by(Participant.id)
        ).all()
        groups = ["self", "supervisor"] + ["direct_report"] * 6 + ["peer"] * 2
        rows = []
        for i in range(n_tokens):
            rows.append(
                {
                    "round_id": rnd.id,
                    "participant_id": participant_ids[i // PER_MANAGER],
                    "group": groups[i % PER_MANAGER],
                    "email": f"rater{i}@bench.test",
                    "language": "en" if i % 4 == 0 else "nl",
                }
            )
        db.session.execute(sa.insert(Invitation), rows)
        # Each link as launch makes it: a token whose row wraps the invitation's draft key.
        invitations = db.session.scalars(
            sa.select(Invitation).where(Invitation.round_id == rnd.id).order_by(Invitation.id)
        ).all()
        tokens = [mint_link(invitation) for invitation in invitations]
        db.session.commit()
        db.engine.dispose()
    return tokens


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(db_url: str, port: int, tmp: Path, instrument: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": SECRET_KEY,
        "SURVEY_HTTP_BENCH_DIR": str(tmp),
        # Every client of the benchmark is one address: limits high enough never to answer
        # 429 (the limiter still counts each request, as in production).
        "RATE_LIMIT_SURVEY_PAGE": "1000000 per 10 minutes",
        "RATE_LIMIT_SURVEY_ANSWER": "1000000 per 10 minutes",
    }
    app = (
        ["--pythonpath", "bench", "survey_http:instrumented_app()"] if instrument else ["wsgi:app"]
    )
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        str(tmp / "gunicorn.log"),
        *app,
    ]
    # Its own session: Ctrl+C in the terminal reaches us, and we stop it in `finally`.
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the session we created for it, nothing else
        proc.wait(timeout=5)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(entry))
    return sorted(pids)


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def wait_until_ready(proc: subprocess.Popen, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            status, _, _ = fetch(port, request("GET", "/healthz", port), timeout=2)
            if status == 200 and len(worker_pids(proc.pid)) == 2:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz in time")


# --- HTTP on raw sockets ---------------------------------------------------------------------


def request(method: str, path: str, port: int, headers=(), body: bytes = b"") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "User-Agent: survey-http-bench",
        "Accept: text/html,*/*",
        "Connection: close",
        *(f"{k}: {v}" for k, v in headers),
    ]
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def fetch(port: int, raw: bytes, timeout: float = 10) -> tuple[int, bytes, bytes]:
    """Send one request, read until the server closes; (status, headers, body)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), head, body


def session_cookie(head: bytes) -> str | None:
    match = re.search(rb"(?im)^set-cookie: (session=[^;\r\n]*)", head)
    return match.group(1).decode() if match else None


class Browser:
    """One client's cookie jar and CSRF token, got the way a browser gets them: by loading
    the survey page."""

    def __init__(self, port: int, token: str):
        status, head, body = fetch(port, request("GET", f"/s/{token}", port))
        if status != 200:
            raise RuntimeError(f"survey page answered {status}")
        # The bare-stack baseline has neither: its requests go without them.
        self.cookie = session_cookie(head)
        match = re.search(rb'name="csrf_token" value="([^"]+)"', body)
        self.csrf = match.group(1).decode() if match else ""

    def keep(self, head: bytes) -> None:
        cookie = session_cookie(head)
        if cookie:
            self.cookie = cookie


# --- The load generator ---------------------------------------------------------------------


@dataclass
class Sample:
    latency: float
    status: int
    size: int
    ok: bool


@dataclass
class PhaseResult:
    """One phase (or several pooled): the requests and what the machine spent on them."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0
    worker_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    machine_busy_s: float = 0.0
    exhausted: bool = False
    # Per write transaction (instrumented runs): (wait for BEGIN IMMEDIATE, lock held) in s.
    writes: list[tuple[float, float]] = field(default_factory=list)

    @classmethod
    def pooled(cls, name: str, parts: list[PhaseResult]) -> PhaseResult:
        result = cls(name)
        for part in parts:
            result.samples += part.samples
            result.writes += part.writes
            result.wall_s += part.wall_s
            result.worker_cpu_s += part.worker_cpu_s
            result.client_cpu_s += part.client_cpu_s
            result.machine_busy_s += part.machine_busy_s
            result.exhausted |= part.exhausted
        return result

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def good(self) -> int:
        return sum(1 for s in self.samples if s.ok)

    def summary(self) -> dict:
        n = self.n
        latencies = sorted(s.latency for s in self.samples)
        statuses = Counter(s.status for s in self.samples)
        other = self.machine_busy_s - self.worker_cpu_s - self.client_cpu_s
        out = {
            "requests": n,
            "ok": self.good,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "wall_s": self.wall_s,
            "requests_per_s": n / self.wall_s if self.wall_s else 0.0,
            "p50_ms": percentile(latencies, 0.50) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000,
            "max_ms": percentile(latencies, 1.0) * 1000,
            "mean_bytes": sum(s.size for s in self.samples) / n if n else 0.0,
            "worker_cpu_ms_per_request": self.worker_cpu_s / n * 1000 if n else 0.0,
            "worker_busy": self.worker_cpu_s / (2 * self.wall_s) if self.wall_s else 0.0,
            "client_cpu_ms_per_request": self.client_cpu_s / n * 1000 if n else 0.0,
            "other_cpu_cores": max(0.0, other) / self.wall_s if self.wall_s else 0.0,
            "ran_out_of_tokens": self.exhausted,
        }
        if self.writes:
            waits = sorted(w for w, _ in self.writes)
            holds = sorted(h for _, h in self.writes)
            out["write_transactions"] = len(self.writes)
            out["lock_wait_ms"] = {
                "mean": sum(waits) / len(waits) * 1000,
                "p50": percentile(waits, 0.50) * 1000,
                "p99": percentile(waits, 0.99) * 1000,
                "max": waits[-1] * 1000,
                "over_10ms": sum(1 for w in waits if w > 0.010),
            }
            out["lock_held_ms"] = {
                "mean": sum(holds) / len(holds) * 1000,
                "p50": percentile(holds, 0.50) * 1000,
                "p99": percentile(holds, 0.99) * 1000,
            }
        return out


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank; 0 for no data."""
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


Job = Callable[[int], tuple[bytes, Callable[[int, bytes, bytes], bool]] | None]


class LockLog:
    """Reads what the instrumented workers append: one line per write transaction."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.offsets: dict[Path, int] = {}

    def new(self) -> list[tuple[float, float]]:
        if self.folder is None:
            return []
        rows = []
        for path in sorted(self.folder.glob("locks-*.log")):
            with path.open("rb") as f:
                f.seek(self.offsets.get(path, 0))
                data = f.read()
            complete = data[: data.rfind(b"\n") + 1]
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            for line in complete.split():
                wait_us, _, held_us = line.partition(b",")
                rows.append((int(wait_us) / 1e6, int(held_us) / 1e6))
        return rows


def run_phase(
    name: str,
    port: int,
    workers: list[int],
    clients: int,
    seconds: float,
    max_requests: int,
    job: Job,
    stop: threading.Event,
    locks: LockLog,
) -> PhaseResult:
    """`clients` threads, each sending one request at a time until `seconds` have passed,
    `max_requests` were sent, `job` has nothing left (returns None) or `stop` is set.

    job(client) gives the raw request and a check(status, head, body) -> ok.
    """
    result = PhaseResult(name)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]
    sent = itertools.count()

    def client(index: int) -> None:
        local: list[Sample] = []
        barrier.wait()
        while not stop.is_set() and time.perf_counter() < deadline[0]:
            if next(sent) >= max_requests:
                break
            work = job(index)
            if work is None:
                result.exhausted = True
                break
            raw, check = work
            start = time.perf_counter()
            try:
                status, head, body = fetch(port, raw)
            except OSError:
                status, head, body = 0, b"", b""
            latency = time.perf_counter() - start
            ok = status != 0 and check(status, head, body)
            local.append(Sample(latency, status, len(body), ok))
        with lock:
            result.samples.extend(local)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    locks.new()  # whatever came before this phase
    cpu0 = sum(cpu_seconds(p) for p in workers)
    busy0, _ = machine_cpu()
    client0 = time.process_time()
    start = time.perf_counter()
    deadline[0] = start + seconds
    barrier.wait()
    for t in threads:
        t.join(seconds + 30)
    result.wall_s = time.perf_counter() - start
    result.client_cpu_s = time.process_time() - client0
    result.machine_busy_s = machine_cpu()[0] - busy0
    result.worker_cpu_s = sum(cpu_seconds(p) for p in workers) - cpu0
    result.writes = locks.new()
    return result


class TokenPool:
    """Hands out tokens: cycling (reads, autosaves) or each one once (submits)."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.lock = threading.Lock()
        self.cycle = itertools.cycle(tokens)
        self.fresh = iter(tokens)

    def any(self) -> str:
        with self.lock:
            return next(self.cycle)

    def unused(self) -> str | None:
        with self.lock:
            return next(self.fresh, None)


def page_fields(body: bytes) -> tuple[list[str], list[str]]:
    statements = sorted(set(re.findall(rb'type="radio" name="(s\d+)"', body)))
    questions = re.findall(rb'<textarea[^>]* name="(q:[^"]+)"', body)
    return [s.decode() for s in statements], [q.decode() for q in questions]


@dataclass
class Settings:
    seconds: float
    rounds: int
    warmup: float
    clients: int
    tokens: int
    max_requests: int
    cost_batches: int  # bench/_autosave_costs.py: batches per variant ...
    cost_batch: int  # ... of this many autosaves


SMOKE = Settings(0.4, 1, 0.2, clients=4, tokens=400, max_requests=40, cost_batches=2, cost_batch=20)
FULL = Settings(
    3.0, 2, 0.5, clients=8, tokens=3000, max_requests=20_000, cost_batches=12, cost_batch=150
)


class Server:
    """One app under gunicorn: its port, workers, tokens and the requests it is sent."""

    def __init__(self, name: str, proc: subprocess.Popen, port: int, tokens: list[str]):
        self.name, self.proc, self.port = name, proc, port
        self.workers = worker_pids(proc.pid)
        # Submits use the first half of the links, each once; reads and autosaves cycle over
        # the other half, so they never meet a link already sent (which the baseline answers
        # 404 and feedback with its shorter "already answered" page).
        half = len(tokens) // 2
        self.reads = TokenPool(tokens[half:])
        self.saves = TokenPool(tokens[half:][::-1])
        self.submits = TokenPool(tokens[:half])
        self.fingerprints: dict[str, str] = {}  # token -> its draft's, as the server said
        status, _head, page = fetch(port, request("GET", f"/s/{tokens[half]}", port))
        assert status == 200, (name, status)
        self.page = page
        self.statements, self.questions = page_fields(page)

    def jobs(self, clients: int) -> dict[str, Job]:
        port = self.port
        browsers = [Browser(port, self.reads.any()) for _ in range(clients)]
        rng = [random.Random(i) for i in range(clients)]

        def is_200(status: int, _head: bytes, _body: bytes) -> bool:
            return status == 200

        def survey_page(_client: int):
            return request("GET", f"/s/{self.reads.any()}", port), is_200

        def autosave(client: int):
            # As survey.js sends it: the answer, when it was given, and the fingerprint of
            # the draft the tab shows (the one the last autosave of that link answered with;
            # "" for a link whose draft is still empty).
            browser, r = browsers[client], rng[client]
            token = self.saves.any()
            form = {
                r.choice(self.statements): r.choice("12345"),
                "changed_at": str(int(time.time() * 1000)),
                "draft_fingerprint": self.fingerprints.get(token, ""),
            }
            body = urllib.parse.urlencode(form)
            headers = [
                ("HX-Request", "true"),
                ("HX-Current-URL", f"http://{HOST}:{port}/s/{token}"),
                ("X-CSRFToken", browser.csrf),
                *([("Cookie", browser.cookie)] if browser.cookie else []),
            ]

            def check(status: int, head: bytes, body: bytes) -> bool:
                browser.keep(head)
                match = FINGERPRINT_VALUE.search(body)
                if match:
                    self.fingerprints[token] = match.group(1).decode()
                return status == 200 and SAVED_MARK in body

            return request("POST", f"/s/{token}/answer", port, headers, body.encode()), check

        def submit(client: int):
            token = self.submits.unused()
            if token is None:
                return None
            browser, r = browsers[client], rng[client]
            form = {"csrf_token": browser.csrf}
            for name in self.statements:
                form[name] = "dk" if r.random() < 0.05 else r.choice("2345")
            for name in self.questions[:2]:
                form[name] = "Meer tijd voor coaching in het veld, en duidelijke doelen."
            form["grade"] = str(r.randint(5, 9))
            form["action"] = "submit"
            body = urllib.parse.urlencode(form).encode()

            def check(status: int, head: bytes, body: bytes) -> bool:
                browser.keep(head)
                return status == 200 and THANKS_MARK in body

            headers = [("Origin", f"http://{HOST}:{port}")]
            if browser.cookie:
                headers.append(("Cookie", browser.cookie))
            return request("POST", f"/s/{token}", port, headers, body), check

        return {"survey_page": survey_page, "autosave": autosave, "submit": submit}


def first_visit_bytes(port: int, token: str) -> dict[str, int]:
    """What a browser's first visit transfers (the page and every /static/ file it refers
    to: status lines, headers and bodies), with brotli, with gzip and uncompressed."""
    _status, _head, page = fetch(port, request("GET", f"/s/{token}", port))
    paths = [f"/s/{token}", *re.findall(r'(?:href|src)="(/static/[^"]+)"', page.decode())]
    out = {}
    for name, asked in (("br", "br, gzip"), ("gzip", "gzip"), ("identity", None)):
        total = 0
        for path in paths:
            headers = [("Accept-Encoding", asked)] if asked else []
            status, head, body = fetch(port, request("GET", path, port, headers))
            assert status == 200, (path, status)
            total += len(head) + 4 + len(body)
        out[name] = total
    return out


def postgres_url() -> str | None:
    """A database of our own on the test server, or None when none answers."""
    base = os.environ.get(
        "FEEDBACK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    import sqlalchemy as sa

    name = f"feedback_bench_{os.getpid()}"
    try:
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001  (no server: the PostgreSQL rows are skipped)
        print(f"PostgreSQL: skipped ({type(exc).__name__})")
        return None
    return str(sa.make_url(base).set(database=name).render_as_string(hide_password=False))


def drop_postgres(url: str) -> None:
    import sqlalchemy as sa

    made = sa.make_url(url)
    base = made.set(database="postgres")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {made.database} WITH (FORCE)"))
    engine.dispose()


def rows_in(db_url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:

        def one(sql: str) -> int:
            return conn.execute(sa.text(sql)).scalar_one()

        out = {
            # Sealed envelopes: one per submit, each with its 24 scores inside.
            "responses": one("SELECT count(*) FROM sealed_response"),
            "drafts_of_submitted": one(
                "SELECT count(*) FROM invitation WHERE submitted AND draft IS NOT NULL"
            ),
        }
    engine.dispose()
    return out


def start_baseline(db_url: str, port: int, tmp: Path, page_bytes: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "BASELINE_PAGE_BYTES": str(page_bytes)}
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        str(tmp / "baseline.log"),
        "--pythonpath",
        "bench",
        "baseline_app:create()",
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def measure(
    kind: str, settings: Settings, stop: threading.Event, costs: dict[str, float]
) -> tuple[dict, list[Row]]:
    """Both apps on one kind of database, phase by phase in turn; the table's rows.
    `costs`: what the parts of an autosave cost (bench/_autosave_costs.py), for the reason
    of a target not met."""
    import baseline_app

    tmp = Path(tempfile.mkdtemp(prefix="survey-http-bench-"))
    servers: list[subprocess.Popen] = []
    pg_url = None
    try:
        if kind == "sqlite":
            db_url = f"sqlite:///{tmp / 'bench.db'}"
            base_url = f"sqlite:///{tmp / 'baseline.db'}"
        else:
            pg_url = postgres_url()
            if pg_url is None:
                return {}, []
            db_url = base_url = pg_url
        os.environ["DATABASE_URL"] = db_url  # create_app reads these before our overrides
        os.environ["SECRET_KEY"] = SECRET_KEY
        started = time.perf_counter()
        tokens = prepare_database(db_url, settings.tokens, "migrations")
        random.Random(7).shuffle(tokens)
        from feedback.tokens import new_token

        base_tokens = [new_token() for _ in range(settings.tokens)]
        baseline_app.prepare(base_url, base_tokens)
        print(f"{kind}: {len(tokens)} invitations each in {time.perf_counter() - started:.1f} s")

        port = free_port()
        servers.append(start_gunicorn(db_url, port, tmp, instrument=False))
        wait_until_ready(servers[-1], port)
        app = Server("feedback", servers[-1], port, tokens)
        bport = free_port()
        servers.append(start_baseline(base_url, bport, tmp, len(app.page)))
        wait_until_ready(servers[-1], bport)
        bare = Server("baseline", servers[-1], bport, base_tokens)
        print(
            f"pages: feedback {len(app.page):,} bytes ({len(app.statements)} statements), "
            f"baseline {len(bare.page):,} bytes ({len(bare.statements)} statements)"
        )

        first_visit = first_visit_bytes(port, tokens[-1])
        print(f"first visit on the wire: {first_visit}")

        locks = LockLog(None)
        jobs = {s.name: s.jobs(settings.clients) for s in (app, bare)}
        order = [(s, k) for k in ("survey_page", "autosave", "submit") for s in (app, bare)]

        def phase(server: Server, k: str, seconds: float, max_requests: int) -> PhaseResult:
            return run_phase(
                name=k,
                port=server.port,
                workers=server.workers,
                clients=settings.clients,
                seconds=seconds,
                max_requests=max_requests,
                job=jobs[server.name][k],
                stop=stop,
                locks=locks,
            )

        # Warm-up, not measured (but checked).
        warmups = {(srv.name, k): phase(srv, k, settings.warmup, 100) for srv, k in order}
        parts: dict[tuple[str, str], list[PhaseResult]] = {}
        for _ in range(settings.rounds):  # in turn: the machine's drift hits all alike
            for server, k in order:
                part = phase(server, k, settings.seconds, settings.max_requests)
                parts.setdefault((server.name, k), []).append(part)
        results = {key: PhaseResult.pooled(key[1], ps) for key, ps in parts.items()}
        summaries = {f"{a}/{k}": r.summary() for (a, k), r in results.items()}

        # Correctness: what the servers said happened is what the databases hold.
        failures = []
        for server, url, counter in (
            (app, db_url, rows_in),
            (bare, base_url, baseline_app.count_rows),
        ):
            mine = [
                (k, r) for (a, k), r in [*warmups.items(), *results.items()] if a == server.name
            ]
            ok = sum(1 for k, r in mine if k == "submit" for x in r.samples if x.ok)
            counts = counter(url)
            bad = Counter(f"{k} {x.status}" for k, r in mine for x in r.samples if not x.ok)
            if bad:
                failures.append(f"{server.name}: failed requests {dict(bad)}")
            if counts["drafts_of_submitted"]:
                failures.append(f"{server.name}: drafts left on submitted invitations")
            if counts["responses"] != ok:
                failures.append(f"{server.name}: {counts['responses']} responses, {ok} submits")
        log = (tmp / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in log:
            failures.append("feedback: traceback in the error log:\n" + log[-3000:])
        if any(t in log for t in tokens):
            failures.append("feedback: a token in the error log")
        if stop.is_set():
            failures.append(f"stopped by the {HARD_LIMIT_S} s limit")

        def cpu(app_name: str, k: str) -> float:
            return summaries[f"{app_name}/{k}"]["worker_cpu_ms_per_request"]

        visit = cpu("feedback", "survey_page") + cpu("feedback", "submit")
        bare_visit = cpu("baseline", "survey_page") + cpu("baseline", "submit")
        client_visit = sum(
            summaries[f"feedback/{k}"]["client_cpu_ms_per_request"]
            for k in ("survey_page", "submit")
        )
        db = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
        autosave, bare_autosave = cpu("feedback", "autosave"), cpu("baseline", "autosave")
        rows = [
            ratio_row(
                f"server CPU per rater visit, {db}",
                visit,
                bare_visit,
                1.5,
                "ms",
                get=cpu("feedback", "survey_page"),
                post=cpu("feedback", "submit"),
            ),
            ratio_row(f"server CPU per autosave, {db}", autosave, bare_autosave, 1.5, "ms"),
            # An absolute target; the baseline's p99 beside it says what the machine allowed.
            Row(
                f"autosave p99, {settings.clients} clients, {db}",
                summaries["feedback/autosave"]["p99_ms"],
                summaries["baseline/autosave"]["p99_ms"],
                summaries["feedback/autosave"]["p99_ms"]
                / max(summaries["baseline/autosave"]["p99_ms"], 1e-9),
                "< 25 ms",
                "ms",
                summaries["feedback/autosave"]["p99_ms"] < 25,
            ),
            ratio_row(f"load client CPU per visit vs server, {db}", client_visit, visit, 1, "ms"),
        ]
        if kind == "sqlite":
            rows.append(
                limit_row(
                    "survey first visit on the wire (br)",
                    first_visit["br"] / 1024,
                    25,
                    "KB",
                    **{k: v / 1024 for k, v in first_visit.items()},
                )
            )
        rows[1].why = (
            autosave_reason(kind, autosave, bare_autosave, costs) if not rows[1].met else ""
        )
        rows[2].why = p99_reason(kind, settings.clients, summaries) if not rows[2].met else ""
        print_table(summaries, settings.clients)
        if failures:
            raise RuntimeError("; ".join(failures))
        return summaries, rows
    finally:
        for proc in servers:
            stop_gunicorn(proc)
        if pg_url:
            drop_postgres(pg_url)
        shutil.rmtree(tmp, ignore_errors=True)


def autosave_reason(kind: str, value: float, baseline: float, costs: dict[str, float]) -> str:
    limits, csrf = costs["rate limits"], costs["CSRF check"]
    postgres = (
        " On PostgreSQL an autosave is four statements in its transaction (the visit, the "
        "round locked for share, the invitation for update with its draft, the UPDATE: "
        "tests/survey/test_survey_queries.py) against the baseline's three, and sends the "
        "16 KiB draft each time; one statement that reads the visit and takes both locks "
        "would save two round trips, once its lock order against closing a round is proven."
        if kind == "postgresql"
        else ""
    )
    return (
        f"of the {value:.2f} ms, the rate limits cost {limits:.2f} ms and the CSRF check "
        f"{csrf:.2f} ms (one process, each switched off in turn, this run; the baseline has "
        f"neither): {(value - limits) / baseline:.2f}x without the rate limits. Flask-Limiter "
        "checks the app's limits before the view and then the view's two (the link's and "
        "the unknown links'), resolving and parsing each per request. The draft, one blob "
        "padded to 16 KiB so that its size says nothing, is re-encrypted and written whole: "
        f"{costs['WAL pages per autosave']:.1f} WAL pages per autosave on SQLite against the "
        f"baseline's {costs['baseline WAL pages']:.1f} (measured apart: 16 and 32 KiB pages "
        "write more bytes, not fewer). To close: a limiter that resolves a view's limits "
        f"once per process and checks them once per request.{postgres}"
    )


def p99_reason(kind: str, clients: int, summaries: dict[str, dict]) -> str:
    mine, bare = summaries["feedback/autosave"], summaries["baseline/autosave"]
    shared = (
        f"; PostgreSQL's server runs on the same 2 cores ({mine['other_cpu_cores']:.2f} "
        "cores busy besides the workers)"
        if kind == "postgresql"
        else ""
    )
    return (
        f"queueing, not work: {clients} clients sending back to back keep the 2 sync workers "
        f"{mine['worker_busy']:.0%} busy, so an autosave of "
        f"{mine['worker_cpu_ms_per_request']:.2f} ms CPU waits behind others (p50 "
        f"{mine['p50_ms']:.1f} ms){shared}. The bare-stack baseline at "
        f"{bare['worker_cpu_ms_per_request']:.2f} ms has p99 {bare['p99_ms']:.1f} ms in the "
        "same run. To close: less CPU per autosave (the row above), or more cores than "
        "workers with the database on a host of its own."
    )


def run(smoke: bool) -> list[Row]:
    import _autosave_costs

    settings = SMOKE if smoke else FULL
    stop = threading.Event()
    watchdog = threading.Timer(HARD_LIMIT_S, stop.set)
    watchdog.daemon = True
    watchdog.start()
    rows, out = [], {"settings": settings.__dict__, "python": platform.python_version()}
    try:
        costs = _autosave_costs.measure(
            prepare_database, settings.cost_batches, settings.cost_batch
        )
        out["autosave_costs_ms"] = costs
        print("what an autosave's parts cost (one process):")
        for part, value in costs.items():
            unit = "pages" if "WAL" in part else "ms"
            print(f"  {part:<24}{value:>7.3f} {unit}")
        for kind in ("sqlite",) if smoke else ("sqlite", "postgresql"):
            summaries, more = measure(kind, settings, stop, costs)
            out[kind] = summaries
            rows += more
    finally:
        watchdog.cancel()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "survey_http.json").write_text(json.dumps(out, indent=2) + "\n")
    return rows


def print_table(summaries: dict[str, dict], clients: int) -> None:
    print(f"\n{clients} concurrent clients, one connection per request, all rounds pooled")
    header = (
        f"{'phase':<22}{'req':>7}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'srv CPU ms':>11}{'srv busy':>9}{'cli CPU ms':>11}{'other':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, s in summaries.items():
        print(
            f"{name:<22}{s['requests']:>7}{s['requests_per_s']:>7.0f}{s['p50_ms']:>8.1f}"
            f"{s['p99_ms']:>8.1f}{s['worker_cpu_ms_per_request']:>11.2f}"
            f"{s['worker_busy']:>9.0%}{s['client_cpu_ms_per_request']:>11.2f}"
            f"{s['other_cpu_cores']:>7.2f}"
        )
    print(
        "srv CPU: the two gunicorn workers' CPU per request (from /proc); srv busy: their CPU /\n"
        "(2 x wall); cli CPU: the load generator's per request; other: cores the rest of the\n"
        "machine used meanwhile (noise)"
    )


# --- Served by gunicorn in instrumented runs ------------------------------------------------


def instrumented_app():
    """wsgi:app plus a clock on the SQLite write lock: gunicorn loads this in each worker
    (`survey_http:instrumented_app()`). Per write transaction it appends one line
    "<µs waiting for BEGIN IMMEDIATE>,<µs until COMMIT/ROLLBACK>" to a file of its own."""
    import sqlalchemy as sa

    from feedback.extensions import db
    from wsgi import app

    path = Path(os.environ["SURVEY_HTTP_BENCH_DIR"]) / f"locks-{os.getpid()}.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, _cursor, statement, *_args):
        if statement == "BEGIN IMMEDIATE":
            conn.info["bench_begin"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn, _cursor, statement, *_args):
        if statement == "BEGIN IMMEDIATE":
            conn.info["bench_locked"] = time.perf_counter()

    def _end(conn):
        locked = conn.info.pop("bench_locked", None)
        begin = conn.info.pop("bench_begin", None)
        if locked is not None and begin is not None:
            now = time.perf_counter()
            os.write(fd, f"{(locked - begin) * 1e6:.0f},{(now - locked) * 1e6:.0f}\n".encode())

    sa.event.listen(engine, "commit", _end)
    sa.event.listen(engine, "rollback", _end)
    return app


if __name__ == "__main__":
    sys.exit(main(run, "survey_http"))
