"""The single PDF download: rendered in a child process, then served from the database cache."""

import os
import signal
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from feedback import create_app
from feedback.config import TestConfig
from feedback.db import database_identity
from feedback.extensions import db as _db
from feedback.models import CachedReportPdf, Participant, RaterGroup, RoundStatus
from feedback.reports import pdf_cache, pdf_report
from tests.factories import (
    add_participant,
    add_response,
    make_person,
    make_round,
    make_user,
    statement_ids,
)


def rate(db, participant, rnd):
    ids = statement_ids(rnd)
    add_response(db, participant, group=RaterGroup.SELF, scores=dict.fromkeys(ids, 4), grade=7)
    for score in (3, 4, 5):
        add_response(
            db, participant, group=RaterGroup.DIRECT_REPORT, scores=dict.fromkeys(ids, score)
        )


@pytest.fixture
def world(db):
    anne = make_person(db, name="Anne Manager", role="manager", language="nl")
    bert = make_person(db, name="Bert Manager", role="manager", language="en")
    rnd = make_round(db, name="Spring", status=RoundStatus.PUBLISHED)
    parts = {"anne": add_participant(db, rnd, anne), "bert": add_participant(db, rnd, bert)}
    for part in parts.values():
        rate(db, part, rnd)
    users = {
        "anne": make_user(db, role="manager", person=anne),
        "bert": make_user(db, role="manager", person=bert),
        "hr": make_user(db, role="hr"),
    }
    return SimpleNamespace(
        round_id=rnd.id, ids={k: p.id for k, p in parts.items()}, users=users, anne=anne
    )


def cache_rows() -> list[CachedReportPdf]:
    _db.session.rollback()  # a fresh read
    _db.session.expire_all()
    return list(
        _db.session.scalars(
            sa.select(CachedReportPdf).order_by(
                CachedReportPdf.participant_id, CachedReportPdf.lang
            )
        )
    )


def pdfs_on_disk(app) -> list[Path]:
    return sorted(Path(app.instance_path).rglob("*.pdf"))


def no_render(participant_id):
    raise AssertionError("rendered although the PDF was cached")


def test_second_download_is_served_from_the_cache(app, client, auth, world, monkeypatch):
    auth.login_as(world.users["anne"])
    url = f"/reports/{world.ids['anne']}.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    [cached] = cache_rows()
    assert cached.round_id == world.round_id
    assert (cached.participant_id, cached.lang) == (world.ids["anne"], "nl")
    assert cached.data == first.data
    assert pdfs_on_disk(app) == []  # in the database, so every host serves it

    monkeypatch.setattr(pdf_cache, "render_in_child", no_render)
    second = client.get(url)
    assert second.status_code == 200
    assert second.data == first.data
    assert second.headers["Content-Disposition"] == (
        'attachment; filename="feedback-spring-anne-manager.pdf"'
    )
    assert "no-store" in second.headers["Cache-Control"]


def test_the_web_process_never_renders(app, client, auth, world, monkeypatch):
    def render_here(*_args, **_kwargs):
        raise AssertionError("WeasyPrint ran in the web process")

    monkeypatch.setattr(pdf_report, "report_pdf", render_here)
    auth.login_as(world.users["hr"])
    response = client.get(f"/reports/{world.ids['bert']}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert pdf_cache.POOL_KEY in app.extensions  # the child process did it


def test_a_manager_cannot_reach_another_managers_cached_file(app, client, auth, world, monkeypatch):
    auth.login_as(world.users["anne"])
    url = f"/reports/{world.ids['anne']}.pdf"
    assert client.get(url).status_code == 200
    assert len(cache_rows()) == 1

    monkeypatch.setattr(pdf_cache, "render_in_child", no_render)
    auth.login_as(world.users["bert"])
    assert client.get(url).status_code == 404
    auth.logout()
    assert client.get(url).status_code == 302  # to the login page, not the file
    auth.login_as(world.users["hr"])
    assert client.get(url).status_code == 200  # HR may, from the cache


def test_a_renamed_manager_gets_a_fresh_report(app, client, auth, world, db, monkeypatch):
    auth.login_as(world.users["anne"])
    url = f"/reports/{world.ids['anne']}.pdf"
    client.get(url)
    [old] = cache_rows()
    old_key = old.key

    world.anne.name = "Anne Renamed"
    db.session.commit()
    renders = []

    def fake_render(participant_id):
        renders.append(participant_id)
        return b"%PDF-new"

    monkeypatch.setattr(pdf_cache, "render_in_child", fake_render)
    response = client.get(url)
    assert response.data == b"%PDF-new"
    assert renders == [world.ids["anne"]]
    [new] = cache_rows()
    assert new.key != old_key and new.data == b"%PDF-new"  # the stale version is gone
    assert client.get(url).data == b"%PDF-new" and len(renders) == 1


def test_cached_pdfs_are_kept_in_the_database_only(app, client, auth, world):
    old_umask = os.umask(0o022)  # the usual default: no file is made whatever it says
    try:
        auth.login_as(world.users["hr"])
        for key in ("anne", "bert"):
            assert client.get(f"/reports/{world.ids[key]}.pdf").status_code == 200
    finally:
        os.umask(old_umask)
    rows = cache_rows()
    assert [(r.participant_id, r.round_id) for r in rows] == [
        (world.ids["anne"], world.round_id),
        (world.ids["bert"], world.round_id),
    ]
    assert all(r.data.startswith(b"%PDF") for r in rows)
    assert pdfs_on_disk(app) == []
    assert not (Path(app.instance_path) / "reports-cache").exists()


def test_a_cached_pdf_is_served_only_for_its_participant_language_and_version(app_ctx, world):
    pdf_cache._store(world.round_id, world.ids["anne"], "nl", "0123abcd", b"%PDF-anne")
    assert pdf_cache._cached(world.ids["anne"], "nl", "0123abcd") == b"%PDF-anne"
    assert pdf_cache._cached(world.ids["anne"], "en", "0123abcd") is None
    assert pdf_cache._cached(world.ids["bert"], "nl", "0123abcd") is None
    assert pdf_cache._cached(world.ids["anne"], "nl", "4567cdef") is None
    pdf_cache._store(world.round_id, world.ids["anne"], "nl", "4567cdef", b"%PDF-newer")
    assert pdf_cache._cached(world.ids["anne"], "nl", "0123abcd") is None  # replaced
    assert [r.data for r in cache_rows()] == [b"%PDF-newer"]
    pdf_cache.clear_round(world.round_id)
    assert cache_rows() == []


def fake_renderer(data: bytes, renders: list):
    def render(participant_id):
        renders.append(participant_id)
        return data

    return render


def test_two_databases_sharing_the_instance_folder_never_share_a_pdf(
    app, db, world, tmp_path, monkeypatch
):
    """Round and participant ids are the same in both databases: the files are not."""

    class OtherConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'other.db'}"

    other = create_app(OtherConfig)
    other.instance_path = app.instance_path  # one instance folder for both
    renders = []
    with other.app_context():
        _db.create_all()
        anne = make_person(_db, name="Anne Elsewhere", role="manager", language="nl")
        rnd = make_round(_db, name="Spring", status=RoundStatus.PUBLISHED)
        other_part = add_participant(_db, rnd, anne)
        rate(_db, other_part, rnd)
        other_id = other_part.id
        assert (rnd.id, other_id) == (world.round_id, world.ids["anne"])
        other_identity = database_identity()
        monkeypatch.setattr(pdf_cache, "render_in_child", fake_renderer(b"%PDF-other", renders))
        data, _name = pdf_cache.cached_report_pdf(_db.session.get(Participant, other_id))
        assert data == b"%PDF-other"
        _db.session.remove()
    try:
        assert database_identity() != other_identity
        monkeypatch.setattr(pdf_cache, "render_in_child", fake_renderer(b"%PDF-this", renders))
        mine = db.session.get(Participant, world.ids["anne"])
        assert pdf_cache.cached_report_pdf(mine)[0] == b"%PDF-this"
        assert len(renders) == 2  # the other database's PDF was not served
        assert [r.data for r in cache_rows()] == [b"%PDF-this"]  # each database its own

        # Each is served its own file from the cache from now on; neither evicted the other.
        monkeypatch.setattr(pdf_cache, "render_in_child", no_render)
        assert pdf_cache.cached_report_pdf(mine)[0] == b"%PDF-this"
        with other.app_context():
            theirs = _db.session.get(Participant, other_id)
            assert pdf_cache.cached_report_pdf(theirs)[0] == b"%PDF-other"
            _db.session.remove()
    finally:
        with other.app_context():
            _db.engine.dispose()


def test_a_new_content_version_is_never_served_stale(app, db, world, monkeypatch):
    """Publishing, a stored response more, or a new layout: the cached file is not used."""
    participant = db.session.get(Participant, world.ids["anne"])
    rnd = participant.round
    rnd.status, rnd.published_at = RoundStatus.CLOSED, None
    db.session.commit()
    renders = []
    versions = iter([b"%PDF-1", b"%PDF-2", b"%PDF-3", b"%PDF-4"])

    def render(participant_id):
        renders.append(participant_id)
        return next(versions)

    monkeypatch.setattr(pdf_cache, "render_in_child", render)

    def download() -> bytes:
        return pdf_cache.cached_report_pdf(db.session.get(Participant, world.ids["anne"]))[0]

    assert download() == b"%PDF-1"
    assert download() == b"%PDF-1" and len(renders) == 1  # the same version: from the cache

    rnd = db.session.get(Participant, world.ids["anne"]).round
    rnd.status, rnd.published_at = RoundStatus.PUBLISHED, datetime(2027, 4, 1, 9, 0)
    db.session.commit()
    assert download() == b"%PDF-2"

    ids = statement_ids(rnd)
    add_response(db, participant, group=RaterGroup.PEER, scores=dict.fromkeys(ids, 2))
    assert download() == b"%PDF-3"

    monkeypatch.setattr(pdf_cache, "LAYOUT_VERSION", pdf_cache.LAYOUT_VERSION + 1)
    assert download() == b"%PDF-4"
    assert len(renders) == 4
    assert len(cache_rows()) == 1  # only the newest version is kept


def test_a_dead_pdf_process_is_replaced(app, client, auth, world):
    auth.login_as(world.users["hr"])
    assert client.get(f"/reports/{world.ids['anne']}.pdf").status_code == 200
    child = pdf_cache._pool(app).submit(os.getpid).result()
    assert child != os.getpid()
    os.kill(child, signal.SIGKILL)

    response = client.get(f"/reports/{world.ids['bert']}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert pdf_cache._pool(app).submit(os.getpid).result() not in (child, os.getpid())


def test_a_stopped_pdf_process_is_started_again(app, client, auth, world):
    auth.login_as(world.users["hr"])
    assert client.get(f"/reports/{world.ids['anne']}.pdf").status_code == 200
    pdf_cache.shutdown_pdf_process()  # every app's, as at exit
    response = client.get(f"/reports/{world.ids['bert']}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
