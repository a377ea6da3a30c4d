"""Jobs across hosts: results in the database, one local job at a time per installation.

"Another host" is a second app instance that shares only the database: its own instance
folder, its own job runner (tests/hosts.py).
"""

import io
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback import files
from feedback.clock import utcnow
from feedback.extensions import db as _db
from feedback.jobs import enqueue, result_file, shutdown_pool
from feedback.jobs import lease as job_lease
from feedback.jobs.results import ResultReader, store_result
from feedback.models import (
    CachedReportPdf,
    Job,
    JobRunnerLease,
    JobStatus,
    RaterGroup,
    Round,
    RoundStatus,
    StoredFile,
    StoredFileChunk,
    storage,
)
from tests.factories import add_response, make_rated_manager, make_user, statement_ids
from tests.hosts import another_host, logged_in_client


@pytest.fixture
def other(app, tmp_path):
    host = another_host(app, tmp_path / "other-host")
    yield host
    shutdown_pool(host)
    with host.app_context():
        _db.engine.dispose()


def count(model) -> int:
    _db.session.rollback()
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def closed_round(db) -> Round:
    rnd, participant, _links = make_rated_manager(db, reports=3, status=RoundStatus.CLOSED)
    rnd.name = "Voorjaar"
    db.session.commit()
    ids = statement_ids(rnd)
    for score in (3, 4, 5):
        add_response(
            db, participant, group=RaterGroup.DIRECT_REPORT, scores=dict.fromkeys(ids, score)
        )
    return rnd


def test_a_zip_built_in_a_job_process_is_downloaded_through_another_host(
    app, db, other, wait_for_job
):
    hr = make_user(db, role="hr")
    rnd = closed_round(db)
    job = wait_for_job(enqueue("build_pdfs", round_id=rnd.id).id)
    assert job.status == JobStatus.DONE, job.error

    with logged_in_client(other, hr.email) as client:
        page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
        assert f"/jobs/{job.id}/download" in page
        response = client.get(f"/jobs/{job.id}/download")
        data = response.data
        response.close()
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=feedback-voorjaar.zip"
    assert int(response.headers["Content-Length"]) == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [info] = archive.infolist()
        assert info.filename.startswith("feedback-voorjaar/")
        assert archive.read(info).startswith(b"%PDF")
    for instance in (app.instance_path, other.instance_path):  # on neither host's disk
        assert [p for p in Path(instance).rglob("*") if p.is_file()] == []


def test_a_large_result_is_stored_and_streamed_one_chunk_at_a_time(
    app, db, other, tmp_path, monkeypatch
):
    monkeypatch.setattr(storage, "CHUNK_SIZE", 64 * 1024)
    hr = make_user(db, role="hr")
    job = Job(kind="selftest", status=JobStatus.DONE, result_path="big.zip")
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    content = bytes(range(256)) * (10 * 1024 + 17)  # 2.6 MB and a bit: 41 chunks
    path = tmp_path / "big.zip"
    path.write_bytes(content)
    db.session.rollback()
    store_result(job_id, path)
    assert count(StoredFileChunk) == -(-len(content) // storage.CHUNK_SIZE)
    largest = []
    original = ResultReader._next_chunk

    def spy(reader):
        chunk = original(reader)
        largest.append(len(chunk))
        return chunk

    monkeypatch.setattr(ResultReader, "_next_chunk", spy)
    with logged_in_client(other, hr.email) as client:
        response = client.get(f"/jobs/{job_id}/download")
        data = response.data
        response.close()
    assert data == content
    assert max(largest) <= storage.CHUNK_SIZE  # never more than one chunk in memory


def test_a_failed_store_leaves_no_partial_file(app, db, tmp_path, monkeypatch):
    job = Job(kind="selftest", status=JobStatus.RUNNING)
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    db.session.rollback()
    missing = tmp_path / "never-written.zip"
    with pytest.raises(FileNotFoundError):
        store_result(job_id, missing)
    assert count(StoredFile) == 0 and count(StoredFileChunk) == 0


def test_deleting_a_round_deletes_its_job_files_and_cached_pdfs(app, db, tmp_path):
    rnd = closed_round(db)
    job = Job(kind="build_pdfs", round_id=rnd.id, status=JobStatus.DONE, result_path="a.zip")
    db.session.add(job)
    [participant] = rnd.participants
    db.session.add(
        CachedReportPdf(
            participant_id=participant.id, lang="nl", round_id=rnd.id, key="ab", data=b"%PDF"
        )
    )
    db.session.commit()
    job_id, round_id = job.id, rnd.id
    (tmp_path / "a.zip").write_bytes(b"PK" * 1000)
    db.session.rollback()
    store_result(job_id, tmp_path / "a.zip")
    assert count(StoredFileChunk) == 1
    db.session.execute(sa.delete(Round).where(Round.id == round_id))
    db.session.commit()
    assert count(StoredFile) == 0 and count(StoredFileChunk) == 0
    assert count(CachedReportPdf) == 0


def test_purge_removes_old_results_and_cached_pdfs(app, db, tmp_path):
    rnd = closed_round(db)
    [participant] = rnd.participants
    for lang, days in (("nl", 8), ("en", 1)):
        db.session.add(
            CachedReportPdf(
                participant_id=participant.id,
                lang=lang,
                round_id=rnd.id,
                key="ab12",
                data=b"%PDF",
                created_at=utcnow() - timedelta(days=days),
            )
        )
    old = Job(kind="build_pdfs", status=JobStatus.DONE, result_path="old.zip")
    new = Job(kind="selftest", status=JobStatus.DONE, result_path="new.txt")
    db.session.add_all([old, new])
    db.session.commit()
    ids = {"old": old.id, "new": new.id}
    for name, job_id in (("old.zip", ids["old"]), ("new.txt", ids["new"])):
        (tmp_path / name).write_bytes(b"bytes")
        db.session.rollback()
        store_result(job_id, tmp_path / name)
    db.session.execute(
        sa.update(StoredFile)
        .where(StoredFile.job_id == ids["old"])
        .values(created_at=utcnow() - timedelta(days=8))
    )
    db.session.commit()

    dry = files.remove_old_files(app.instance_path, 7, dry_run=True)
    assert (dry.zips, dry.pdfs, dry.others) == (1, 1, 0)
    assert count(StoredFileChunk) == 2 and count(CachedReportPdf) == 2
    removed = files.remove_old_files(app.instance_path, 7)
    assert (removed.zips, removed.pdfs, removed.others) == (1, 1, 0)
    assert count(StoredFileChunk) == 1
    assert db.session.scalars(sa.select(CachedReportPdf.lang)).all() == ["en"]
    old_job, new_job = db.session.get(Job, ids["old"]), db.session.get(Job, ids["new"])
    assert result_file(old_job) is None and result_file(new_job) is not None
    assert files.remove_old_files(app.instance_path, 7).total == 0  # once only


# -- one local job at a time per installation -------------------------------------------------


def test_two_hosts_run_their_local_jobs_one_after_the_other(app, db, other, wait_for_job):
    here = enqueue("selftest", steps=4, delay=0.25).id
    with other.app_context():
        there = enqueue("selftest", steps=4, delay=0.25).id
        _db.session.remove()
    jobs = sorted((wait_for_job(here), wait_for_job(there)), key=lambda job: job.started_at)
    assert [job.status for job in jobs] == [JobStatus.DONE, JobStatus.DONE]
    first, second = jobs
    assert second.started_at >= first.finished_at  # never both at once
    shutdown_pool(app, cancel=False)  # the runner threads are done when the jobs are
    shutdown_pool(other, cancel=False)
    db.session.rollback()
    lease = db.session.get(JobRunnerLease, 1)
    assert lease.holder is None  # freed after each job
    assert count(JobRunnerLease) == 1


@pytest.mark.parametrize("app_config", [{"JOBS_LEASE_SECONDS": 2}])
def test_a_job_waits_for_a_live_lease_and_takes_over_a_stale_one(app, db, wait_for_job):
    db.session.add(
        JobRunnerLease(slot=1, holder="elsewhere:1:x", job_id="busy", renewed_at=utcnow())
    )
    db.session.commit()
    job_id = enqueue("selftest", steps=1, delay=0).id
    db.session.rollback()  # reading the new job's id began a read: end it before writing
    # While the other holder renews its lease, the job waits its turn.
    for _ in range(6):
        db.session.execute(
            sa.update(JobRunnerLease).where(JobRunnerLease.slot == 1).values(renewed_at=utcnow())
        )
        db.session.commit()
        assert db.session.scalar(sa.select(Job.status).where(Job.id == job_id)) == "queued"
        # End the read: on SQLite the next UPDATE could not upgrade a snapshot older than
        # the runner's last claim attempt ("database is locked", whatever the busy timeout).
        db.session.rollback()
        time.sleep(0.5)
    # The holder stops renewing (its host died): after JOBS_LEASE_SECONDS the job runs.
    job = wait_for_job(job_id, limit=120)
    assert job.status == JobStatus.DONE
    shutdown_pool(app, cancel=False)
    db.session.rollback()
    assert db.session.get(JobRunnerLease, 1).holder is None


def test_claiming_a_slot_is_exclusive(app_ctx, other):
    assert job_lease.claim("a", "job-a") == 1
    with other.app_context():
        assert job_lease.claim("b", "job-b") is None  # the other host gets no slot
        _db.session.remove()
    job_lease.release(1, "b")  # not the holder: changes nothing
    with other.app_context():
        assert job_lease.claim("b", "job-b") is None
        _db.session.remove()
    job_lease.release(1, "a")
    with other.app_context():
        assert job_lease.claim("b", "job-b") == 1
        _db.session.remove()
