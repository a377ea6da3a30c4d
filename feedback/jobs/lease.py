"""Local jobs run one at a time per installation, not per web worker: a lease in the database.

Without Redis every web worker (and every host) runs local jobs itself. Before a job's
process starts, its runner thread takes one of the installation's `JOBS_PROCESSES` slots
(rows of `job_runner_lease`) with one conditional UPDATE: the slot is free, or its holder
has not renewed it for `JOBS_LEASE_SECONDS` (a worker that died while running a job). The
UPDATE takes the row's lock (SQLite: the database's write lock), so of two runners asking
at once exactly one gets the slot; the other waits and asks again. While the job runs the
holder renews the lease every quarter of that time, and frees it when the job ends.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from feedback.clock import utcnow
from feedback.db import WRITE, insert_ignoring
from feedback.extensions import db
from feedback.models.storage import JobRunnerLease

LEASE = JobRunnerLease.__table__


def new_holder() -> str:
    """A name for one runner's claim: host, process and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def lease_seconds() -> float:
    return float(current_app.config["JOBS_LEASE_SECONDS"])


def claim(holder: str, job_id: str) -> int | None:
    """Take a free (or stale) slot for `job_id`; its number, or None when all are taken."""
    slots = max(1, int(current_app.config["JOBS_PROCESSES"]))
    now = utcnow()
    stale = now - timedelta(seconds=lease_seconds())
    with db.engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            connection.execute(
                insert_ignoring(connection, LEASE),
                [{"slot": slot} for slot in range(1, slots + 1)],
            )
            for slot in range(1, slots + 1):
                taken = connection.execute(
                    sa.update(LEASE)
                    .where(
                        LEASE.c.slot == slot,
                        sa.or_(LEASE.c.holder.is_(None), LEASE.c.renewed_at < stale),
                    )
                    .values(holder=holder, job_id=job_id, renewed_at=now)
                )
                if taken.rowcount == 1:
                    return slot
    return None


def renew(slot: int, holder: str) -> None:
    _update(slot, holder, {"renewed_at": utcnow()})


def release(slot: int, holder: str) -> None:
    _update(slot, holder, {"holder": None, "job_id": None, "renewed_at": None})


def _update(slot: int, holder: str, values: dict) -> None:
    with db.engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            connection.execute(
                sa.update(LEASE)
                .where(LEASE.c.slot == slot, LEASE.c.holder == holder)
                .values(values)
            )
