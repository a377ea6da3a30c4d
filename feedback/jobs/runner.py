"""Enqueue jobs, run them in a worker, and record their progress in the `job` table.

Two ways to run, chosen by `REDIS_URL`:

- set: jobs go to the RQ queue "feedback" (`JOBS_QUEUE`) on that Redis; run workers with
  `flask --app wsgi worker` (or `rq worker feedback --url $REDIS_URL`, with the app's
  environment: the job builds its own app with `create_app()`).
- unset (a laptop): each job runs in a fresh local process (feedback/processes.py), one
  job at a time in the whole installation, whichever web worker or host enqueued it
  (`JOBS_PROCESSES`, default 1; the slots are leases in the database, see `lease`). Never
  in the web worker itself: WeasyPrint keeps the memory it takes, and the job process
  gives it all back when it exits.

The worker needs nothing but the job's id: kind and parameters are in its row. A result
file goes into the database when the job ends (`results`), so every host can offer it.
"""

import atexit
import json
import logging
import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from feedback.clock import utcnow
from feedback.config import Config
from feedback.db import WRITE, begin_write
from feedback.extensions import db
from feedback.jobs import lease
from feedback.jobs.registry import UnknownJobKind, get_kind, resolve
from feedback.jobs.results import clear_scratch, job_result_dir, store_result
from feedback.models.jobs import Job, JobStatus
from feedback.processes import AppSnapshot, app_context, start_process

QUEUE_NAME = Config.JOBS_QUEUE  # the default queue
RUNNER_KEY = "feedback.jobs.runner"
THREAD_PREFIX = "feedback-jobs"


def N_(message: str) -> str:
    """Mark a message for the catalogue: a job stores it in English, its page shows it in
    the reader's language (feedback/jobs/status.py)."""
    return message


GENERIC_ERROR = N_("Something went wrong. The details are in the server log.")
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
    job = Job(kind=kind, round_id=round_id, params=params, message=N_("Waiting to start"))
    db.session.add(job)
    db.session.flush()
    job_id = job.id  # read before the commit: no new read transaction afterwards
    db.session.commit()
    try:
        _dispatch(current_app._get_current_object(), job_id)
    except Exception:
        log.exception("Could not hand job %s (%s) to a worker", job_id, kind)
        _finish(job_id, JobStatus.FAILED, error=N_("The job could not be started."))
    db.session.expire(job)
    return job


def _dispatch(app: Flask, job_id: str) -> None:
    redis_url = app.config["REDIS_URL"]
    if redis_url:
        _rq_queue(redis_url, app.config["JOBS_QUEUE"]).enqueue(
            "feedback.jobs.run_job",
            job_id,
            job_id=f"feedback-{job_id}",
            job_timeout=app.config["JOBS_TIMEOUT"],
            result_ttl=0,
            failure_ttl=7 * 24 * 3600,
        )
        return
    runner = _local_runner(app)
    future = runner.submit(_run_locally, app, runner, AppSnapshot.of(app), job_id)
    future.add_done_callback(partial(_after_local_run, app, job_id))


def _rq_queue(redis_url: str, name: str):
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(redis_url))


# -- the local job process ----------------------------------------------------------------
#
# A thread of the web process takes the jobs one at a time; for each it waits for a slot of
# the installation (`lease`: one job at a time across every web worker and host, by
# default), then runs the job in a fresh spawned process, which builds its own app from
# the parent's settings and exits when the job is done: no memory stays behind, and no
# idle process waits between jobs.


class _LocalRunner(ThreadPoolExecutor):
    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers, thread_name_prefix=THREAD_PREFIX)
        self.stopping = threading.Event()  # set by shutdown_pool: waiting jobs give up


class _StoppedWaiting(Exception):
    """The app stopped while the job waited for its turn."""


_runner_lock = threading.Lock()
_runners: "weakref.WeakSet[_LocalRunner]" = weakref.WeakSet()


def _local_runner(app: Flask) -> _LocalRunner:
    with _runner_lock:
        runner = app.extensions.get(RUNNER_KEY)
        if runner is None:
            runner = _LocalRunner(app.config["JOBS_PROCESSES"])
            app.extensions[RUNNER_KEY] = runner
            _runners.add(runner)
        return runner


def _run_locally(
    app: Flask, runner: _LocalRunner, snapshot: AppSnapshot, job_id: str
) -> int | None:
    """In a runner thread: wait for a slot of the installation, run the job, free the slot."""
    holder = lease.new_holder()
    with app.app_context():
        seconds = lease.lease_seconds()
    while True:
        with app.app_context():
            status = db.session.scalar(sa.select(Job.status).where(Job.id == job_id))
            if status != JobStatus.QUEUED:
                return 0  # already run, or failed meanwhile: nothing to do
            slot = lease.claim(holder, job_id)
        if slot is not None:
            break
        if runner.stopping.wait(min(1.0, seconds / 10)):
            raise _StoppedWaiting

    def renew() -> None:
        with app.app_context():
            lease.renew(slot, holder)

    try:
        return start_process(
            snapshot,
            run_job,
            job_id,
            name=f"feedback-job-{job_id[:8]}",
            heartbeat=renew,
            every=seconds / 4,
        )
    finally:
        with app.app_context():
            lease.release(slot, holder)


def _after_local_run(app: Flask, job_id: str, future: Future) -> None:
    """When the job never ran or its process died, say so on the job's row."""
    if future.cancelled() or isinstance(future.exception(), _StoppedWaiting):
        error = N_("The app stopped before the job could run. Please start it again.")
    elif future.exception() is not None:
        log.error("Job %s could not be run", job_id, exc_info=future.exception())
        error = N_("The job could not be started.")
    elif future.result() != 0:
        log.error("The process of job %s ended with exit code %s", job_id, future.result())
        error = N_("The job stopped unexpectedly.")
    else:
        return
    try:
        with app.app_context():
            _finish(
                job_id,
                JobStatus.FAILED,
                error=error,
                only_from=(JobStatus.QUEUED, JobStatus.RUNNING),
            )
    except Exception:
        log.exception("Could not mark job %s as failed", job_id)


def shutdown_pool(app: Flask | None = None, *, cancel: bool = True) -> None:
    """Stop running local jobs for `app` (for every app when None).

    Waits for a job already running; jobs still waiting are cancelled (and marked failed)
    unless `cancel` is false.
    """
    with _runner_lock:
        runners = [app.extensions.pop(RUNNER_KEY, None)] if app is not None else list(_runners)
    for runner in runners:
        if runner is not None:
            if cancel:
                runner.stopping.set()
            runner.shutdown(wait=True, cancel_futures=cancel)
            _runners.discard(runner)


atexit.register(shutdown_pool)


# -- running a job (in the worker) -------------------------------------------------------


def run_job(job_id: str) -> None:
    """Entry point in a worker: run the job once, recording start, progress and the end."""
    with app_context():
        _run(job_id)


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
        _finish(job_id, JobStatus.FAILED, error=N_("Unknown kind of job."))
        return
    if not _mark_running(job_id):
        log.info("Job %s was already started; not running it again", job_id)
        return
    try:
        result = function(job_id, **params)
        result_path = _relative_result(result)
        if result_path is not None:
            _keep_result(job_id, job_result_dir() / result_path)
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
        _finish(job_id, JobStatus.FAILED, error=N_("The job was interrupted."))
        raise
    else:
        _finish(job_id, JobStatus.DONE, result_path=result_path)


def _mark_running(job_id: str) -> bool:
    """Queued → running, exactly once (a redelivered job does not run twice)."""
    begin_write()
    result = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow(), message=N_("Started"))
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


def _keep_result(job_id: str, path: Path) -> None:
    """Move the job's result file from its scratch folder into the database."""
    try:
        store_result(job_id, path)
    finally:
        clear_scratch(path)


# -- the worker command ---------------------------------------------------------------------


def run_worker(*, burst: bool = False, queue: str | None = None) -> bool:
    """Run an RQ worker on the jobs queue (from `flask --app wsgi worker`).

    The queue is `queue`, else the `JOBS_QUEUE` setting, else "feedback".
    """
    redis_url = current_app.config["REDIS_URL"]
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
    name = queue or current_app.config["JOBS_QUEUE"]
    worker = Worker([Queue(name, connection=connection)], connection=connection)
    return worker.work(burst=burst)


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
