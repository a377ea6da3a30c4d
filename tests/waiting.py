"""Waiting for background jobs in tests: a hang guard, never a speed check."""

import time

import pytest
import sqlalchemy as sa

from feedback.extensions import db as _db
from feedback.models import Job, JobStatus

WAIT_LIMIT_SECONDS = 180  # PDF builds on a busy machine included


def wait_for_job(job_id: str, limit: float = WAIT_LIMIT_SECONDS) -> Job:
    """Poll the job row, each time in a fresh transaction, until it is done or failed."""
    deadline = time.monotonic() + limit
    while True:
        _db.session.rollback()
        status = _db.session.scalar(sa.select(Job.status).where(Job.id == job_id))
        if status in (JobStatus.DONE, JobStatus.FAILED):
            job = _db.session.get(Job, job_id)
            _db.session.refresh(job)
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {status} after {limit} s")
        time.sleep(0.1)
