"""Headers and cookies: a CSP without 'unsafe-inline'; Secure cookies and HSTS exactly when
BASE_URL is https (an explicit SESSION_COOKIE_SECURE wins); `Cache-Control: no-store` on
every page, download and fragment, static files left to their own caching; and no page
carries an inline style the CSP would refuse."""

import base64
import re
from pathlib import Path

import pytest

from feedback import create_app
from feedback.config import Config, TestConfig
from feedback.extensions import db as _db
from feedback.jobs.results import store_result
from feedback.security import HSTS
from tests.factories import PASSWORD, login, make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "feedback" / "templates"
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (part.split() for part in csp.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def _is_secure(cookie: str) -> bool:
    return any(flag.strip().lower() == "secure" for flag in cookie.split(";")[1:])


@pytest.fixture
def make_app(app, database_url, tmp_path):
    """Another app on the suite's database, with its own settings (the `app` fixture made the
    tables and empties them afterwards)."""
    made = []

    def make(**settings):
        config = type(
            "Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings}
        )
        other = create_app(config)
        other.instance_path = str(tmp_path / "instance")
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


def _login_response(app):
    with app.app_context():
        email = make_user(role="hr").email
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    return client, response


# --- CSP ----------------------------------------------------------------------------------


def test_the_csp_allows_no_inline_script_or_style_and_nothing_from_elsewhere(client):
    response = client.get("/auth/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    directives = _directives(csp)
    for name in ("script-src", "style-src"):
        assert directives[name] == ["'self'"], (name, csp)
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "style-src-attr" not in directives and "style-src-elem" not in directives
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_style():
    """Styles live in static/css. Mail is the exception: mail clients need inline styles, and
    mail is never served as a page (HR's outbox shows its text only)."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] == "mail":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE_STYLE.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert offenders == []


# --- Secure cookies and HSTS ----------------------------------------------------------------


def test_an_https_base_url_makes_the_cookies_secure_and_sends_hsts(make_app):
    app = make_app(BASE_URL="https://feedback.example.test")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    client, response = _login_response(app)
    assert _is_secure(_session_cookie(response))
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert HSTS == "max-age=31536000; includeSubDomains"
    for url in ("/auth/login", "/static/css/app.css", "/s/not-a-token"):
        other = client.get(url)
        other.close()
        assert other.headers["Strict-Transport-Security"] == HSTS, url


def test_an_http_base_url_sends_neither_secure_cookies_nor_hsts(app):
    assert app.config["BASE_URL"].startswith("http://")
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
    client, response = _login_response(app)
    assert not _is_secure(_session_cookie(response))
    assert "Strict-Transport-Security" not in response.headers
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers


def test_an_explicit_session_cookie_secure_wins_over_the_base_url(make_app):
    app = make_app(BASE_URL="https://feedback.example.test", SESSION_COOKIE_SECURE=False)
    _client, response = _login_response(app)
    assert not _is_secure(_session_cookie(response))
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
    assert response.headers["Strict-Transport-Security"] == HSTS  # HSTS follows BASE_URL

    app = make_app(BASE_URL="http://127.0.0.1:5000", SESSION_COOKIE_SECURE=True)
    _client, response = _login_response(app)
    assert _is_secure(_session_cookie(response))


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("0", False), ("false", False), ("1", True)]
)
def test_session_cookie_secure_from_the_environment_is_unset_unless_given(
    monkeypatch, tmp_path, value, expected
):
    """Unset means "follow BASE_URL"; any value given is taken as it is."""
    monkeypatch.setenv("BASE_URL", "https://feedback.example.test")
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("SEAL_KEYS", base64.urlsafe_b64encode(bytes(32)).decode().rstrip("="))
    if value is None:
        monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", value)
    assert Config.from_env(tmp_path)["SESSION_COOKIE_SECURE"] is expected


# --- Cache-Control --------------------------------------------------------------------------


def _path_values(rule, world) -> dict:
    values = {
        "round_id": world.published.id,
        "participant_id": world.participant_a.id,
        "person_id": world.participant_a.person_id,
        "ext": "csv",
        "invitation_id": world.outbox_id,
        "message_id": world.outbox_id,
        "job_id": world.job_id,
        "upload_id": "A" * 32,
        "step": "close",
        "kind": "legs",
        "token": world.token,
        "filename": "css/app.css",
    }
    missing = set(rule.arguments) - set(values)
    assert not missing, f"no test value for {missing} in {rule.rule}"
    return {name: values[name] for name in rule.arguments}


def _get_urls(app, world) -> list[str]:
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" in rule.methods and rule.endpoint != "static":
                urls.append(url_for(rule.endpoint, **_path_values(rule, world)))
    return urls


def _no_store(response) -> bool:
    return response.cache_control.no_store


def test_every_page_and_download_hr_opens_is_no_store(app, client, world, db):
    result = Path(app.instance_path) / "x.zip"
    result.parent.mkdir(parents=True, exist_ok=True)
    result.write_bytes(b"PK\x05\x06" + bytes(18))  # the finished job's ZIP
    _db.session.rollback()  # no read snapshot held from before the store (SQLite WAL)
    store_result(world.job_id, result)
    login(client, world.hr)
    seen = {}
    for url in _get_urls(app, world):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            response.close()
            assert _no_store(response), (url, headers, response.headers.get("Cache-Control"))
            seen.setdefault(url, response.status_code)
    shown = {
        "/admin/": "rounds",
        f"/admin/rounds/{world.published.id}": "a round",
        f"/admin/rounds/{world.open_round.id}": "an open round",
        f"/admin/outbox/{world.outbox_id}": "a mail",
        "/people/": "people",
        "/people/tree": "the organisation",
        f"/reports/rounds/{world.published.id}": "a round's reports",
        f"/reports/{world.participant_a.id}": "a report",
        f"/reports/{world.participant_a.id}.pdf": "its PDF",
        f"/insights/rounds/{world.published.id}": "the heat map",
        f"/insights/rounds/{world.published.id}/results.xlsx": "an export",
        f"/insights/rounds/{world.published.id}/results-legs.csv": "an export",
        f"/insights/rounds/{world.published.id}/development.csv": "an export",
        f"/jobs/{world.job_id}": "a job",
        f"/jobs/{world.job_id}/download": "its download",
    }
    for url, what in shown.items():
        response = client.get(url)
        response.close()
        assert response.status_code == 200, (what, url, response.status_code)
        assert _no_store(response), (what, url)
    counts = client.get(
        f"/admin/rounds/{world.open_round.id}/dashboard", headers={"HX-Request": "true"}
    )
    assert counts.status_code == 200
    assert _no_store(counts)


def test_the_survey_and_a_managers_report_are_no_store(client, world):
    page = client.get(f"/s/{world.token}")
    assert page.status_code == 200
    assert _no_store(page)
    fields = re.findall(r'name="(s\d+)"', page.get_data(as_text=True))
    saved = client.post(f"/s/{world.token}/answer", data={fields[0]: "4"})
    assert saved.status_code == 200
    assert _no_store(saved)
    assert _no_store(client.get("/s/not-a-token"))  # the 404 too

    login(client, world.manager_a)
    for url in (
        "/reports/",
        f"/reports/{world.participant_a.id}",
        f"/reports/{world.participant_a.id}?tab=comments",
        f"/reports/{world.participant_a.id}.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_static_files_keep_their_own_caching(client):
    for url in ("/static/css/app.css", "/static/css/report.css", "/static/js/htmx.min.js"):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
        assert not _no_store(response), (url, response.headers.get("Cache-Control"))
        assert response.headers.get("ETag"), url  # revalidated, not fetched anew


def test_no_page_carries_an_inline_style(client, world):
    """What the pages really send (templates, macros, charts), not only the template files."""
    report = f"/reports/{world.participant_a.id}"
    login(client, world.hr)
    for url in (
        f"/s/{world.token}",
        f"/admin/rounds/{world.open_round.id}",
        f"/insights/rounds/{world.published.id}",
        "/people/",
        report,
        f"{report}?tab=legs",
        f"{report}?tab=comments",
        f"{report}?tab=plan",
    ):
        for headers in ({}, {"HX-Request": "true"}):  # pages and the fragments swapped in
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, headers)
            html = response.get_data(as_text=True)
            assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html))
    # The pages above really carry what used to be inline: bars, charts.
    html = client.get(f"/admin/rounds/{world.open_round.id}").get_data(as_text=True)
    assert 'class="rate-bar"' in html
    html = client.get(f"/insights/rounds/{world.published.id}").get_data(as_text=True)
    assert 'class="bar-track"' in html
    assert "<svg" in client.get(f"{report}?tab=legs").get_data(as_text=True)
