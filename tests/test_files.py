"""Files next to the database: created 0600, tightened at start-up, removed on schedule."""

import os
import sqlite3
import stat
import threading
import uuid
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback import create_app, files
from feedback.clock import utcnow
from feedback.config import Config, TestConfig
from feedback.db import database_identity
from feedback.extensions import db as _db
from feedback.models import DatabaseIdentity


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    """The common default umask (022): modes must not depend on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def sqlite_app(path: Path):
    class Settings(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    return create_app(Settings)


# -- the SQLite database -------------------------------------------------------------------------


def test_a_new_sqlite_database_and_its_wal_and_shm_are_0600(tmp_path, usual_umask):
    path = tmp_path / "fresh.db"
    app = sqlite_app(path)
    with app.app_context():
        assert path.exists() and mode(path) == 0o600  # made before SQLite opened it
        _db.create_all()
        with _db.engine.connect() as held:  # keeps the WAL from being removed at close
            held.execute(sa.text("SELECT count(*) FROM job")).scalar()
            database_identity()  # a write
            wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
            assert wal.stat().st_size > 0 and shm.exists()
            assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
        _db.engine.dispose()


def test_an_older_database_readable_by_others_is_tightened_at_start_up(tmp_path, usual_umask):
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)  # as an older version left it: 0644, with a WAL
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    side = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    assert [mode(p) for p in (path, *side)] == [0o644] * 3
    app = sqlite_app(path)
    try:
        assert [mode(p) for p in (path, *side)] == [0o600] * 3
    finally:
        connection.close()
        with app.app_context():
            _db.engine.dispose()


# -- the instance keys ---------------------------------------------------------------------------


def test_instance_key_files_are_created_0600(tmp_path, usual_umask, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SEAL_KEYS", raising=False)
    settings = Config.from_env(tmp_path)
    secret, seal = tmp_path / "secret_key", tmp_path / "seal_key"
    assert (mode(secret), mode(seal)) == (0o600, 0o600)
    assert settings["SECRET_KEY"] == secret.read_text().strip()
    assert Config.from_env(tmp_path)["SECRET_KEY"] == settings["SECRET_KEY"]  # kept


def test_key_files_of_an_older_version_are_tightened(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SEAL_KEYS", raising=False)
    Config.from_env(tmp_path)
    for name in ("secret_key", "seal_key"):
        (tmp_path / name).chmod(0o644)
    Config.from_env(tmp_path)
    assert (mode(tmp_path / "secret_key"), mode(tmp_path / "seal_key")) == (0o600, 0o600)


def test_a_secret_key_made_by_two_processes_at_once_is_one_key(tmp_path):
    results, barrier = [], threading.Barrier(8)

    def create():
        barrier.wait()
        results.append(files.create_private_once(tmp_path / "secret_key", uuid.uuid4().hex))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0] == (tmp_path / "secret_key").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left


def test_start_up_tightens_older_job_and_report_files(app, tmp_path):
    instance = Path(app.instance_path)
    old = [instance / "jobs" / "a" / "feedback-x.zip", instance / "reports-cache" / "1" / "1.pdf"]
    for path in old:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"old")
        path.chmod(0o644)
    assert sorted(files.tighten_instance(app)) == sorted(old)
    assert [mode(p) for p in old] == [0o600, 0o600]


# -- the database's identity -----------------------------------------------------------------------


def test_database_identity_is_made_once_even_by_workers_at_the_same_time(app):
    values, errors, barrier = [], [], threading.Barrier(6)

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                values.append(database_identity())
            except Exception as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(values)) == 1 and uuid.UUID(values[0])
    with app.app_context():
        rows = _db.session.scalars(sa.select(DatabaseIdentity)).all()
        assert [(row.id, row.value) for row in rows] == [(1, values[0])]
        assert database_identity() == values[0]


# -- removal after FILE_RETENTION_DAYS -----------------------------------------------------------


def put(path: Path, days_old: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    moment = (utcnow() - timedelta(days=days_old)).replace(tzinfo=UTC).timestamp()
    os.utime(path, (moment, moment))
    return path


@pytest.fixture
def stored(tmp_path):
    """An instance folder with old and recent job files and cached PDFs."""
    jobs, cache = tmp_path / "jobs", tmp_path / "reports-cache"
    identity = str(uuid.uuid4())
    return {
        "old_zip": put(jobs / "job-old" / "feedback-spring.zip", 8),
        "new_zip": put(jobs / "job-new" / "feedback-autumn.zip", 1),
        "old_pdf": put(cache / identity / "3" / "7-nl-0123abcd.pdf", 10),
        "new_pdf": put(cache / identity / "3" / "8-en-4567cdef.pdf", 6.9),
        "old_part": put(cache / identity / "3" / ".tmp123.part", 9),
        "older_layout": put(cache / "2" / "5-nl-89ab.pdf", 30),  # before database folders
        "key": put(tmp_path / "secret_key", 400),
        "database": put(tmp_path / "feedback.db", 400),
    }


def test_old_files_are_removed_and_recent_ones_kept(stored, tmp_path):
    result = files.remove_old_files(tmp_path, 7)
    assert (result.zips, result.pdfs, result.others) == (1, 2, 1)
    gone = {"old_zip", "old_pdf", "old_part", "older_layout"}
    assert {name for name, path in stored.items() if not path.exists()} == gone
    assert not (tmp_path / "jobs" / "job-old").exists()  # its folder went with it
    assert not (tmp_path / "reports-cache" / "2").exists()
    assert (tmp_path / "jobs").is_dir() and (tmp_path / "reports-cache").is_dir()
    assert files.remove_old_files(tmp_path, 7).total == 0  # again: nothing left to do


def test_a_dry_run_only_counts(stored, tmp_path):
    result = files.remove_old_files(tmp_path, 7, dry_run=True)
    assert (result.zips, result.pdfs, result.others, result.dry_run) == (1, 2, 1, True)
    assert all(path.exists() for path in stored.values())


def test_moving_the_clock_ages_the_files(stored, tmp_path, monkeypatch):
    assert files.remove_old_files(tmp_path, 40).total == 0
    later = utcnow() + timedelta(days=41)
    monkeypatch.setattr(files, "utcnow", lambda: later)
    assert files.remove_old_files(tmp_path, 40).total == 6
    assert stored["key"].exists() and stored["database"].exists()  # never touched


def test_removal_never_follows_a_symlink(tmp_path):
    outside = put(tmp_path / "elsewhere" / "keep.zip", 100)
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "link").symlink_to(outside.parent, target_is_directory=True)
    (tmp_path / "jobs" / "file-link.zip").symlink_to(outside)
    assert files.remove_old_files(tmp_path, 7).total == 0
    assert outside.exists()


def test_retention_below_one_day_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        files.remove_old_files(tmp_path, 0)


def test_the_purge_command_removes_old_files_and_says_so(app, runner):
    instance = Path(app.instance_path)
    old_zip = put(instance / "jobs" / "job-old" / "feedback-spring.zip", 8)
    old_pdf = put(instance / "reports-cache" / str(uuid.uuid4()) / "1" / "1-nl-ab.pdf", 8)
    new_pdf = put(instance / "reports-cache" / str(uuid.uuid4()) / "1" / "2-nl-cd.pdf", 2)

    dry = runner.invoke(args=["purge-invitations", "--dry-run", "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert "Files older than 7 days: would remove 1 report ZIP, 1 cached PDF." in dry.output
    assert old_zip.exists() and old_pdf.exists()

    real = runner.invoke(args=["purge-invitations", "--lang", "en"])
    assert real.exit_code == 0, real.output
    assert "Files older than 7 days: removed 1 report ZIP, 1 cached PDF." in real.output
    assert not old_zip.exists() and not old_pdf.exists() and new_pdf.exists()

    again = runner.invoke(args=["purge-invitations", "--lang", "en"])
    assert "No report ZIP or cached PDF is older than 7 days." in again.output

    app.config["FILE_RETENTION_DAYS"] = 1
    shorter = runner.invoke(args=["purge-invitations", "--lang", "en"])
    assert "Files older than 1 day: removed 0 report ZIPs, 1 cached PDF." in shorter.output
