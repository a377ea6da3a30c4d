"""Jobs through RQ on a real Redis.

A dedicated database (FEEDBACK_TEST_REDIS_URL); other test runs may share it at the same time,
so each test uses a queue of its own and deletes what it made instead of flushing the database.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from feedback.jobs import enqueue
from feedback.jobs.runner import GENERIC_ERROR, RUNNER_KEY
from feedback.models import JobStatus

REDIS_URL = os.environ.get("FEEDBACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_conn():
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisError as error:
        connection.close()
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    yield connection
    connection.close()


@pytest.fixture
def queue_name(redis_conn):
    from rq import Queue

    name = f"feedback-test-{uuid.uuid4().hex[:12]}"
    yield name
    Queue(name, connection=redis_conn).delete(delete_jobs=True)
    for key in redis_conn.scan_iter(match=f"*{name}*"):
        redis_conn.delete(key)


@pytest.fixture
def rq_app(app, redis_conn, queue_name):
    app.config["REDIS_URL"] = REDIS_URL
    app.config["JOBS_QUEUE"] = queue_name
    return app


def _work_in_this_process(connection, queue_name):
    from rq import Queue, SimpleWorker

    worker = SimpleWorker([Queue(queue_name, connection=connection)], connection=connection)
    return worker.work(burst=True)


def test_job_goes_to_the_queue_and_a_worker_finishes_it(
    rq_app, db, redis_conn, queue_name, wait_for_job
):
    from rq import Queue

    job = enqueue("selftest", steps=3, delay=0)
    assert Queue(queue_name, connection=redis_conn).count == 1
    assert RUNNER_KEY not in rq_app.extensions  # nothing ran locally
    db.session.rollback()
    db.session.refresh(job)
    assert job.status == JobStatus.QUEUED

    assert _work_in_this_process(redis_conn, queue_name) is True

    job = wait_for_job(job.id)
    assert job.status == JobStatus.DONE
    assert (job.done, job.total) == (3, 3)


def test_failing_jobs_through_rq_end_failed_with_a_short_error(
    rq_app, db, redis_conn, queue_name, wait_for_job
):
    readable = enqueue("selftest", steps=2, fail_at=1, fail_message="No reports to build.")
    unexpected = enqueue("selftest", steps=2, fail_at=0)

    _work_in_this_process(redis_conn, queue_name)

    assert wait_for_job(readable.id).error == "No reports to build."
    failed = wait_for_job(unexpected.id)
    assert (failed.status, failed.error) == (JobStatus.FAILED, GENERIC_ERROR)


def _env(database_url, tmp_path):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        SECRET_KEY="worker-test",
        PYTHONPATH=str(ROOT),
    )
    return env


def test_worker_command_runs_jobs_in_burst_mode(
    rq_app, db, database_url, queue_name, tmp_path, wait_for_job
):
    job = enqueue("selftest", steps=2, delay=0)
    flask = Path(sys.executable).with_name("flask")

    completed = subprocess.run(
        [str(flask), "--app", "wsgi", "worker", "--burst", "--queue", queue_name],
        cwd=ROOT,
        env=_env(database_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    job = wait_for_job(job.id)
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 2, 2)


def test_plain_rq_worker_builds_the_app_itself(
    rq_app, db, database_url, queue_name, tmp_path, wait_for_job
):
    job = enqueue("selftest", steps=2, delay=0)
    rq = Path(sys.executable).with_name("rq")

    completed = subprocess.run(
        [str(rq), "worker", "--burst", "--url", REDIS_URL, queue_name],
        cwd=ROOT,
        env=_env(database_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert wait_for_job(job.id).status == JobStatus.DONE


def test_worker_command_needs_redis_url(app, runner):
    app.config["REDIS_URL"] = None
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output


def test_worker_command_says_when_redis_is_unreachable(app, runner):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "Cannot reach Redis" in result.output
