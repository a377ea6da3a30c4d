"""Logs never record a personal link's token, survey or set-password (DESIGN.md, rule 7):
not the access logs of werkzeug and gunicorn, not their error logs, not a traceback."""

import http.client
import importlib.util
import logging
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from feedback.auth.services import issue_password_link
from feedback.extensions import db as _db
from feedback.logging_setup import RedactTokens, redact
from feedback.tokens import LINK_PREFIXES, new_token, redact_links
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def token():
    return new_token()


def werkzeug_record(request_line: str) -> logging.LogRecord:
    """A record as werkzeug's WSGIRequestHandler.log_request makes it."""
    return logging.LogRecord(
        name="werkzeug",
        level=logging.INFO,
        pathname=__file__,
        lineno=1,
        msg='127.0.0.1 - - [24/Nov/2026 10:00:00] "%s" %s %s',
        args=(request_line, "200", "-"),
        exc_info=None,
    )


@pytest.mark.parametrize(
    "path",
    [
        "/s/{t}",
        "/s/{t}/answer",
        "/s/{t}?lang=en",
        "/s/{t}/",
        "/auth/password/{t}",
        "/auth/password/{t}?next=/",
    ],
)
def test_filter_redacts_the_token_from_werkzeug_request_lines(token, path):
    record = werkzeug_record(f"POST {path.format(t=token)} HTTP/1.1")
    assert RedactTokens().filter(record) is True
    message = record.getMessage()
    assert token not in message
    assert path.split("{t}")[0] + "[redacted]" in message
    assert message.endswith(" 200 -")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://x/s/{t}", "http://x/s/[redacted]"),
        ('<a href="https://x/auth/password/{t}">', '<a href="https://x/auth/password/[redacted]">'),
        ("Open /s/{t}.", "Open /s/[redacted]."),
        (
            "(/auth/password/{t}) and /s/{t}/answer",
            "(/auth/password/[redacted]) and /s/[redacted]/answer",
        ),
        ("'/s/{t}'", "'/s/[redacted]'"),
        ("/s/[redacted]", "/s/[redacted]"),
        ("/admin/outbox/12 /static/css/app.css", "/admin/outbox/12 /static/css/app.css"),
    ],
)
def test_one_rule_for_both_kinds_of_link(token, text, expected):
    assert redact_links(text.format(t=token)) == expected


def test_the_rule_covers_every_route_that_takes_a_token(app):
    """A route with a token in its URL must start with a prefix the rule redacts."""
    rules = [rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert rules and any(r.startswith("/s/") for r in rules)
    assert any(r.startswith("/auth/password/") for r in rules)
    assert all(r.startswith(LINK_PREFIXES) for r in rules), rules


def test_filter_redacts_a_token_in_the_message_itself(token):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, f"GET /s/{token}", (), None)
    RedactTokens().filter(record)
    assert token not in record.getMessage()


def test_filter_leaves_other_paths_alone():
    record = werkzeug_record("GET /admin/rounds/3 HTTP/1.1")
    RedactTokens().filter(record)
    assert "GET /admin/rounds/3 HTTP/1.1" in record.getMessage()
    assert redact("/static/css/app.css") == "/static/css/app.css"


def test_the_app_installs_the_filter_on_the_werkzeug_logger(app):
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("werkzeug").filters)


def serve(app, requests: list[tuple[str, str]]) -> list[int]:
    """Send each (method, path) to a real werkzeug server running the app; the statuses."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    statuses = []
    try:
        for method, path in requests:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            connection.request(method, path, headers={"Referer": f"http://127.0.0.1{path}"})
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    return statuses


def test_a_real_werkzeug_server_logs_no_token(app, token, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        assert serve(app, [("GET", f"/s/{token}")]) == [404]
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/s/[redacted]" in line for line in lines)
    assert not any(token in line for line in lines)
    assert token not in caplog.text


def test_working_survey_and_set_password_links_leave_no_token_in_the_access_log(app, caplog):
    with app.app_context():
        rnd, participant, _ = factories.make_rated_manager(_db, reports=1)
        _, survey = factories.make_invitation(_db, participant)
        user = factories.make_user(_db, role="manager", email="m@example.test")
        user.password_hash = None
        password = issue_password_link(user)
        _db.session.commit()
    requests = [
        ("GET", f"/s/{survey}"),
        ("GET", f"/s/{survey}?lang=en"),
        ("GET", f"/auth/password/{password}"),
    ]
    with caplog.at_level(logging.INFO):
        assert serve(app, requests) == [200, 200, 200]
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert sum("/s/[redacted]" in line for line in lines) == 2
    assert sum("/auth/password/[redacted]" in line for line in lines) == 1
    assert survey not in caplog.text and password not in caplog.text


def test_an_error_on_a_personal_link_logs_its_traceback_without_the_token(
    app, token, caplog, monkeypatch
):
    """An exception whose message quotes the URL: werkzeug's "Error on request" traceback
    and Flask's "Exception on <path>" (when it handles the error itself) hold no token."""
    from flask import request

    from feedback.auth import services as auth_services
    from feedback.survey import services as survey_services

    def fail(*args, **kwargs):
        raise RuntimeError(f"cannot serve {request.url!r}")

    monkeypatch.setattr(survey_services, "find_invitation", fail)
    monkeypatch.setattr(auth_services, "user_for_password_token", fail)
    with caplog.at_level(logging.INFO):
        assert serve(app, [("GET", f"/s/{token}")]) == [500]  # propagated to werkzeug
        app.config["PROPAGATE_EXCEPTIONS"] = False  # Flask logs it itself
        try:
            assert serve(app, [("GET", f"/auth/password/{token}")]) == [500]
        finally:
            app.config["PROPAGATE_EXCEPTIONS"] = None
    # werkzeug writes the traceback into the message; Flask passes exc_info.
    (server,) = [r for r in caplog.records if r.getMessage().startswith("Error on request")]
    assert "RuntimeError: cannot serve 'http://127.0.0.1:" in server.getMessage()
    assert "/s/[redacted]'" in server.getMessage()
    (flask,) = [r for r in caplog.records if r.name == app.logger.name and r.exc_info]
    assert flask.getMessage() == "Exception on /auth/password/[redacted] [GET]"
    assert "/auth/password/[redacted]'" in flask.exc_text
    assert token not in caplog.text


def test_filter_redacts_a_traceback_and_a_stack(token):
    try:
        raise ValueError(f"bad link http://x/auth/password/{token}")
    except ValueError:
        record = logging.LogRecord(
            "feedback",
            logging.ERROR,
            __file__,
            1,
            "failed",
            (),
            sys.exc_info(),
            sinfo=f"/s/{token}",
        )
    RedactTokens().filter(record)
    text = logging.Formatter().format(record)
    assert "ValueError: bad link http://x/auth/password/[redacted]" in text
    assert token not in text


# --- gunicorn --------------------------------------------------------------------------------


@pytest.fixture
def gunicorn_logger_class():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module.RedactingGunicornLogger
    # gunicorn's loggers are global: close the log files the test opened.
    for name in ("gunicorn.error", "gunicorn.access"):
        log = logging.getLogger(name)
        for handler in list(log.handlers):
            if getattr(handler, "_gunicorn", False):
                log.removeHandler(handler)
                handler.close()


class FakeResponse:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "text/html")]


def gunicorn_environ(token):
    return {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/s/{token}/answer",
        "PATH_INFO": f"/s/{token}/answer",
        "REQUEST_URI": f"/s/{token}/answer",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": f"https://feedback.example/s/{token}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }


@pytest.mark.parametrize("prefix", LINK_PREFIXES)
def test_gunicorn_atoms_carry_no_token_of_either_kind(gunicorn_logger_class, token, prefix):
    from gunicorn.config import Config

    logger = gunicorn_logger_class(Config())
    environ = gunicorn_environ(token) | {
        "RAW_URI": f"{prefix}{token}",
        "PATH_INFO": f"{prefix}{token}",
        "HTTP_REFERER": f"https://feedback.example{prefix}{token}",
    }
    atoms = logger.atoms(FakeResponse(), [], environ, timedelta(milliseconds=12))
    assert atoms["U"] == f"{prefix}[redacted]"
    assert not {k: v for k, v in atoms.items() if isinstance(v, str) and token in v}


def test_gunicorn_error_log_carries_no_token(gunicorn_logger_class, token, tmp_path):
    """gunicorn's "Error handling request <uri>" with its traceback, and a bad request."""
    from gunicorn.config import Config

    cfg = Config()
    log_file = tmp_path / "error.log"
    cfg.set("errorlog", str(log_file))
    logger = gunicorn_logger_class(cfg)
    try:
        raise RuntimeError(f"boom at /auth/password/{token}")
    except RuntimeError:
        logger.exception("Error handling request %s", f"/s/{token}/answer")
    logger.warning(f"Invalid request from ip=10.0.0.7: Invalid HTTP request line: 'GET /s/{token}'")
    for handler in logger.error_log.handlers:
        handler.flush()
    text = log_file.read_text()
    assert "Error handling request /s/[redacted]/answer" in text
    assert "RuntimeError: boom at /auth/password/[redacted]" in text
    assert "'GET /s/[redacted]'" in text
    assert token not in text


def test_gunicorn_atoms_carry_no_token(gunicorn_logger_class, token):
    from gunicorn.config import Config

    logger = gunicorn_logger_class(Config())
    environ = gunicorn_environ(token)
    request_headers = [("Referer", environ["HTTP_REFERER"]), ("Host", "feedback.example")]
    atoms = logger.atoms(FakeResponse(), request_headers, environ, timedelta(milliseconds=12))
    assert atoms["r"] == "POST /s/[redacted]/answer HTTP/1.1"
    assert atoms["U"] == "/s/[redacted]/answer"
    assert atoms["f"] == "https://feedback.example/s/[redacted]"
    leaking = {k: v for k, v in atoms.items() if isinstance(v, str) and token in v}
    assert leaking == {}


def test_gunicorn_access_line_carries_no_token(gunicorn_logger_class, token, tmp_path):
    from gunicorn.config import Config

    cfg = Config()
    log_file = tmp_path / "access.log"
    cfg.set("accesslog", str(log_file))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %({path_info}e)s')
    logger = gunicorn_logger_class(cfg)
    environ = gunicorn_environ(token)
    logger.access(FakeResponse(), [], environ, timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = log_file.read_text()
    assert '"POST /s/[redacted]/answer HTTP/1.1" 200' in line
    assert token not in line


def test_every_link_prefix_counts_as_a_mention():
    """redact_links skips text that mentions_link finds no link in: both must know every
    kind of personal link."""
    from feedback.tokens import mentions_link

    for prefix in LINK_PREFIXES:
        text = f"GET {prefix}{new_token()} HTTP/1.1"
        assert mentions_link(text)
        assert redact_links(text) == f"GET {prefix}[redacted] HTTP/1.1"
    assert not mentions_link("GET /healthz HTTP/1.1")


def test_a_record_without_links_keeps_its_arguments_as_they_are():
    args = {"r": "GET /healthz HTTP/1.1", "s": "200"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s", (), None)
    record.args = args
    RedactTokens().filter(record)
    assert record.args is args
