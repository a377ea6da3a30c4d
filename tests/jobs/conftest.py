"""Fixtures for background jobs: an HR login, waiting for a job, and no leftover processes."""

import time

import pytest
import sqlalchemy as sa

from feedback.extensions import db as _db
from feedback.jobs import shutdown_pool
from feedback.models import Job, JobStatus
from tests.factories import make_user

# A hang guard, not a speed check: a job that never finishes fails the test after this.
WAIT_LIMIT_SECONDS = 120


@pytest.fixture(autouse=True)
def _stop_job_processes(app):
    yield
    shutdown_pool(app)


@pytest.fixture
def hr_client(client, auth, app_ctx):
    user = make_user(role="hr")
    assert auth.login(user.email).status_code == 302
    return client


def _wait_for_job(job_id: str) -> Job:
    """Poll the row (in fresh transactions) until the job is done or failed."""
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while True:
        _db.session.rollback()
        status = _db.session.scalar(sa.select(Job.status).where(Job.id == job_id))
        if status in (JobStatus.DONE, JobStatus.FAILED):
            job = _db.session.get(Job, job_id)
            _db.session.refresh(job)
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {status} after {WAIT_LIMIT_SECONDS} s")
        time.sleep(0.1)


@pytest.fixture
def wait_for_job(app_ctx):
    return _wait_for_job
