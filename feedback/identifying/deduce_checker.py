"""deduce in one process of its own, which the web workers ask over a local socket.

deduce (de-identification of Dutch text) takes about 7 s and 1.1 GB to load, then about a
millisecond a comment. So no web worker ever imports it: one checker process per host loads
it once and answers every worker's questions over a Unix socket (mode 0600, in the instance
folder). A worker that gets no answer within its budget (no checker, still loading, busy)
carries on with the organisation's names and the patterns alone (feedback/identifying/check.py).

    python -m feedback.identifying.deduce_checker [--socket PATH] [--idle SECONDS]

runs it in the foreground (as a service next to gunicorn, say); with IDENTIFYING_CHECKER
"auto" (the default) the first web process that needs it starts it in the background, and
it stops by itself after IDENTIFYING_CHECKER_IDLE_SECONDS without a question. A lock file
next to the socket keeps it to one per socket, however many workers try to start it.

The protocol is one JSON line each way per connection:

    -> {"text": "..."}            <- {"spans": [[start, end, "deduce tag"], ...]}
    -> {"ping": true}             <- {"ready": true, "deduce": "3.0.6"}

The checker keeps nothing and logs no text: a comment lives in its memory for the one
request. Which of deduce's spans count is decided on the web side (check.py), where the
organisation's names are.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

MAX_REQUEST = 256 * 1024  # a comment is at most 4,000 characters: 16 kB of UTF-8, JSON-escaped
_SUN_PATH_MAX = 100  # a Unix socket's path must fit in sockaddr_un (108 bytes on Linux)


def deduce_installed() -> bool:
    """Whether deduce can be imported here (without importing it)."""
    return importlib.util.find_spec("deduce") is not None


# --- Where the socket is --------------------------------------------------------------------


def _private_dir() -> Path:
    """A folder only this user can enter, for a socket whose usual path is too long."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(base) / f"feedback-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder} is not private to this user")
    return folder


def socket_path(app) -> Path:
    """IDENTIFYING_SOCKET, else `identifying.sock` in the app's instance folder; a path too
    long for a socket becomes a short one in a private folder, named after the long one."""
    configured = app.config["IDENTIFYING_SOCKET"]
    path = Path(configured) if configured else Path(app.instance_path) / "identifying.sock"
    if len(os.fsencode(str(path))) <= _SUN_PATH_MAX:
        return path
    digest = hashlib.sha256(os.fsencode(str(path.resolve()))).hexdigest()[:20]
    return _private_dir() / f"{digest}.sock"


# --- Asking (web side) ----------------------------------------------------------------------


def _send(path: Path, request: dict, budget: float) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(budget)
        sock.connect(str(path))
        sock.sendall(json.dumps(request).encode() + b"\n")
    except BaseException:
        sock.close()
        raise
    return sock


def _receive(sock: socket.socket, deadline: float) -> dict | None:
    with sock:
        chunks = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                break
    return json.loads(b"".join(chunks) or b"null")


def _exchange(path: Path, request: dict, budget: float) -> dict | None:
    deadline = time.monotonic() + budget
    return _receive(_send(path, request, budget), deadline)


def _spans(answer) -> list[tuple[int, int, str]]:
    return [(int(s), int(e), str(tag)) for s, e, tag in answer["spans"]]


def ask(path: Path, text: str, budget: float) -> list[tuple[int, int, str]] | None:
    """deduce's spans of `text` from the checker at `path`, or None when it gave none within
    `budget` seconds (not running, still loading, busy, broken). Never raises."""
    try:
        return _spans(_exchange(path, {"text": text}, budget))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ask_later(path: Path, text: str, budget: float):
    """Send `text` to the checker now and return a function that waits for its answer
    (None as `ask` gives it) until `budget` seconds after this call: the caller checks
    with the names and patterns meanwhile, so the two take as long as the slower one."""
    deadline = time.monotonic() + budget
    try:
        sock = _send(path, {"text": text}, budget)
    except OSError:
        return lambda: None

    def answer() -> list[tuple[int, int, str]] | None:
        try:
            return _spans(_receive(sock, deadline))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        finally:
            sock.close()

    return answer


def ping(path: Path, budget: float = 0.5) -> dict | None:
    """The checker's ready answer, or None."""
    try:
        answer = _exchange(path, {"ping": True}, budget)
        return answer if isinstance(answer, dict) and answer.get("ready") else None
    except (OSError, ValueError):
        return None


_start_lock = threading.Lock()
_last_start: dict[str, float] = {}
_started: list[subprocess.Popen] = []
START_EVERY = 60.0  # seconds between two attempts of one process to start a checker


def start_in_background(path: Path, idle_seconds: int) -> bool:
    """Start a checker for `path` unless this process tried within START_EVERY seconds, or
    deduce is not installed. Returns at once: the checker answers once deduce is loaded,
    and a checker already running (its lock is taken) makes the new one exit at once."""
    if not deduce_installed():
        return False
    key = str(path)
    with _start_lock:
        now = time.monotonic()
        if now - _last_start.get(key, -START_EVERY) < START_EVERY:
            return False
        _last_start[key] = now
    command = [
        sys.executable,
        "-m",
        "feedback.identifying.deduce_checker",
        "--socket",
        str(path),
        "--idle",
        str(idle_seconds),
    ]
    for child in list(_started):  # reap checkers this process started that have ended
        if child.poll() is not None:
            _started.remove(child)
    try:
        child = subprocess.Popen(  # noqa: S603  (our own module, by the running interpreter)
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not in the web server's process group: outlives a reload
            close_fds=True,
        )
    except OSError:
        log.warning("Could not start the deduce checker", exc_info=True)
        return False
    _started.append(child)
    log.info("Started a deduce checker for %s", path)
    return True


# --- Serving (checker side) -----------------------------------------------------------------


class _Checker:
    """deduce, loaded once, one text at a time."""

    def __init__(self) -> None:
        import deduce  # noqa: PLC0415  (only ever in this process)

        # deduce sets the root logger to DEBUG on standard output when imported: nothing of
        # a comment may end up in a log, so logging goes back to warnings on standard error.
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
        self.version = getattr(deduce, "__version__", "?")
        self.deduce = deduce.Deduce()
        self.lock = threading.Lock()

    def annotate(self, text: str) -> list[tuple[int, int, str]]:
        with self.lock:
            document = self.deduce.deidentify(text)
        return sorted((a.start_char, a.end_char, a.tag) for a in document.annotations)


class _Handler(socketserver.StreamRequestHandler):
    timeout = 5  # a client that sends nothing is dropped

    def handle(self) -> None:
        server: _Server = self.server  # type: ignore[assignment]
        server.touch()
        line = self.rfile.readline(MAX_REQUEST + 1)
        try:
            request = json.loads(line) if len(line) <= MAX_REQUEST else None
        except ValueError:
            request = None
        if not isinstance(request, dict):
            answer: dict = {"error": "bad request"}
        elif request.get("ping"):
            answer = {"ready": True, "deduce": server.checker.version}
        elif isinstance(request.get("text"), str):
            try:
                answer = {"spans": server.checker.annotate(request["text"])}
            except Exception:  # noqa: BLE001  (one bad text must not end the checker)
                log.warning("deduce failed on a text (not logged)")
                answer = {"error": "deduce failed"}
        else:
            answer = {"error": "bad request"}
        with contextlib.suppress(OSError):
            self.wfile.write(json.dumps(answer).encode() + b"\n")


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True  # stopping does not wait for a text still being checked

    def __init__(self, path: Path, checker: _Checker) -> None:
        self.checker = checker
        self.last_request = time.monotonic()
        super().__init__(str(path), _Handler)

    def touch(self) -> None:
        self.last_request = time.monotonic()


class _Stopped(Exception):
    """SIGTERM: stop serving, remove the socket, exit."""


def _stop(*_args) -> None:
    raise _Stopped


def _lock(path: Path):
    """The checker's lock for this socket, or None when another checker holds it."""
    handle = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115  (held until exit)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def serve(
    path: Path,
    idle_seconds: float = 3600,
    ready: threading.Event | None = None,
    checker=None,
) -> int:
    """Load deduce and answer on `path` until idle for `idle_seconds` (0: for ever).
    Exit code 0, also when another checker already serves this socket. `checker` stands
    in for deduce (tests): anything with `annotate(text)` and `version`."""
    os.umask(0o077)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = _lock(path)
    if lock is None:
        log.info("A checker already serves %s", path)
        return 0
    try:
        checker = checker or _Checker()  # before the socket exists: nobody waits on it loading
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # left by a checker that was killed
        server = _Server(path, checker)
        os.chmod(path, 0o600)
        if ready is not None:
            ready.set()

        def watch_idle() -> None:
            while idle_seconds:
                time.sleep(min(30.0, idle_seconds / 4))
                if time.monotonic() - server.last_request > idle_seconds:
                    server.shutdown()
                    return

        threading.Thread(target=watch_idle, daemon=True).start()
        if threading.current_thread() is threading.main_thread():
            # Stopped (a service manager, the benchmark): tidy up the socket as on idling.
            signal.signal(signal.SIGTERM, _stop)
        try:
            server.serve_forever(poll_interval=0.5)
        except (_Stopped, KeyboardInterrupt):
            pass
        finally:
            server.server_close()
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    finally:
        lock.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", help="the socket's path (default: as the app's settings say)")
    parser.add_argument(
        "--idle", type=float, default=None, help="stop after this many idle seconds (0: never)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    if args.socket and args.idle is not None:
        path, idle = Path(args.socket), args.idle
    else:
        from feedback import create_app

        app = create_app()
        path = Path(args.socket) if args.socket else socket_path(app)
        idle = (
            args.idle if args.idle is not None else app.config["IDENTIFYING_CHECKER_IDLE_SECONDS"]
        )
    if not deduce_installed():
        log.warning("deduce is not installed: no checker (the names and patterns still work)")
        return 1
    return serve(path, idle)


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    # The socket is gone and nothing is left to write: skip the interpreter's teardown,
    # which spends many seconds freeing deduce's gigabyte of lookup structures one by one.
    os._exit(code)
