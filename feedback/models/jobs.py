"""Background jobs (bulk PDFs, sending invitations) and how far along they are."""

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.clock import utcnow
from feedback.extensions import db


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _new_id() -> str:
    return str(uuid.uuid4())


class Job(db.Model):
    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True, default=_new_id)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    round_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    # Keyword arguments for the job function: plain JSON, so any worker can run the job
    # from its id alone.
    params: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=JobStatus.QUEUED)
    done: so.Mapped[int] = so.mapped_column(default=0)
    total: so.Mapped[int] = so.mapped_column(default=0)
    message: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # Where the job wrote its result, relative to its scratch folder instance/jobs/; the
    # bytes themselves are in stored_file (feedback/jobs/results.py).
    result_path: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    error: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    started_at: so.Mapped[datetime | None]
    finished_at: so.Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="status_known"
        ),
        sa.CheckConstraint("done >= 0 AND total >= 0", name="progress_positive"),
    )

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
