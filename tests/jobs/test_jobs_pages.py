"""The progress page and the download: HR only, full page or htmx partial, safe files."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback import files
from feedback.clock import utcnow
from feedback.extensions import db as _db
from feedback.jobs import enqueue, result_file
from feedback.jobs.results import store_result
from feedback.models import Job, JobStatus, StoredFileChunk
from tests.factories import make_person, make_user


def _job(db, **values) -> str:
    job = Job(kind="selftest", **values)
    db.session.add(job)
    db.session.commit()
    return job.id


def test_running_job_full_page_and_partial(hr_client, db):
    job_id = _job(db, status=JobStatus.RUNNING, done=12, total=40, message="Building reports")

    page = hr_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "<html" in page
    assert '<progress max="40" value="12"' in page
    assert "12 of 40 steps" in page
    assert "Building reports" in page
    assert 'hx-trigger="every 1s"' in page
    assert "<noscript>" in page  # without JavaScript the page refreshes itself

    partial = hr_client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert partial.status_code == 200
    assert "<html" not in html
    assert f'hx-get="/jobs/{job_id}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "12 of 40 steps" in html


def test_boosted_request_gets_the_full_page(hr_client, db):
    job_id = _job(db, status=JobStatus.QUEUED)
    html = hr_client.get(
        f"/jobs/{job_id}", headers={"HX-Request": "true", "HX-Boosted": "true"}
    ).get_data(as_text=True)
    assert "<html" in html
    assert "Waiting to start" in html


def test_finished_job_stops_polling(hr_client, db):
    job_id = _job(db, status=JobStatus.DONE, done=3, total=3)
    html = hr_client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Done" in html
    assert "3 of 3 steps" in html
    assert "hx-trigger" not in html
    assert "/download" not in html  # no result file
    assert "<noscript>" not in hr_client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_failed_job_shows_its_short_error_and_no_traceback(hr_client, db):
    job_id = _job(db, status=JobStatus.FAILED, done=1, total=3, error="No reports to build.")
    for headers in ({}, {"HX-Request": "true"}):
        html = hr_client.get(f"/jobs/{job_id}", headers=headers).get_data(as_text=True)
        assert "Failed" in html
        assert "No reports to build." in html
        assert "Traceback" not in html
        assert "hx-trigger" not in html


def test_error_text_is_escaped(hr_client, db):
    job_id = _job(db, status=JobStatus.FAILED, error="<script>alert(1)</script>")
    html = hr_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("suffix", ["", "/download"])
def test_anonymous_is_sent_to_login(client, db, suffix):
    job_id = _job(db, status=JobStatus.DONE)
    response = client.get(f"/jobs/{job_id}{suffix}")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("suffix", ["", "/download"])
def test_manager_gets_404(client, auth, db, app, suffix, tmp_path):
    job_id = _job(db, status=JobStatus.DONE, result_path="report.zip")
    _store_result(job_id, "report.zip", b"zip", tmp_path)
    manager = make_user(role="manager", person=make_person(role="manager"))
    auth.login(manager.email)
    assert client.get(f"/jobs/{job_id}{suffix}").status_code == 404


@pytest.mark.parametrize("job_ref", [str(uuid.uuid4()), "not-a-uuid", "..%2F..%2Fsecret_key"])
def test_unknown_job_is_404(hr_client, job_ref):
    assert hr_client.get(f"/jobs/{job_ref}").status_code == 404
    assert hr_client.get(f"/jobs/{job_ref}/download").status_code == 404


def _store_result(job_id, name, content, tmp_path) -> None:
    path = tmp_path / "results" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    _db.session.rollback()  # no read snapshot held from before the store (SQLite WAL)
    store_result(job_id, path)


def test_download_sends_the_result_file(hr_client, db, app, tmp_path):
    job_id = _job(db, status=JobStatus.DONE, result_path="round-1.zip")
    _store_result(job_id, "round-1.zip", b"PK\x03\x04 zip bytes", tmp_path)

    html = hr_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f'href="/jobs/{job_id}/download"' in html

    with hr_client.get(f"/jobs/{job_id}/download") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == "attachment; filename=round-1.zip"
        assert response.data == b"PK\x03\x04 zip bytes"


def test_no_download_before_the_job_is_done(hr_client, db, app, tmp_path):
    job_id = _job(db, status=JobStatus.RUNNING, result_path="partial.zip")
    _store_result(job_id, "partial.zip", b"half", tmp_path)
    assert hr_client.get(f"/jobs/{job_id}/download").status_code == 404


def test_missing_result_file_is_404(hr_client, db):
    job_id = _job(db, status=JobStatus.DONE, result_path="gone.zip")
    assert hr_client.get(f"/jobs/{job_id}/download").status_code == 404


def test_download_never_leaves_the_jobs_folder(hr_client, db, app, tmp_path):
    secret = Path(app.instance_path) / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("do not serve")
    jobs_dir = Path(app.instance_path) / "jobs"
    jobs_dir.mkdir(parents=True, exist_ok=True)
    (jobs_dir / "link.txt").symlink_to(secret)
    for bad in ("../secret.txt", str(secret), "link.txt", "sub/../../secret.txt", "."):
        job_id = _job(db, status=JobStatus.DONE, result_path=bad)
        assert hr_client.get(f"/jobs/{job_id}/download").status_code == 404, bad
        page = hr_client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert "/download" not in page
        assert "The file was removed" not in page, bad  # it never was a file of ours


def test_a_file_removed_on_schedule_is_said_on_the_page(
    app, hr_client, db, wait_for_job, monkeypatch
):
    job = wait_for_job(enqueue("selftest", steps=1, delay=0, write_result=True).id)
    scratch = Path(app.instance_path) / "jobs" / job.result_path
    assert not scratch.exists()  # in the database, not in a host's folder
    assert result_file(job) is not None
    page = hr_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/jobs/{job.id}/download" in page and "The file was removed" not in page

    later = utcnow() + timedelta(days=8)
    monkeypatch.setattr(files, "utcnow", lambda: later)
    removed = files.remove_old_files(app.instance_path, 7)
    assert removed.others == 1 and result_file(job) is None
    chunks = db.session.scalar(sa.select(sa.func.count()).select_from(StoredFileChunk))
    assert chunks == 0  # the bytes are gone; the row remembers that there was a file

    for headers in ({}, {"HX-Request": "true"}):
        page = hr_client.get(f"/jobs/{job.id}", headers=headers).get_data(as_text=True)
        assert "/download" not in page
        assert "The file was removed: files are kept for 7 days after they are made." in page
    assert hr_client.get(f"/jobs/{job.id}/download").status_code == 404
