"""One report's PDF for download: rendered in a child process, then kept on disk.

    participant = services.visible_participant(current_user, participant_id)  # permission
    data, filename = cached_report_pdf(participant)

Rendering. WeasyPrint keeps the memory it takes (PERF-NOTES: about 225 KB per report, never
given back), so a web worker never renders a PDF. Each web process keeps one spawned child
process (`feedback.processes.process_pool` with one worker, created on the first download).
The child builds its own app from the parent's settings and renders the report; after
`PDF_TASKS_PER_PROCESS` reports (default 50, feedback/config.py) it exits and the next
download starts a fresh one, so its memory stays bounded. A spawn per download would give
all memory back at once but costs a cold start (about 1.1 s plus building the app) on every
download; the kept child costs that once, and serves the next reports warm. One worker is
enough: a sync web worker handles one request at a time. (Why not a background job: see
feedback/processes.py.)

Caching. A closed or published round no longer changes: closing refuses answers, the
settings are fixed once a round is launched, and publishing is final. So a rendered report
is kept, as a 0600 file, under

    instance/reports-cache/<database identity>/<round id>/<participant id>-<lang>-<key>.pdf

The database identity is the random value of the database's `DatabaseIdentity` row
(feedback.db.database_identity): two databases sharing one instance folder (a test and a
production database, a restored copy next to the live one) have their own folders, so
neither is ever served the other's round 3, and neither evicts the other's files.

The key is the report's content version, a hash of everything the PDF is made from that
can still differ for the same participant id:

- the layout: `LAYOUT_VERSION` (raise it when the report changes in a way the code hash
  below cannot see: fonts, a new WeasyPrint default), a hash of the report code, templates,
  stylesheets and translations (`code_version`, so a new release re-renders), and the
  installed WeasyPrint version;
- the round: its id, name, threshold, framework, status, `closed_at` and `published_at`,
  so closing again after an interrupted close, or publishing, never serves an older file;
- the participant: their id, the manager's name (the people import may rename them), the
  number of responses stored for them (the data the figures are made of), and which
  earlier rounds feed the trend section;
- the language, which follows the manager's language setting.

Only the newest version of a participant's report is kept; older files and files of no
longer existing databases are removed after FILE_RETENTION_DAYS by the purge command
(feedback/files.py).

The cache never decides access: the route checks permission first, every time, and only
then asks for the file. Paths are built from a UUID, integer ids, a known language and a
hex key, and checked to stay inside the cache folder.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import tempfile
import threading
import uuid
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from feedback import files, processes
from feedback.db import database_identity
from feedback.extensions import db
from feedback.models import Participant, Response, Round
from feedback.reports import services
from feedback.reports.aggregation import LANGS

CACHE_FOLDER = files.REPORTS_CACHE_FOLDER
LAYOUT_VERSION = 2  # raise when the PDF changes in a way code_version() cannot see
POOL_KEY = "feedback.reports.pdf_pool"

log = logging.getLogger(__name__)


class CacheRefused(ValueError):
    """A cache path was asked for with values that could lead out of the cache folder."""


# -- the cache ---------------------------------------------------------------------------


def cache_root() -> Path:
    return Path(current_app.instance_path) / CACHE_FOLDER


def cache_path(database_id: str, round_id: int, participant_id: int, lang: str, key: str) -> Path:
    """Where one report's PDF is kept; refuses anything that is not a plain id/lang/key."""
    if not (
        _is_uuid(database_id)
        and isinstance(round_id, int)
        and isinstance(participant_id, int)
        and round_id > 0
        and participant_id > 0
        and lang in LANGS
        and key
        and all(c in "0123456789abcdef" for c in key)
    ):
        raise CacheRefused("not a report cache entry")
    root = cache_root().resolve()
    name = f"{participant_id}-{lang}-{key}.pdf"
    path = (root / database_id / str(round_id) / name).resolve()
    if not path.is_relative_to(root):
        raise CacheRefused("cache path leads out of the cache folder")
    return path


def _is_uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def cache_key(participant: Participant, lang: str) -> str:
    """The report's content version: a hash of what it is made from (see the top)."""
    rnd = participant.round
    earlier = db.session.scalars(
        sa.select(Round.id)
        .join(Participant, Participant.round_id == Round.id)
        .where(
            Participant.person_id == participant.person_id,
            Round.id != rnd.id,
            Round.closes_on <= rnd.closes_on,
            Round.status.in_(services.HR_STATUSES),
        )
        .order_by(Round.id)
    ).all()
    responses = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .where(Response.participant_id == participant.id)
    )
    facts = {
        "layout": [LAYOUT_VERSION, code_version(), _weasyprint_version()],
        "round": [
            rnd.id,
            rnd.name,
            rnd.threshold,
            rnd.framework_id,
            rnd.status,
            _moment(rnd.closed_at),
            _moment(rnd.published_at),
        ],
        "participant": [participant.id, participant.person.name, responses, earlier],
        "lang": lang,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]


def _moment(value) -> str | None:
    return value.isoformat() if value is not None else None


def _weasyprint_version() -> str:
    try:
        return package_version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover  (a dependency of the app)
        return ""


_CODE_VERSION: str | None = None


def code_version() -> str:
    """A hash of the report code, templates, stylesheets and translations (once per process)."""
    global _CODE_VERSION  # noqa: PLW0603  (computed once, lazily)
    if _CODE_VERSION is None:
        package = Path(__file__).resolve().parent.parent
        sources = sorted(
            [
                *(package / "reports").glob("*.py"),
                *(package / "templates" / "reports").glob("*.html"),
                *(package / "static" / "css").glob("*.css"),
                *(package / "translations").glob("*/LC_MESSAGES/*.mo"),
            ]
        )
        digest = hashlib.sha256()
        for file in sources:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
        _CODE_VERSION = digest.hexdigest()[:16]
    return _CODE_VERSION


def cached_report_pdf(participant: Participant) -> tuple[bytes, str]:
    """(PDF bytes, download filename) of a participant the caller may see.

    Served from the cache when rendered before; otherwise rendered in the child process
    and kept. Only reports of closed or published rounds are ever kept.
    """
    rnd, participant_id = participant.round, participant.id
    lang = services.report_language(participant.person)
    filename = services.report_filename(rnd.name, participant.person.name)
    if rnd.status not in services.HR_STATUSES:  # never reached through may_see; be safe
        return render_in_child(participant_id), filename
    key = cache_key(participant, lang)
    path = cache_path(database_identity(), rnd.id, participant_id, lang, key)
    db.session.rollback()  # no read transaction held while a PDF renders
    try:
        return path.read_bytes(), filename
    except FileNotFoundError:
        pass
    data = render_in_child(participant_id)
    _store(path, data)
    return data, filename


def _store(path: Path, data: bytes) -> None:
    """Write atomically (a 0600 temporary file, then a rename) and drop older versions."""
    files.private_folder(path.parent)
    prefix = path.name.rsplit("-", 1)[0] + "-"  # "<participant>-<lang>-"
    for old in path.parent.glob(f"{prefix}*.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), files.FILE_MODE)  # mkstemp's own mode, said out loud
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def clear_round(round_id: int) -> None:
    """Forget a round's cached PDFs of this database (nothing needs it today; for maintenance)."""
    folder = cache_root() / database_identity() / str(int(round_id))
    for file in folder.glob("*"):
        file.unlink(missing_ok=True)
    if folder.exists():
        folder.rmdir()


# -- the child process -------------------------------------------------------------------

_pool_lock = threading.Lock()
_pools: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()


def render_in_child(participant_id: int) -> bytes:
    """Render one report in this web process's PDF child process; returns the PDF bytes."""
    app = current_app._get_current_object()
    for attempt in (1, 2):
        pool = _pool(app)
        try:
            future = pool.submit(_render, participant_id)
        except RuntimeError:  # shut down meanwhile (shutdown_pdf_process): take a new one
            _drop_pool(app, pool)
            continue
        try:
            return future.result()
        except BrokenProcessPool:
            # The child died (killed, out of memory): start a new one, try once more.
            log.warning("The PDF process died (attempt %s); starting a new one", attempt)
            _drop_pool(app, pool)
            if attempt == 2:
                raise
    return _pool(app).submit(_render, participant_id).result()


def _pool(app: Flask) -> ProcessPoolExecutor:
    with _pool_lock:
        pool = app.extensions.get(POOL_KEY)
        if pool is None:
            pool = processes.process_pool(
                app, 1, max_tasks_per_child=app.config["PDF_TASKS_PER_PROCESS"]
            )
            app.extensions[POOL_KEY] = pool
            _pools.add(pool)
        return pool


def _drop_pool(app: Flask, pool: ProcessPoolExecutor) -> None:
    with _pool_lock:
        if app.extensions.get(POOL_KEY) is pool:
            del app.extensions[POOL_KEY]
    pool.shutdown(wait=False, cancel_futures=True)
    _pools.discard(pool)


def shutdown_pdf_process(app: Flask | None = None) -> None:
    """Stop the PDF child process of `app` (of every app when None)."""
    with _pool_lock:
        pools = [app.extensions.pop(POOL_KEY, None)] if app is not None else list(_pools)
    for pool in pools:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            _pools.discard(pool)


atexit.register(shutdown_pdf_process)


def _render(participant_id: int) -> bytes:
    """In the child: render one participant's report (permission was checked by the parent)."""
    with processes.app_context():
        participant = db.session.execute(
            sa.select(Participant)
            .where(Participant.id == participant_id)
            .options(so.joinedload(Participant.round), so.joinedload(Participant.person))
        ).scalar_one()
        data, _filename = services.report_pdf(participant)
        return data
