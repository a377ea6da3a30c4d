"""A job's result file, kept in the database so that every host can offer it for download.

A job function writes its file into its scratch folder, `job_result_dir()` (instance/jobs/
of the process the job runs in: folders 0700, files 0600), and returns its path. When the
job succeeds, the runner copies the file into `stored_file` and `stored_file_chunk`
(`CHUNK_SIZE` bytes a row, each chunk in a short transaction of its own, so SQLite's write
lock is never held for the whole file) and deletes the scratch copy; a failed job's scratch
files are deleted too. Nothing of a job stays in the instance folder.

The download reads one chunk at a time (`ResultReader`), on a connection of its own per
chunk, so no request holds a whole ZIP in memory, nor a transaction while a slow client
reads. After FILE_RETENTION_DAYS the purge deletes the chunks and keeps the `stored_file`
row with `removed_at` set (feedback/files.py), so the job's page can say the file was
removed. Deleting a job or its round deletes its file (foreign keys, ON DELETE CASCADE).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from feedback.db import WRITE
from feedback.extensions import db
from feedback.files import private_folder
from feedback.models import storage
from feedback.models.jobs import Job, JobStatus
from feedback.models.storage import StoredFile, StoredFileChunk


def job_result_dir() -> Path:
    """instance/jobs/: the scratch folder where job functions write their result (0700).

    Write result files with `feedback.files.open_private` (mode 0600). The runner moves
    the returned file into the database when the job ends.
    """
    return private_folder(Path(current_app.instance_path) / "jobs")


def store_result(job_id: str, path: Path, *, name: str | None = None) -> int:
    """Copy the file at `path` into the database as job `job_id`'s result, chunk by chunk.

    Returns the `stored_file` id. A result stored before for the job (a redelivered job)
    is replaced. On any error the partial copy is deleted again and the error raised. Like
    `report_progress` it writes on a connection of its own: on SQLite, end your session's
    transaction before calling it.
    """
    files, chunks = StoredFile.__table__, StoredFileChunk.__table__
    engine = db.engine
    with engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            connection.execute(sa.delete(files).where(files.c.job_id == job_id))
            file_id = connection.execute(
                sa.insert(files).values(
                    job_id=job_id, name=name or path.name, size=0, complete=False
                )
            ).inserted_primary_key[0]
        try:
            size = 0
            with path.open("rb") as handle:
                for seq, data in enumerate(iter(lambda: handle.read(storage.CHUNK_SIZE), b"")):
                    with connection.begin():
                        connection.execute(
                            sa.insert(chunks).values(file_id=file_id, seq=seq, data=data)
                        )
                    size += len(data)
            with connection.begin():
                connection.execute(
                    sa.update(files).where(files.c.id == file_id).values(size=size, complete=True)
                )
        except BaseException:
            if connection.in_transaction():
                connection.rollback()
            with connection.begin():
                connection.execute(sa.delete(files).where(files.c.id == file_id))
            raise
    return file_id


def clear_scratch(path: Path) -> None:
    """Delete a job's scratch file or folder below instance/jobs/ (never outside it)."""
    base = job_result_dir().resolve()
    target = path.resolve()
    if target == base or not target.is_relative_to(base):
        return
    if target.is_dir():
        shutil.rmtree(target, ignore_errors=True)
    else:
        target.unlink(missing_ok=True)
    parent = target.parent
    while parent != base and parent.is_relative_to(base):
        try:
            parent.rmdir()
        except OSError:  # not empty (or gone)
            break
        parent = parent.parent


def _stored(job: Job) -> StoredFile | None:
    if job.status != JobStatus.DONE or not job.result_path:
        return None
    return db.session.scalar(sa.select(StoredFile).where(StoredFile.job_id == job.id))


def result_file(job: Job) -> StoredFile | None:
    """The finished job's stored file, when it is complete and not yet removed."""
    stored = _stored(job)
    if stored is None or not stored.complete or stored.removed_at is not None:
        return None
    return stored


def result_removed(job: Job) -> bool:
    """A finished job's file was stored and is gone (removed after FILE_RETENTION_DAYS)."""
    stored = _stored(job)
    return stored is not None and stored.removed_at is not None


class ResultReader(io.RawIOBase):
    """A stored file as a binary stream that fetches one chunk at a time.

    Each chunk is read on a connection of its own, so it works after the request's
    session has ended (a streamed response) and holds no transaction between chunks.
    """

    def __init__(self, stored: StoredFile) -> None:
        super().__init__()
        self._engine = db.engine
        self._file_id = stored.id
        self.size = stored.size
        self._seq = 0
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        if not self._buffer:
            self._buffer = memoryview(self._next_chunk())
            if not self._buffer:
                return 0
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def _next_chunk(self) -> bytes:
        chunks = StoredFileChunk.__table__
        with self._engine.connect() as connection:
            data = connection.scalar(
                sa.select(chunks.c.data).where(
                    chunks.c.file_id == self._file_id, chunks.c.seq == self._seq
                )
            )
        if data is None:
            return b""
        self._seq += 1
        return bytes(data)
