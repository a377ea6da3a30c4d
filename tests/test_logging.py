"""Access logs never record a rater's token (DESIGN.md: "access logs never record a token")."""

import http.client
import importlib.util
import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from feedback.logging_setup import RedactTokens, redact
from feedback.tokens import new_token

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
    ["/s/{t}", "/s/{t}/answer", "/s/{t}?lang=en", "/s/{t}/"],
)
def test_filter_redacts_the_token_from_werkzeug_request_lines(token, path):
    record = werkzeug_record(f"POST {path.format(t=token)} HTTP/1.1")
    assert RedactTokens().filter(record) is True
    message = record.getMessage()
    assert token not in message
    assert "/s/[redacted]" in message
    assert message.endswith(" 200 -")


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


def test_a_real_werkzeug_server_logs_no_token(app, token, caplog):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            connection.request("GET", f"/s/{token}")
            assert connection.getresponse().status == 404
            connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/s/[redacted]" in line for line in lines)
    assert not any(token in line for line in lines)
    assert token not in caplog.text


# --- gunicorn --------------------------------------------------------------------------------


@pytest.fixture
def gunicorn_logger_class():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RedactingGunicornLogger


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
