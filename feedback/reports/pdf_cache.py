"""One report's PDF for download: rendered in a child process, then kept in the database.

    participant = access.visible_participant(current_user, participant_id)  # permission
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
is kept as a row of `cached_report_pdf` (feedback/models/storage.py): one per participant
and language, with the content version it was rendered for. Every web worker and host
serves it, and it is as private as the rest of the database: two databases (a test and a
production one, a restored copy next to the live one) each have their own cache, even
when they share an instance folder, so neither is ever served the other's round 3.

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

Only the newest version of a participant's report is kept (a new one replaces the row);
rows are removed after FILE_RETENTION_DAYS by the purge command (feedback/files.py), and
with their participant or round (ON DELETE CASCADE). A report is a few hundred KB, so it
is one row, read whole: the route sends it as bytes anyway.

The cache never decides access: the route checks permission first, every time, and only
then asks for the PDF, by the participant's integer id and a known language.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import threading
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from feedback import processes
from feedback.clock import utcnow
from feedback.db import WRITE
from feedback.extensions import db
from feedback.goals import services as goal_services
from feedback.models import CachedReportPdf, Participant, Response, Round
from feedback.reports import access, filenames, labels, pdf_report

LAYOUT_VERSION = 2  # raise when the PDF changes in a way code_version() cannot see
POOL_KEY = "feedback.reports.pdf_pool"

log = logging.getLogger(__name__)
CACHE = CachedReportPdf.__table__


# -- the cache ---------------------------------------------------------------------------


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
            Round.status.in_(access.HR_STATUSES),
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
        "goals": goal_services.fingerprint(participant.id),  # printed on the plan page
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
                *(package / "templates" / "goals").glob("*.html"),
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
    lang = labels.report_language(participant.person)
    filename = filenames.report_filename(rnd.name, participant.person.name)
    if rnd.status not in access.HR_STATUSES:  # never reached through may_see; be safe
        return render_in_child(participant_id), filename
    key, round_id = cache_key(participant, lang), rnd.id
    db.session.rollback()  # no read transaction held while a PDF renders
    cached = _cached(participant_id, lang, key)
    if cached is not None:
        return cached, filename
    data = render_in_child(participant_id)
    _store(round_id, participant_id, lang, key, data)
    return data, filename


def _cached(participant_id: int, lang: str, key: str) -> bytes | None:
    with db.engine.connect() as connection:
        data = connection.scalar(
            sa.select(CACHE.c.data).where(
                CACHE.c.participant_id == participant_id,
                CACHE.c.lang == lang,
                CACHE.c.key == key,
            )
        )
    return bytes(data) if data is not None else None


def _store(round_id: int, participant_id: int, lang: str, key: str, data: bytes) -> None:
    """Keep this version, replacing an older one, in a transaction of its own."""
    try:
        with db.engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                connection.execute(
                    sa.delete(CACHE).where(
                        CACHE.c.participant_id == participant_id, CACHE.c.lang == lang
                    )
                )
                connection.execute(
                    sa.insert(CACHE).values(
                        participant_id=participant_id,
                        lang=lang,
                        round_id=round_id,
                        key=key,
                        data=data,
                        created_at=utcnow(),
                    )
                )
    except sa.exc.IntegrityError:  # another worker stored it at the same moment
        log.info("Report PDF %s-%s was cached by another worker meanwhile", participant_id, lang)


def clear_round(round_id: int) -> None:
    """Forget a round's cached PDFs (nothing needs it today; for maintenance)."""
    with db.engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            connection.execute(sa.delete(CACHE).where(CACHE.c.round_id == int(round_id)))


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
        data, _filename = pdf_report.report_pdf(participant)
        return data
