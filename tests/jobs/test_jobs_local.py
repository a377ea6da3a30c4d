"""Jobs without Redis: they run in a separate local process, and the page follows them."""

import multiprocessing
import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback.jobs import (
    UnknownJobKind,
    enqueue,
    job_result_dir,
    report_progress,
    run_job,
    shutdown_pool,
)
from feedback.jobs.results import ResultReader, result_file
from feedback.jobs.runner import (
    GENERIC_ERROR,
    RUNNER_KEY,
    THREAD_PREFIX,
    _local_runner,
    _relative_result,
)
from feedback.models import Job, JobStatus


def test_selftest_runs_to_the_end_in_another_process(app, db, wait_for_job):
    job = enqueue("selftest", steps=4, write_result=True)
    assert app.extensions.get(RUNNER_KEY) is not None

    job = wait_for_job(job.id)

    assert job.status == JobStatus.DONE
    assert (job.done, job.total) == (4, 4)
    assert job.error is None
    assert job.started_at is not None and job.finished_at >= job.started_at
    text = ResultReader(result_file(job)).read().decode()
    pid = int(text.rsplit(" ", 1)[1])
    assert pid != os.getpid()  # never in the web worker
    assert not (Path(app.instance_path) / "jobs" / job.result_path).exists()  # in the database


def test_jobs_run_one_after_another_and_each_finishes(app, db, wait_for_job):
    jobs = [enqueue("selftest", steps=2, delay=0) for _ in range(3)]
    finished = [wait_for_job(job.id) for job in jobs]
    assert [job.status for job in finished] == [JobStatus.DONE] * 3
    assert all(job.done == job.total == 2 for job in finished)


def test_job_error_message_is_kept_short_and_readable(app, db, wait_for_job):
    job = enqueue("selftest", steps=3, fail_at=1, fail_message="This round has no managers.")
    job = wait_for_job(job.id)
    assert job.status == JobStatus.FAILED
    assert job.error == "This round has no managers."
    assert job.done == 1  # the progress it made stays visible


def test_unexpected_error_shows_a_generic_message_only(app, db, wait_for_job):
    job = enqueue("selftest", steps=3, fail_at=0)
    job = wait_for_job(job.id)
    assert job.status == JobStatus.FAILED
    assert job.error == GENERIC_ERROR
    assert "internal detail" not in job.error


def test_the_whole_flow_over_http(app, hr_client, wait_for_job):
    job_id = enqueue("selftest", steps=3, write_result=True).id
    wait_for_job(job_id)

    partial = hr_client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert "<html" not in html
    assert "3 of 3 steps" in html
    assert "hx-trigger" not in html  # finished: polling stops
    assert f"/jobs/{job_id}/download" in html

    with hr_client.get(f"/jobs/{job_id}/download") as download:
        assert download.status_code == 200
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.get_data(as_text=True).startswith(f"selftest {job_id}: 3 steps")


def test_unknown_kind_and_non_json_parameters_are_refused(db):
    with pytest.raises(UnknownJobKind):
        enqueue("no_such_kind")
    with pytest.raises(ValueError, match="plain JSON"):
        enqueue("selftest", when=object())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_unreachable_redis_marks_the_job_failed(app, db):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    job = enqueue("selftest")
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED
    assert job.error == "The job could not be started."


def test_run_job_runs_a_job_once_only(app, db):
    job = Job(kind="selftest", params={"steps": 2, "delay": 0})
    db.session.add(job)
    db.session.commit()
    run_job(job.id)
    db.session.rollback()  # end the read snapshot this session holds (SQLite WAL)
    db.session.refresh(job)
    assert (job.status, job.done, job.message) == (JobStatus.DONE, 2, "Counted 2")

    job.message = "kept"
    db.session.commit()
    run_job(job.id)  # a redelivered message: nothing happens
    db.session.rollback()
    db.session.refresh(job)
    assert (job.status, job.message) == (JobStatus.DONE, "kept")


def test_run_job_with_a_missing_row_or_unknown_kind(app, db):
    run_job("00000000-0000-0000-0000-000000000000")  # no row: nothing to do, no error
    job = Job(kind="retired_kind")
    db.session.add(job)
    db.session.commit()
    run_job(job.id)
    db.session.rollback()  # end the read snapshot this session holds (SQLite WAL)
    db.session.refresh(job)
    assert (job.status, job.error) == (JobStatus.FAILED, "Unknown kind of job.")


def test_report_progress_clamps_and_leaves_the_callers_session_alone(app, db):
    job = Job(kind="selftest", status=JobStatus.RUNNING)
    other = Job(kind="selftest", status=JobStatus.RUNNING)
    db.session.add_all([job, other])
    db.session.commit()
    job_id = job.id
    db.session.rollback()
    other.message = "not committed"  # pending in the caller's session

    report_progress(job_id, 12, 10, "x" * 500)

    db.session.rollback()
    db.session.refresh(job)
    db.session.refresh(other)
    assert (job.done, job.total, len(job.message)) == (10, 10, 200)
    assert other.message == ""


def test_a_result_outside_the_jobs_folder_is_refused(app_ctx, tmp_path):
    inside = job_result_dir() / "ok.zip"
    inside.write_bytes(b"zip")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("secret")
    assert _relative_result(inside) == "ok.zip"
    assert _relative_result("ok.zip") == "ok.zip"
    assert _relative_result(None) is None
    for bad in (outside, "../elsewhere.txt", "/etc/passwd", "missing.zip"):
        with pytest.raises(ValueError):
            _relative_result(bad)


def test_a_job_whose_process_dies_ends_failed(app, db, wait_for_job):
    job = wait_for_job(enqueue("selftest", steps=3, exit_at=1).id)
    assert job.status == JobStatus.FAILED
    assert job.error == "The job stopped unexpectedly."
    assert job.done == 1


def test_shutdown_finishes_the_jobs_and_leaves_nothing_behind(app, db):
    jobs = [enqueue("selftest", steps=2, delay=0) for _ in range(2)]

    shutdown_pool(app, cancel=False)

    assert multiprocessing.active_children() == []
    assert RUNNER_KEY not in app.extensions
    assert not [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]
    db.session.rollback()
    statuses = db.session.scalars(sa.select(Job.status).where(Job.id.in_([j.id for j in jobs])))
    assert list(statuses) == [JobStatus.DONE, JobStatus.DONE]


def test_shutdown_cancels_jobs_still_waiting(app, db, wait_for_job):
    busy = threading.Event()
    _local_runner(app).submit(busy.wait)  # the only runner thread is taken
    job_id = enqueue("selftest", steps=1, delay=0).id

    stopper = threading.Thread(target=shutdown_pool, args=(app,))
    stopper.start()
    job = wait_for_job(job_id)  # marked failed as soon as it is cancelled
    busy.set()
    stopper.join()

    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The app stopped before the job could run")
    assert not [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]
