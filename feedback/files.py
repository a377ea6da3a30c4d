"""Files the app keeps next to the database: private to the app's user, removed on schedule.

Everything the app writes outside the database can tell who is who or what was said: the
SQLite database with its `-wal` and `-shm`, the instance keys (`instance/secret_key`,
`instance/seal_key`), and a job's scratch files while it runs (`instance/jobs/`). Cached
report PDFs, job results such as the round's report ZIP, and import previews are kept in
the database (feedback/models/storage.py), so every host sees them; older versions kept
the first two in `instance/reports-cache/` and `instance/jobs/`. So:

- Files are created with mode 0600 and folders with 0700, explicitly (`os.open` with a
  mode, then `fchmod` for a file that already existed), never by changing the umask: a
  process-wide umask would also apply to whatever else the process writes, and could
  loosen it.
- At start-up (`tighten_instance`, called when the app is created) files of an older
  version that are readable by others are set to 0600: the keys and the report and job
  files; the database files are tightened by feedback/db.py.
- Cached PDFs and job results are removed once they are older than FILE_RETENTION_DAYS
  (default 7) by `flask --app wsgi purge-invitations` (`remove_old_files`): the rows in
  the database by the time they were stored, and files left in the instance folder (by
  an older version, or an interrupted job) by their modification time. A cached PDF is
  simply rendered again; a job whose file was removed says so on its page.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, has_app_context

from feedback.clock import utcnow

FILE_MODE = 0o600
FOLDER_MODE = 0o700
KEY_FILES = ("secret_key", "seal_key")
JOBS_FOLDER = "jobs"  # a running job's scratch files (feedback/jobs/results.py)
REPORTS_CACHE_FOLDER = "reports-cache"  # cached PDFs of older versions (now in the database)


# -- private files ---------------------------------------------------------------------------


def open_private(path: str | Path, mode: str = "wb"):
    """Open `path` for writing as a file only the app's user can read (mode 0600).

    A file that already exists is truncated and its mode set to 0600 as well.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: str | Path, data: bytes) -> None:
    with open_private(path) as handle:
        handle.write(data)


def create_private_once(path: Path, text: str) -> str:
    """Create `path` with `text` (mode 0600) unless it exists; return what the file holds.

    Race-safe: the text is written to a temporary file first and linked into place, which
    fails when another process got there first; then that process's text is returned.
    Nobody ever reads a half-written file.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        with contextlib.suppress(FileExistsError):  # another process was first: keep its
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    make_private(path)
    return path.read_text()


def make_private(path: str | Path) -> bool:
    """Set an existing regular file to 0600 when others (or the group) may read it.

    True when the mode was changed; a missing file or a symlink is left alone.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o077:
        return False
    os.chmod(path, stat.S_IMODE(info.st_mode) & FILE_MODE)
    return True


def private_folder(path: Path) -> Path:
    """Create the folder `path` (and its parents) as 0700 when it does not exist yet."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return path


def ensure_private_file(path: Path) -> None:
    """Create an empty 0600 file at `path` when it does not exist (for SQLite to fill)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def tighten_instance(app: Flask) -> list[Path]:
    """At start-up: make the instance's keys, cached PDFs and job files 0600.

    Returns the files whose mode was changed (files written by an older version).
    """
    instance = Path(app.instance_path)
    changed = [instance / name for name in KEY_FILES if make_private(instance / name)]
    for folder in (JOBS_FOLDER, REPORTS_CACHE_FOLDER):
        for path in _files_under(instance / folder):
            if make_private(path):
                changed.append(path)
    return changed


def _files_under(root: Path):
    """Regular files below `root`, without following symlinks."""
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


# -- removal after FILE_RETENTION_DAYS -------------------------------------------------------


@dataclass(frozen=True)
class FileCleanup:
    days: int
    zips: int  # job results: the round's report ZIPs
    pdfs: int  # cached report PDFs
    others: int  # other job files, leftovers of an interrupted write
    dry_run: bool = False

    @property
    def total(self) -> int:
        return self.zips + self.pdfs + self.others


def remove_old_files(instance_path: str | Path, days: int, *, dry_run: bool = False):
    """Remove job results and cached PDFs made more than `days` days ago.

    Inside an app context, the rows in that app's database (`_remove_old_rows`); and the
    files under `instance_path` last written before then. The clock is feedback.clock
    (tests move it); a file's age is its modification time. Folders left empty by the
    removal go too. Files still being written are recent and stay; symlinks are never
    followed.
    """
    if days < 1:
        raise ValueError("FILE_RETENTION_DAYS must be at least 1.")
    moment = utcnow() - timedelta(days=days)
    cutoff = moment.replace(tzinfo=UTC).timestamp()
    instance = Path(instance_path)
    counts = {"zips": 0, "pdfs": 0, "others": 0}
    if has_app_context():
        _remove_old_rows(moment, counts, dry_run=dry_run)
    for folder in (JOBS_FOLDER, REPORTS_CACHE_FOLDER):
        root = instance / folder
        emptied: set[Path] = set()
        for path in _files_under(root):
            if path.lstat().st_mtime >= cutoff:
                continue
            if path.suffix == ".zip" and folder == JOBS_FOLDER:
                counts["zips"] += 1
            elif path.suffix == ".pdf" and folder == REPORTS_CACHE_FOLDER:
                counts["pdfs"] += 1
            else:
                counts["others"] += 1
            if not dry_run:
                path.unlink(missing_ok=True)
                emptied.add(path.parent)
        _remove_empty_folders(root, emptied)
    return FileCleanup(days=days, dry_run=dry_run, **counts)


def _remove_old_rows(before, counts: dict[str, int], *, dry_run: bool) -> None:
    """Job results and cached PDFs stored before `before`, in one write transaction.

    A job result keeps its `stored_file` row with `removed_at` set (its page says the file
    was removed); its chunks and the cached PDFs are deleted.
    """
    from feedback.db import begin_write
    from feedback.extensions import db
    from feedback.models.storage import CachedReportPdf, StoredFile, StoredFileChunk

    begin_write()
    results = db.session.execute(
        sa.select(StoredFile.id, StoredFile.name).where(
            StoredFile.created_at < before, StoredFile.removed_at.is_(None)
        )
    ).all()
    old_pdfs = sa.select(CachedReportPdf).where(CachedReportPdf.created_at < before)
    counts["zips"] += sum(1 for _id, name in results if name.endswith(".zip"))
    counts["others"] += sum(1 for _id, name in results if not name.endswith(".zip"))
    counts["pdfs"] += db.session.scalar(sa.select(sa.func.count()).select_from(old_pdfs.subquery()))
    if dry_run:
        db.session.rollback()
        return
    ids = [file_id for file_id, _name in results]
    for start in range(0, len(ids), 500):  # stay under the bind-parameter limit
        chunk = ids[start : start + 500]
        db.session.execute(sa.delete(StoredFileChunk).where(StoredFileChunk.file_id.in_(chunk)))
        db.session.execute(
            sa.update(StoredFile).where(StoredFile.id.in_(chunk)).values(removed_at=utcnow())
        )
    db.session.execute(sa.delete(CachedReportPdf).where(CachedReportPdf.created_at < before))
    db.session.commit()


def _remove_empty_folders(root: Path, emptied: set[Path]) -> None:
    """Remove the folders (below `root`) that removing files left empty, and their empty
    parents; a folder that was empty already may be about to be written into."""
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()
            except OSError:  # not empty (or gone): stop here
                break
            folder = folder.parent
