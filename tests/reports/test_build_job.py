"""The "build_pdfs" job: every PDF of a round in one ZIP, started by HR from the round page.

Local mode runs the job in a spawned process; with Redis at FEEDBACK_TEST_REDIS_URL the
same job also runs through RQ (a queue of its own per test, a SimpleWorker in this process).
"""

import io
import os
import uuid
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from feedback.jobs import enqueue, result_file, shutdown_pool
from feedback.jobs.results import ResultReader
from feedback.models import Job, JobStatus, RaterGroup, RoundStatus
from tests.factories import (
    add_rated_participant,
    add_response,
    make_person,
    make_rated_manager,
    make_round,
    make_user,
    statement_ids,
)
from tests.waiting import wait_for_job

REDIS_URL = os.environ.get("FEEDBACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
NAMES = ("Anne Één", "Łukasz Ødegård", "Cor Drie")


@pytest.fixture(autouse=True)
def _stop_job_processes(app):
    yield
    shutdown_pool(app)


def rate(db, participant, rnd):
    ids = statement_ids(rnd)
    add_response(db, participant, group=RaterGroup.SELF, scores=dict.fromkeys(ids, 4), grade=7)
    for score in (3, 4, 5):
        add_response(
            db, participant, group=RaterGroup.DIRECT_REPORT, scores=dict.fromkeys(ids, score)
        )


def rated_round(db, status=RoundStatus.CLOSED, names=NAMES):
    """A round named "Voorjaar 2026" with one rated manager per name."""
    rnd, first, _links = make_rated_manager(db, reports=3, status=status)
    rnd.name = "Voorjaar 2026"
    first.person.name = names[0]
    db.session.commit()
    participants = [first] + [add_rated_participant(db, rnd, name=name) for name in names[1:]]
    for participant in participants:
        rate(db, participant, rnd)
    return rnd


def job_count(db) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Job))


def check_zip(app, job, names=NAMES) -> None:
    """One readable PDF per manager, in one ASCII-named folder, in the database only."""
    assert job.status == JobStatus.DONE, job.error
    assert (job.done, job.total) == (len(names), len(names))
    stored = result_file(job)
    assert stored is not None and stored.name == "feedback-voorjaar-2026.zip"
    assert job.result_path == f"{job.id}/feedback-voorjaar-2026.zip"
    # Nothing of the job is left on this host: no ZIP, no PDFs on their way into it.
    assert not (Path(app.instance_path) / "jobs" / job.id).exists()
    data = ResultReader(stored).read()
    assert len(data) == stored.size
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert len(infos) == len(names)
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos)
        assert all(info.filename.isascii() for info in infos)
        assert all(info.filename.startswith("feedback-voorjaar-2026/") for info in infos)
        assert all(info.filename.endswith(".pdf") for info in infos)
        found = set()
        for info in infos:
            data = archive.read(info)
            assert data.startswith(b"%PDF")
            text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
            found |= {name for name in names if name in text}
        assert found == set(names)


# --- The job ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [RoundStatus.CLOSED, RoundStatus.PUBLISHED])
def test_job_builds_a_zip_with_every_report(app, db, status):
    rnd = rated_round(db, status)
    job = wait_for_job(enqueue("build_pdfs", round_id=rnd.id).id)
    check_zip(app, job)
    assert job.message == "3 of 3 reports"


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.DRAFT])
def test_job_refuses_a_round_that_is_not_finished(app, db, status):
    rnd = rated_round(db, status, names=NAMES[:1])
    job = wait_for_job(enqueue("build_pdfs", round_id=rnd.id).id)
    assert job.status == JobStatus.FAILED
    assert f"is {status.value}" in job.error
    assert "closed or published" in job.error
    assert result_file(job) is None
    assert not (Path(app.instance_path) / "jobs" / job.id).exists()


def test_job_refuses_a_round_without_managers(app, db):
    rnd = make_round(db, name="Empty", status=RoundStatus.CLOSED)
    job = wait_for_job(enqueue("build_pdfs", round_id=rnd.id).id)
    assert job.status == JobStatus.FAILED
    assert "has no managers" in job.error


def test_job_without_a_round_fails_readably(app, db):
    job = wait_for_job(enqueue("build_pdfs").id)
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        "This job does not say which round to build.",
    )


# --- The button on the round page -------------------------------------------------------------


@pytest.fixture
def english_hr(hr_client):
    """HR reading in English (the switch; HR's pages are Dutch by default)."""
    assert hr_client.post("/language", data={"language": "en"}).status_code == 303
    return hr_client


def test_round_page_offers_the_build_and_the_reports(english_hr, db):
    hr_client = english_hr
    rnd = rated_round(db, names=NAMES[:1])
    html = hr_client.get(f"/admin/rounds/{rnd.id}").get_data(as_text=True)
    assert f'action="/reports/rounds/{rnd.id}/pdfs"' in html
    assert "Build all PDFs (ZIP)" in html
    assert f'href="/reports/rounds/{rnd.id}"' in html
    assert 'href="/reports/"' in html  # the nav's "Reports"
    listing = hr_client.get(f"/reports/rounds/{rnd.id}").get_data(as_text=True)
    assert f'action="/reports/rounds/{rnd.id}/pdfs"' in listing


def test_open_round_page_has_no_build_button(hr_client, db):
    rnd = rated_round(db, RoundStatus.OPEN, names=NAMES[:1])
    html = hr_client.get(f"/admin/rounds/{rnd.id}").get_data(as_text=True)
    assert "/pdfs" not in html


def test_button_starts_the_job_and_shows_its_progress(app, english_hr, db):
    hr_client = english_hr
    rnd = rated_round(db)
    response = hr_client.post(f"/reports/rounds/{rnd.id}/pdfs")
    assert response.status_code == 303
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    assert response.headers["Location"] == f"/jobs/{job_id}"
    job = db.session.get(Job, job_id)
    assert (job.kind, job.round_id) == ("build_pdfs", rnd.id)

    check_zip(app, wait_for_job(job_id))
    page = hr_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Building all PDFs" in page
    assert "3 of 3 reports" in page
    assert f"/jobs/{job_id}/download" in page
    download = hr_client.get(f"/jobs/{job_id}/download")
    data = download.data
    download.close()
    assert download.status_code == 200
    assert "feedback-voorjaar-2026.zip" in download.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None


def test_a_second_click_follows_the_build_already_running(hr_client, db):
    rnd = rated_round(db, names=NAMES[:1])
    running = Job(kind="build_pdfs", round_id=rnd.id, status=JobStatus.RUNNING)
    db.session.add(running)
    db.session.commit()
    before = job_count(db)
    response = hr_client.post(f"/reports/rounds/{rnd.id}/pdfs")
    assert response.headers["Location"] == f"/jobs/{running.id}"
    assert job_count(db) == before


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.DRAFT])
def test_button_refuses_an_unfinished_round_with_a_message(hr_client, db, status):
    rnd = rated_round(db, status, names=NAMES[:1])
    english = {"Accept-Language": "en"}
    response = hr_client.post(f"/reports/rounds/{rnd.id}/pdfs", headers=english)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/rounds/{rnd.id}"
    assert job_count(db) == 0
    page = hr_client.get(response.headers["Location"], headers=english).get_data(as_text=True)
    assert f"is {status.value}: reports are built only from a closed or published round" in page


@pytest.mark.parametrize(
    ("status", "word"), [(RoundStatus.OPEN, "open"), (RoundStatus.DRAFT, "concept")]
)
def test_the_refusal_is_in_hrs_language(hr_client, db, status, word):
    rnd = rated_round(db, status, names=NAMES[:1])
    hr_client.post(f"/reports/rounds/{rnd.id}/pdfs")  # no Accept-Language: Dutch, the default
    page = hr_client.get(f"/admin/rounds/{rnd.id}").get_data(as_text=True)
    assert f"is {word}: rapporten worden alleen gemaakt van een gesloten" in page
    assert "reports are built" not in page


def test_unknown_round_is_404(hr_client, db):
    assert hr_client.post("/reports/rounds/987654/pdfs").status_code == 404
    assert job_count(db) == 0


def test_manager_and_anonymous_cannot_start_a_build(client, auth, db):
    rnd = rated_round(db, RoundStatus.PUBLISHED, names=NAMES[:1])
    url = f"/reports/rounds/{rnd.id}/pdfs"
    anonymous = client.post(url)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    manager = make_person(db, name="Some Manager", role="manager")
    assert auth.login(make_user(db, role="manager", person=manager).email).status_code == 302
    assert client.post(url).status_code == 404
    assert job_count(db) == 0


def test_build_needs_the_csrf_token(app, hr_client, db):
    rnd = rated_round(db, names=NAMES[:1])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert hr_client.post(f"/reports/rounds/{rnd.id}/pdfs").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert job_count(db) == 0


# --- Through RQ -------------------------------------------------------------------------------


@pytest.fixture
def redis_queue(app):
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisError as error:
        connection.close()
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    name = f"feedback-test-{uuid.uuid4().hex[:12]}"
    app.config["REDIS_URL"] = REDIS_URL
    app.config["JOBS_QUEUE"] = name
    yield connection, name
    Queue(name, connection=connection).delete(delete_jobs=True)
    for key in connection.scan_iter(match=f"*{name}*"):
        connection.delete(key)
    connection.close()


def test_job_through_rq(app, db, redis_queue):
    from rq import Queue, SimpleWorker

    connection, name = redis_queue
    rnd = rated_round(db)
    job = enqueue("build_pdfs", round_id=rnd.id)
    queue = Queue(name, connection=connection)
    assert queue.count == 1
    assert SimpleWorker([queue], connection=connection).work(burst=True) is True
    check_zip(app, wait_for_job(job.id))
