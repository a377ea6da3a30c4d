"""Enqueue jobs, run them in a worker, and record their progress in the `job` table.

Two ways to run, chosen by `REDIS_URL`:

- set: jobs go to the RQ queue "feedback" on that Redis; run workers with
  `flask --app wsgi worker` (or `rq worker feedback --url $REDIS_URL`, with the app's
  environment: the job builds its own app with `create_app()`).
- unset (a laptop): jobs run in a separate local process, started on first use, one job at
  a time. Never in the web worker itself: WeasyPrint keeps the memory it takes, so the job
  process is replaced after `JOBS_TASKS_PER_CHILD` jobs (default 1).

The worker needs nothing but the job's id: kind and parameters are in its row.
"""

import atexit
import json
import logging
import multiprocessing
import pickle
import threading
import weakref
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from feedback.clock import utcnow
from feedback.db import WRITE, begin_write
from feedback.extensions import db
from feedback.jobs.registry import UnknownJobKind, get_kind, resolve
from feedback.models.jobs import Job, JobStatus

QUEUE_NAME = "feedback"
POOL_KEY = "feedback.jobs.pool"
GENERIC_ERROR = "Something went wrong. The details are in the server log."
MAX_ERROR = 300
MAX_MESSAGE = 200

log = logging.getLogger(__name__)


class JobError(Exception):
    """A failure whose message HR may read ("This round has no participants")."""


class WorkerNotConfigured(RuntimeError):
    pass


# -- enqueue ----------------------------------------------------------------------------


def enqueue(kind: str, round_id: int | None = None, **params) -> Job:
    """Record a job, commit, and hand it to a worker. Commits the session.

    `params` must be plain JSON (ids, strings, numbers): the worker reads them from the row.
    When the job cannot be handed over, it is returned already marked failed.
    """
    get_kind(kind)  # raises UnknownJobKind
    try:
        json.dumps(params)
    except TypeError as error:
        raise ValueError(f"job parameters must be plain JSON: {error}") from error
    begin_write()
    job = Job(kind=kind, round_id=round_id, params=params, message="Waiting to start")
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    try:
        _dispatch(current_app._get_current_object(), job_id)
    except Exception:
        log.exception("Could not hand job %s (%s) to a worker", job_id, kind)
        _finish(job_id, JobStatus.FAILED, error="The job could not be started.")
    db.session.expire(job)
    return job


def _dispatch(app: Flask, job_id: str) -> None:
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        _rq_queue(redis_url).enqueue(
            "feedback.jobs.run_job",
            job_id,
            job_id=f"feedback-{job_id}",
            job_timeout=app.config.get("JOBS_TIMEOUT", 3 * 3600),
            result_ttl=0,
            failure_ttl=7 * 24 * 3600,
        )
        return
    try:
        future = _local_pool(app).submit(run_job, job_id)
    except BrokenProcessPool:
        shutdown_pool(app)
        future = _local_pool(app).submit(run_job, job_id)
    future.add_done_callback(partial(_after_local_run, app, job_id))


def _rq_queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))


# -- the local job process ----------------------------------------------------------------

_pool_lock = threading.Lock()
_pools: "weakref.WeakSet[ProcessPoolExecutor]" = weakref.WeakSet()
_worker_app: Flask | None = None


def _local_pool(app: Flask) -> ProcessPoolExecutor:
    with _pool_lock:
        pool = app.extensions.get(POOL_KEY)
        if pool is None:
            pool = ProcessPoolExecutor(
                max_workers=app.config.get("JOBS_PROCESSES", 1),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker_process,
                initargs=(_picklable_config(app), app.instance_path),
                max_tasks_per_child=app.config.get("JOBS_TASKS_PER_CHILD", 1),
            )
            app.extensions[POOL_KEY] = pool
            _pools.add(pool)
        return pool


def _picklable_config(app: Flask) -> dict:
    """The app's settings as a plain dict the spawned process can rebuild the app from."""
    config = {}
    for key, value in app.config.items():
        if not key.isupper():
            continue
        try:
            pickle.dumps(value)
        except (pickle.PicklingError, TypeError, AttributeError):
            log.debug("Setting %s is not passed to the job process", key)
            continue
        config[key] = value
    return config


def _init_worker_process(config: dict, instance_path: str) -> None:
    """Runs once in each new job process: build an app just like the parent's."""
    global _worker_app
    from feedback import create_app

    app = create_app(config)
    app.instance_path = instance_path
    _worker_app = app


def _after_local_run(app: Flask, job_id: str, future: Future) -> None:
    """The job process died or the job never ran: say so on the job's row."""
    if not future.cancelled() and future.exception() is None:
        return
    try:
        with app.app_context():
            _finish(
                job_id,
                JobStatus.FAILED,
                error="The job stopped unexpectedly.",
                only_from=(JobStatus.QUEUED, JobStatus.RUNNING),
            )
    except Exception:
        log.exception("Could not mark job %s as failed", job_id)


def shutdown_pool(app: Flask | None = None, *, cancel: bool = True) -> None:
    """Stop the local job process of `app` (of every app when None) and wait for it."""
    with _pool_lock:
        pools = [app.extensions.pop(POOL_KEY, None)] if app is not None else list(_pools)
    for pool in pools:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=cancel)
            _pools.discard(pool)


atexit.register(shutdown_pool)


# -- running a job (in the worker) -------------------------------------------------------


def run_job(job_id: str) -> None:
    """Entry point in a worker: run the job once, recording start, progress and the end."""
    with _app_for_worker().app_context():
        _run(job_id)


def _app_for_worker() -> Flask:
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from feedback import create_app

        _worker_app = create_app()
    return _worker_app


def _run(job_id: str) -> None:
    job = db.session.get(Job, job_id)
    if job is None:
        log.warning("Job %s does not exist (any more)", job_id)
        return
    kind, params = job.kind, dict(job.params or {})
    try:
        function = resolve(kind)
    except (UnknownJobKind, ImportError, AttributeError):
        log.exception("Job %s has an unknown kind %r", job_id, kind)
        _finish(job_id, JobStatus.FAILED, error="Unknown kind of job.")
        return
    if not _mark_running(job_id):
        log.info("Job %s was already started; not running it again", job_id)
        return
    try:
        result = function(job_id, **params)
        result_path = _relative_result(result)
    except JobError as error:
        db.session.rollback()
        log.warning("Job %s (%s) failed: %s", job_id, kind, error)
        _finish(job_id, JobStatus.FAILED, error=_short(str(error), MAX_ERROR) or GENERIC_ERROR)
    except Exception:
        db.session.rollback()
        log.exception("Job %s (%s) failed", job_id, kind)
        _finish(job_id, JobStatus.FAILED, error=GENERIC_ERROR)
    except BaseException:
        db.session.rollback()
        _finish(job_id, JobStatus.FAILED, error="The job was interrupted.")
        raise
    else:
        _finish(job_id, JobStatus.DONE, result_path=result_path)


def _mark_running(job_id: str) -> bool:
    """Queued → running, exactly once (a redelivered job does not run twice)."""
    begin_write()
    result = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow(), message="Started")
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(
    job_id: str,
    status: JobStatus,
    *,
    only_from: tuple[JobStatus, ...] | None = None,
    **values,
) -> None:
    begin_write()
    statement = sa.update(Job).where(Job.id == job_id)
    if only_from:
        statement = statement.where(Job.status.in_(only_from))
    db.session.execute(statement.values(status=status, finished_at=utcnow(), **values))
    db.session.commit()


def report_progress(job_id: str, done: int, total: int, message: str = "") -> None:
    """Record progress from inside a job function, in a short transaction of its own.

    It uses its own connection and does not commit the caller's session. On SQLite call it
    between your own write transactions, not inside one (it would wait for your own lock).
    """
    total = max(0, int(total))
    done = max(0, int(done))
    if total:
        done = min(done, total)
    with db.engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            connection.execute(
                sa.update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                .values(done=done, total=total, message=_short(message, MAX_MESSAGE))
            )


# -- result files --------------------------------------------------------------------------


def job_result_dir() -> Path:
    """instance/jobs/: where job functions put files for download (created on demand)."""
    path = Path(current_app.instance_path) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _relative_result(result: object) -> str | None:
    """A job function's returned path, as stored: relative to instance/jobs/, inside it."""
    if result is None:
        return None
    if not isinstance(result, str | Path):
        raise TypeError("a job function returns None or the path of its result file")
    base = job_result_dir().resolve()
    path = (base / result).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise ValueError("a job's result file must exist inside instance/jobs/")
    return path.relative_to(base).as_posix()


def result_file(job: Job) -> Path | None:
    """The finished job's file, only when it really is a file inside instance/jobs/."""
    if job.status != JobStatus.DONE or not job.result_path:
        return None
    base = (Path(current_app.instance_path) / "jobs").resolve()
    path = (base / job.result_path).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


# -- the worker command ---------------------------------------------------------------------


def run_worker(*, burst: bool = False) -> bool:
    """Run an RQ worker on the "feedback" queue (from `flask --app wsgi worker`)."""
    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        raise WorkerNotConfigured(
            "REDIS_URL is not set. Without it jobs run inside the app and no worker is needed."
        )
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue, Worker

    connection = Redis.from_url(redis_url)
    try:
        connection.ping()
    except RedisError as error:
        raise WorkerNotConfigured(f"Cannot reach Redis at REDIS_URL: {error}") from error
    # Each job runs in a forked work horse; it must not share the parent's connections.
    db.engine.dispose()
    worker = Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection)
    return worker.work(burst=burst)


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
