"""The deduce checker process and its socket: asked within a budget, never in the way.

Most tests serve a stand-in for deduce (the protocol, the budget, the lock); one starts the
real checker when deduce is installed and built (`make test` builds it), and skips saying
why otherwise.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from feedback.identifying import build, check, deduce_checker, org_names


class FakeDeduce:
    version = "fake"

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.texts = []

    def annotate(self, text):
        self.texts.append(text)
        time.sleep(self.delay)
        start = text.find("Kees")
        return [] if start < 0 else [(start, start + 4, "persoon")]


@pytest.fixture
def short_dir():
    """A folder with a short path (a socket's path must fit in 108 bytes)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="id-") as folder:
        yield Path(folder)


@pytest.fixture
def serving(short_dir):
    """Serve a stand-in for deduce on a socket; yields (path, fake)."""
    servers = []

    def start(fake=None, idle=0):
        fake = fake or FakeDeduce()
        path = short_dir / f"c{len(servers)}.sock"
        ready = threading.Event()
        thread = threading.Thread(
            target=deduce_checker.serve,
            args=(path, idle),
            kwargs={"ready": ready, "checker": fake},
            daemon=True,
        )
        thread.start()
        assert ready.wait(10)
        servers.append(path)
        return path, fake

    yield start


def test_the_checker_answers_over_its_socket(serving):
    path, fake = serving()
    assert deduce_checker.ping(path) == {"ready": True, "deduce": "fake"}
    assert deduce_checker.ask(path, "Vraag het Kees.", 1.0) == [(10, 14, "persoon")]
    assert deduce_checker.ask(path, "Niemand.", 1.0) == []
    assert deduce_checker.ask_later(path, "Kees!", 1.0)() == [(0, 4, "persoon")]
    assert fake.texts == ["Vraag het Kees.", "Niemand.", "Kees!"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_no_checker_is_no_answer_at_once(short_dir):
    began = time.monotonic()
    assert deduce_checker.ask(short_dir / "none.sock", "Kees", 1.0) is None
    assert deduce_checker.ask_later(short_dir / "none.sock", "Kees", 1.0)() is None
    assert deduce_checker.ping(short_dir / "none.sock") is None
    assert time.monotonic() - began < 0.5


def test_a_slow_checker_is_given_up_on_after_the_budget(serving):
    path, _fake = serving(FakeDeduce(delay=0.5))
    began = time.monotonic()
    assert deduce_checker.ask(path, "Kees", 0.05) is None
    assert time.monotonic() - began < 0.3


def test_a_bad_request_gets_an_error_and_the_checker_goes_on(serving):
    import socket

    path, _fake = serving()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(path))
        sock.sendall(b"not json\n")
        assert b"bad request" in sock.recv(1000)
    assert deduce_checker.ask(path, "Kees", 1.0) == [(0, 4, "persoon")]


def test_one_checker_per_socket(serving):
    path, _fake = serving()
    assert deduce_checker.serve(path, 0, checker=FakeDeduce()) == 0  # returns: lock taken
    assert deduce_checker.ping(path) is not None  # the first one still answers


def test_an_idle_checker_stops_and_removes_its_socket(serving, monkeypatch):
    path, _fake = serving(idle=0.2)
    deadline = time.monotonic() + 10
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not path.exists()


def test_a_stopping_checker_does_not_wait_for_a_text_still_being_checked(serving):
    """Its asker gave up after the budget already: stopping (here on idling, as on SIGTERM)
    removes the socket and returns while deduce is still busy with that text."""
    release = threading.Event()

    class Stuck(FakeDeduce):
        def annotate(self, text):
            release.wait(60)
            return []

    path, _fake = serving(Stuck(), idle=0.2)
    try:
        assert deduce_checker.ask(path, "Kees", 0.05) is None
        deadline = time.monotonic() + 5
        while path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not path.exists(), "stopping waited for the text being checked"
    finally:
        release.set()


def test_a_socket_path_too_long_goes_to_a_private_folder(app, tmp_path):
    app.config["IDENTIFYING_SOCKET"] = str(tmp_path / ("x" * 120) / "identifying.sock")
    path = deduce_checker.socket_path(app)
    assert len(str(path)) <= 100
    assert path.parent.stat().st_mode & 0o077 == 0
    assert deduce_checker.socket_path(app) == path  # the same long path, the same socket
    app.config["IDENTIFYING_SOCKET"] = None
    app.instance_path = "/srv/feedback/instance"
    assert deduce_checker.socket_path(app) == Path("/srv/feedback/instance/identifying.sock")


def test_starting_is_skipped_without_deduce_and_not_retried_at_once(monkeypatch, short_dir):
    started = []

    class Child:
        def __init__(self, command, **_options):
            started.append(command)

        def poll(self):
            return 0  # ended: reaped at the next start

    monkeypatch.setattr(deduce_checker.subprocess, "Popen", Child)
    monkeypatch.setattr(deduce_checker, "_started", [])
    monkeypatch.setattr(deduce_checker, "_last_start", {})
    monkeypatch.setattr(deduce_checker, "deduce_installed", lambda: False)
    assert not deduce_checker.start_in_background(short_dir / "a.sock", 60)
    monkeypatch.setattr(deduce_checker, "deduce_installed", lambda: True)
    assert deduce_checker.start_in_background(short_dir / "a.sock", 60)
    assert not deduce_checker.start_in_background(short_dir / "a.sock", 60)  # within a minute
    assert len(started) == 1
    assert started[0][1:3] == ["-m", "feedback.identifying.deduce_checker"]
    assert len(deduce_checker._started) == 1


def test_the_install_step_warns_and_goes_on_without_deduce(monkeypatch, capsys):
    monkeypatch.setattr(build, "deduce_installed", lambda: False)
    assert build.main([]) == 0
    assert "warning: deduce is not installed" in capsys.readouterr().err


def test_the_install_step_warns_and_goes_on_when_deduce_fails(monkeypatch, capsys):
    def fail(force=False):
        raise MemoryError("no room")

    monkeypatch.setattr(build, "deduce_installed", lambda: True)
    monkeypatch.setattr(build, "build", fail)
    assert build.main([]) == 0
    assert "could not build" in capsys.readouterr().err


@pytest.mark.skipif(not deduce_checker.deduce_installed(), reason="deduce is not installed")
def test_the_real_checker_with_deduce(short_dir):
    """One process with deduce, as the app starts it: ready, right, and within budget."""
    if not build.is_built():
        pytest.skip("deduce's lookup structures are not built (make test builds them)")
    path = short_dir / "deduce.sock"
    command = [sys.executable, "-m", deduce_checker.__name__, "--socket", str(path)]
    process = subprocess.Popen(
        [*command, "--idle", "120"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 600  # about 7 s on a quiet machine
        while deduce_checker.ping(path) is None:
            assert process.poll() is None, "the checker exited"
            assert time.monotonic() < deadline, "the checker did not get ready"
            time.sleep(0.25)
        org = org_names.build([(1, "Martijn Visser"), (2, "Sanne Bakker")], []).without(1)
        text = "Vorige maand belde meneer Pietersen van Philips; Martijn deed niets, Sanne wel."

        def ask(words):
            return deduce_checker.ask_later(path, words, 5.0)  # scoring, not timing

        spans = check.spans(text, "nl", org, ask)
        marked = [(text[s.start : s.end], s.kind) for s in spans]
        assert ("Vorige maand", "time") in marked
        assert ("Philips", "account") in marked  # deduce says person: the list knows better
        assert ("Sanne", "name") in marked
        assert not any(words.startswith("Martijn") for words, _kind in marked)
        assert any("Pietersen" in words and kind == "person" for words, kind in marked)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert not path.exists()
