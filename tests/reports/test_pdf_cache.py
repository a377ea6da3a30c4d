"""The single PDF download: rendered in a child process, then served from the disk cache."""

import os
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest

from feedback.models import RaterGroup, RoundStatus
from feedback.reports import pdf_cache, services
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


def login(client, auth, user):
    auth.logout()
    assert auth.login(user.email).status_code == 302


def cache_files(app) -> list[Path]:
    return sorted((Path(app.instance_path) / pdf_cache.CACHE_FOLDER).rglob("*.pdf"))


def no_render(participant_id):
    raise AssertionError("rendered although the PDF was cached")


def test_second_download_is_served_from_the_cache(app, client, auth, world, monkeypatch):
    login(client, auth, world.users["anne"])
    url = f"/reports/{world.ids['anne']}.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    [cached] = cache_files(app)
    assert cached.parent.name == str(world.round_id)
    assert cached.name.startswith(f"{world.ids['anne']}-nl-")
    assert cached.read_bytes() == first.data

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

    monkeypatch.setattr(services, "report_pdf", render_here)
    login(client, auth, world.users["hr"])
    response = client.get(f"/reports/{world.ids['bert']}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert pdf_cache.POOL_KEY in app.extensions  # the child process did it


def test_a_manager_cannot_reach_another_managers_cached_file(app, client, auth, world, monkeypatch):
    login(client, auth, world.users["anne"])
    url = f"/reports/{world.ids['anne']}.pdf"
    assert client.get(url).status_code == 200
    assert len(cache_files(app)) == 1

    monkeypatch.setattr(pdf_cache, "render_in_child", no_render)
    login(client, auth, world.users["bert"])
    assert client.get(url).status_code == 404
    auth.logout()
    assert client.get(url).status_code == 302  # to the login page, not the file
    login(client, auth, world.users["hr"])
    assert client.get(url).status_code == 200  # HR may, from the cache


def test_a_renamed_manager_gets_a_fresh_report(app, client, auth, world, db, monkeypatch):
    login(client, auth, world.users["anne"])
    url = f"/reports/{world.ids['anne']}.pdf"
    client.get(url)
    [old] = cache_files(app)

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
    [new] = cache_files(app)
    assert new != old and not old.exists()  # the stale version is gone
    assert client.get(url).data == b"%PDF-new" and len(renders) == 1


def test_cache_files_stay_in_the_cache_folder(app, client, auth, world):
    login(client, auth, world.users["hr"])
    for key in ("anne", "bert"):
        assert client.get(f"/reports/{world.ids[key]}.pdf").status_code == 200
    root = (Path(app.instance_path) / pdf_cache.CACHE_FOLDER).resolve()
    files = cache_files(app)
    assert len(files) == 2
    assert all(f.resolve().is_relative_to(root / str(world.round_id)) for f in files)
    pdfs_elsewhere = [
        p for p in Path(app.instance_path).rglob("*.pdf") if not p.resolve().is_relative_to(root)
    ]
    assert pdfs_elsewhere == []
    leftovers = [p for p in root.rglob("*") if p.is_file() and p.suffix != ".pdf"]
    assert leftovers == []  # no temporary files stay behind


@pytest.mark.parametrize(
    ("round_id", "participant_id", "lang", "key"),
    [
        (1, 1, "../../etc", "ab12"),
        (1, 1, "nl", "../x"),
        (1, 1, "nl", ""),
        (1, 1, "de", "ab12"),
        ("..", 1, "nl", "ab12"),
        (1, "../1", "nl", "ab12"),
        (-1, 1, "nl", "ab12"),
        (1, 0, "nl", "ab12"),
    ],
)
def test_cache_path_refuses_anything_but_plain_values(app_ctx, round_id, participant_id, lang, key):
    with pytest.raises(pdf_cache.CacheRefused):
        pdf_cache.cache_path(round_id, participant_id, lang, key)


def test_cache_path_is_inside_the_round_folder(app_ctx):
    path = pdf_cache.cache_path(3, 7, "en", "0123abcd")
    root = (Path(app_ctx.instance_path) / "reports-cache").resolve()
    assert path == root / "3" / "7-en-0123abcd.pdf"


def test_a_dead_pdf_process_is_replaced(app, client, auth, world):
    login(client, auth, world.users["hr"])
    assert client.get(f"/reports/{world.ids['anne']}.pdf").status_code == 200
    child = pdf_cache._pool(app).submit(os.getpid).result()
    assert child != os.getpid()
    os.kill(child, signal.SIGKILL)

    response = client.get(f"/reports/{world.ids['bert']}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert pdf_cache._pool(app).submit(os.getpid).result() not in (child, os.getpid())


def test_a_stopped_pdf_process_is_started_again(app, client, auth, world):
    login(client, auth, world.users["hr"])
    assert client.get(f"/reports/{world.ids['anne']}.pdf").status_code == 200
    pdf_cache.shutdown_pdf_process()  # every app's, as at exit
    response = client.get(f"/reports/{world.ids['bert']}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
