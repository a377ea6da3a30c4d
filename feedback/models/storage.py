"""Shared state kept in the database, not in a host's instance folder.

Every host and worker sees the same rows, so a ZIP built by an RQ worker on one machine is
downloaded through a web worker on another, and an import previewed on one host is
confirmed on the next. What lives here:

- `StoredFile` and `StoredFileChunk`: a job's result file (the round's report ZIP), in
  chunks of at most `CHUNK_SIZE`, written and read one chunk at a time;
- `CachedReportPdf`: one rendered report PDF per participant and language, the newest
  content version only (feedback/reports/pdf_cache.py);
- `ImportPreview`: the parsed rows of a people import waiting for HR to confirm them;
- `JobRunnerLease`: which process runs local jobs (one at a time per installation).
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.clock import utcnow
from feedback.extensions import db

CHUNK_SIZE = 1024 * 1024  # bytes per StoredFileChunk row


class StoredFile(db.Model):
    """A finished job's result file. Its bytes are in chunks; `removed_at` once purged."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    job_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("job.id", ondelete="CASCADE"), unique=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(300))  # the download's file name
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    complete: so.Mapped[bool] = so.mapped_column(default=False)  # every chunk is written
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    # After FILE_RETENTION_DAYS the chunks are deleted and this is set: the job's page
    # then says the file was removed.
    removed_at: so.Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_positive"),)


class StoredFileChunk(db.Model):
    file_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True
    )
    seq: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)


class CachedReportPdf(db.Model):
    """A report PDF of a closed or published round, as rendered for its content version."""

    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    lang: so.Mapped[str] = so.mapped_column(sa.String(2), primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(16))  # the content version
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)


class ImportPreview(db.Model):
    """Rows of an uploaded people file, kept until HR confirms (or UPLOAD_MAX_AGE passes).

    The key is the SHA-256 of the random upload id in HR's form, so a database copy holds
    no id that would confirm an import.
    """

    id_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    filename: so.Mapped[str] = so.mapped_column(sa.String(300))
    rows: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)


class JobRunnerLease(db.Model):
    """One row per local job slot (JOBS_PROCESSES): who runs a job in it, and since when.

    A slot is taken with one conditional UPDATE (free, or its holder unheard of for
    JOBS_LEASE_SECONDS), so two web workers, or two hosts, never take the same one.
    """

    slot: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    holder: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    job_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    renewed_at: so.Mapped[datetime | None]
