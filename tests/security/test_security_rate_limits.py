"""Rate limits (SECURITY.md, "Rate limits"): login per account and per address, the survey
link per address (roomy enough for a whole office behind one NAT), the set-password link,
PDF downloads; 429 with Retry-After, a translated page, a visible message under htmx;
Redis storage; X-Forwarded-For only when configured.

Time moves through a fake clock (limits' in-memory storage and the Retry-After reckoning),
never by sleeping."""

import json
import os
import re
import secrets
import time
import uuid

import limits.storage.memory
import pytest
from limits import parse_many
from limits.storage import MemoryStorage, RedisStorage
from werkzeug.middleware.proxy_fix import ProxyFix

import feedback.ratelimit
from feedback import create_app
from feedback.config import Config, TestConfig
from feedback.extensions import db as _db
from feedback.extensions import limiter
from feedback.models import RaterGroup
from tests.factories import PASSWORD, make_rated_manager, make_user

TEST_REDIS_URL = os.environ.get("FEEDBACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
HX = {"HX-Request": "true"}
FINGERPRINT = re.compile(r'id="draft-fingerprint"[^>]*value="([^"]*)"')


@pytest.fixture
def app_config():
    """Rate limits on, with the shipped numbers, for every test here."""
    return {"RATELIMIT_ENABLED": True}


class Clock:
    """Stands in for the `time` module where the limits read the time."""

    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(feedback.ratelimit, "time", fake)
    return fake


def at(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def retry_after(response) -> int:
    assert response.status_code == 429, response.status_code
    return int(response.headers["Retry-After"])


def fresh(client, method, url, **kwargs):
    """A request in an app context of its own, as in production: the `db` fixture's
    context would otherwise carry `g` (the signed-in user, the language) across requests."""
    with client.application.app_context():
        return client.open(url, method=method, **kwargs)


def attempt(client, email, password="wrong password", address="192.0.2.1"):
    data = {"email": email, "password": password}
    return fresh(client, "POST", "/auth/login", data=data, **at(address))


def limit_of(app, name) -> int:
    """The amount of the first (shortest) limit in a RATE_LIMIT_* setting."""
    return parse_many(app.config[name])[0].amount


# --- Login ---------------------------------------------------------------------------------


def test_login_per_account_refuses_even_the_right_password_until_the_window_passes(
    app, client, db, clock
):
    hr = make_user(db, role="hr", email="hr@example.test")
    allowed = limit_of(app, "RATE_LIMIT_LOGIN_ACCOUNT")
    # A brute force spread over many addresses, and over spellings of the same account.
    spellings = ["hr@example.test", " HR@Example.TEST ", "Hr@example.test\t"]
    for n in range(allowed):
        response = attempt(client, spellings[n % 3], address=f"198.51.100.{n + 1}")
        assert response.status_code == 200  # the form again, "not right"

    refused = attempt(client, hr.email, address="203.0.113.9")
    wait = retry_after(refused)
    assert 0 < wait <= 15 * 60 + 1
    # The right password from a fresh address is refused too: the account is what counts.
    assert retry_after(attempt(client, hr.email, PASSWORD, address="203.0.113.10")) > 0
    # An unknown account is counted and refused the same way: a 429 says nothing about
    # whether the account exists.
    for n in range(allowed):
        attempt(client, "nobody@example.test", address=f"198.51.100.{n + 100}")
    assert attempt(client, "nobody@example.test", address="203.0.113.11").status_code == 429

    clock.advance(wait - 5)
    assert attempt(client, hr.email, PASSWORD, address="203.0.113.12").status_code == 429
    clock.advance(5)
    assert attempt(client, hr.email, PASSWORD, address="203.0.113.13").status_code in (302, 303)


def test_login_per_address_refuses_every_account_from_that_address(app, client, db, clock):
    hr = make_user(db, role="hr")
    allowed = limit_of(app, "RATE_LIMIT_LOGIN_ADDRESS")
    # Password spraying: each account tried a few times, all from one address.
    for n in range(allowed):
        assert attempt(client, f"sprayed{n // 3}@example.test").status_code == 200

    wait = retry_after(attempt(client, "someone-new@example.test"))
    assert retry_after(attempt(client, hr.email, PASSWORD)) > 0  # right password, same address
    # Another address is not affected.
    assert attempt(client, hr.email, PASSWORD, address="192.0.2.200").status_code in (302, 303)

    clock.advance(wait)
    other = app.test_client()
    assert attempt(other, hr.email, PASSWORD).status_code in (302, 303)


def test_opening_the_login_page_is_not_counted(app, client):
    for _ in range(limit_of(app, "RATE_LIMIT_LOGIN_ACCOUNT") + 5):
        assert client.get("/auth/login").status_code == 200


def test_the_429_page_is_translated(client):
    """(No app context held across requests: the language is chosen per request.)"""
    for _ in range(10):
        attempt(client, "hr@example.test")
    dutch = attempt(client, "hr@example.test")
    assert dutch.status_code == 429
    assert '<html lang="nl">' in dutch.text
    assert "Te veel verzoeken" in dutch.text
    assert "Wacht 15 minuten en probeer het dan opnieuw." in dutch.text
    assert dutch.headers["Cache-Control"] == "no-store"

    english = client.post(
        "/auth/login",
        data={"email": "hr@example.test", "password": "x"},
        headers={"Accept-Language": "en"},
        **at("192.0.2.1"),
    )
    assert english.status_code == 429
    assert '<html lang="en">' in english.text
    assert "<h1>Too many requests</h1>" in english.text
    assert "Please wait 15 minutes and try again." in english.text


# --- The survey link -----------------------------------------------------------------------


def test_two_hundred_random_survey_tokens_from_one_address_get_429(app, client, db, clock):
    _rnd, _part, links = make_rated_manager(db, reports=1)
    real = links[RaterGroup.DIRECT_REPORT][0][1]
    allowed = limit_of(app, "RATE_LIMIT_SURVEY_UNKNOWN")
    statuses = [client.get(f"/s/{secrets.token_urlsafe(32)}").status_code for _ in range(200)]

    assert statuses[:allowed] == [404] * allowed
    assert statuses[allowed:] == [429] * (200 - allowed)
    guess = client.post(f"/s/{secrets.token_urlsafe(32)}/answer", data={"grade": "7"}, headers=HX)
    wait = retry_after(guess)
    # The scanning address is refused on a real link too, until the window passes ...
    assert client.get(f"/s/{real}").status_code == 429
    # ... and nobody else is.
    assert client.get(f"/s/{real}", **at("192.0.2.77")).status_code == 200

    clock.advance(wait)
    assert client.get(f"/s/{real}").status_code == 200


class Rater:
    """One rep answering the whole survey in a browser: the requests the page sends."""

    def __init__(self, client, token, address):
        self.client, self.url, self.kw = client, f"/s/{token}", at(address)
        self.pages = self.autosaves = 0
        self.fingerprint = ""

    def _keep(self, response):
        found = FINGERPRINT.search(response.text)
        if found:
            self.fingerprint = found.group(1)
        return response

    def page(self, method="get", data=None):
        self.pages += 1
        if method == "get":
            return self._keep(self.client.get(self.url, **self.kw))
        posted = {**(data or {}), "draft_fingerprint": self.fingerprint}
        return self._keep(self.client.post(self.url, data=posted, **self.kw))

    def autosave(self, field, value):
        self.autosaves += 1
        posted = {field: value, "draft_fingerprint": self.fingerprint}
        response = self.client.post(self.url + "/answer", data=posted, headers=HX, **self.kw)
        assert response.status_code == 200, response.text
        return self._keep(response)

    def answer_everything(self, statement_ids, question_keys):
        """A generous rep: changes every answer once, saves and comes back, reloads once,
        and types three comments with a pause (an autosave) every few words."""
        assert self.page().status_code == 200
        for sid in statement_ids:
            self.autosave(f"s{sid}", "3")
            self.autosave(f"s{sid}", "4")  # a change of mind on every statement
        self.autosave("grade", "6")
        self.autosave("grade", "7")
        for key in question_keys:
            words = [f"woord{n}" for n in range(45)]
            for pause in range(1, 16):  # fifteen pauses while typing this comment
                self.autosave(f"q:{key}", " ".join(words[: pause * 3]))
        assert self.page("post", {"action": "save"}).status_code == 303
        assert self.page().status_code == 200  # back later, through the same link
        assert self.page().status_code == 200  # a reload
        thanks = self.page("post", {"action": "submit"})
        assert thanks.status_code == 200 and "Dank je wel!" in thanks.text


def _preload(app, setting: str, scope: str, address: str, count: int) -> None:
    """Count `count` requests against a shared survey limit, as the decorator would."""
    for item in parse_many(app.config[setting]):
        assert limiter.limiter.hit(
            item, app.config["RATELIMIT_KEY_PREFIX"], address, scope, cost=count
        )


OFFICE = 200  # reps answering in the same ten minutes, all behind one address


def test_a_whole_office_behind_one_address_answers_the_survey_under_the_limits(app, client, db):
    rnd, _part, links = make_rated_manager(db, reports=2)
    (_, first), (_, last) = links[RaterGroup.DIRECT_REPORT]
    statements = [st.id for st in rnd.framework.statements]
    questions = [q.key for q in rnd.framework.open_questions]
    office = "192.0.2.10"

    # A quarter of the office first clicks last round's link (closed now: 404).
    for _ in range(OFFICE // 4):
        assert client.get(f"/s/{secrets.token_urlsafe(32)}", **at(office)).status_code == 404

    rep = Rater(client, first, office)
    rep.answer_everything(statements, questions)
    assert (rep.pages, rep.autosaves) == (5, 2 * 24 + 2 + 3 * 15)  # 5 pages, 95 autosaves

    # Everyone else in the office does the same, meanwhile: counted, not replayed.
    others = OFFICE - 2
    _preload(app, "RATE_LIMIT_SURVEY_PAGE", "survey-page", office, others * rep.pages)
    _preload(app, "RATE_LIMIT_SURVEY_ANSWER", "survey-answer", office, others * rep.autosaves)

    last_rep = Rater(client, last, office)
    last_rep.answer_everything(statements, questions)  # every request 200/303, none 429

    # The preloaded requests did land in the counters the views use: spending what is
    # left of the budget makes the next autosave a 429.
    spare = limit_of(app, "RATE_LIMIT_SURVEY_ANSWER") - OFFICE * rep.autosaves
    assert spare >= 0
    if spare:
        _preload(app, "RATE_LIMIT_SURVEY_ANSWER", "survey-answer", office, spare)
    refused = client.post(f"/s/{last}/answer", data={"grade": "8"}, headers=HX, **at(office))
    assert refused.status_code == 429


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATE_LIMIT_SURVEY_ANSWER": "3 per 10 minutes"}]
)
def test_a_limited_autosave_says_so_next_to_the_question(app, client, db):
    rnd, _part, links = make_rated_manager(db, reports=1)
    token = links[RaterGroup.DIRECT_REPORT][0][1]
    field = f"s{rnd.framework.statements[0].id}"
    page = client.get(f"/s/{token}")
    for value in ("1", "2", "3"):
        saved = client.post(f"/s/{token}/answer", data={field: value}, headers=HX)
        assert saved.status_code == 200

    headers = {**HX, "HX-Target": f"state-{field}"}
    refused = client.post(f"/s/{token}/answer", data={field: "4"}, headers=headers)
    wait = retry_after(refused)
    assert "<html" not in refused.text
    assert refused.text.strip() == (
        f'<span id="state-{field}" class="save-state error" role="alert">'
        f"Niet opgeslagen: te veel verzoeken. Probeer het over {(wait + 30) // 60} min opnieuw."
        "</span>"
    )
    assert "HX-Retarget" not in refused.headers  # it replaces the state htmx targets

    # htmx 2 swaps no 4xx unless told: the page's htmx-config swaps 429 (and only that).
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', page.text).group(1)
    handling = json.loads(meta)["responseHandling"]
    assert {"code": "429", "swap": True} in handling
    assert handling.index({"code": "429", "swap": True}) < next(
        i for i, rule in enumerate(handling) if rule["code"] == "[45].."
    )

    # A target that is not a save state gets the message in the page's flash area.
    other = client.post(f"/s/{token}/answer", data={field: "4"}, headers={**HX, "HX-Target": "x"})
    assert other.status_code == 429
    assert other.headers["HX-Retarget"] == "#flash"
    assert other.headers["HX-Reswap"] == "outerHTML"
    assert '<div id="flash"' in other.text
    assert "Te veel verzoeken: er is niets gewijzigd. Probeer het over" in other.text


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATE_LIMIT_SURVEY_PAGE": "2 per 10 minutes"}]
)
def test_a_limited_survey_page_is_a_translated_page(app, client):
    with app.app_context():  # not held across the requests: their language is their own
        _rnd, _part, links = make_rated_manager(reports=1)
        invitation, token = links[RaterGroup.DIRECT_REPORT][0]
        invitation.language = "en"
        _db.session.commit()
    english = {"Accept-Language": "en"}
    assert client.get(f"/s/{token}", headers=english).status_code == 200
    assert client.get(f"/s/{token}", headers=english).status_code == 200
    refused = client.get(f"/s/{token}", headers=english)
    assert retry_after(refused) > 0
    assert '<html lang="en">' in refused.text
    assert "Please wait 10 minutes and try again." in refused.text


# --- The set-password link and PDF downloads -----------------------------------------------


def test_set_password_links_are_limited_per_address(app, client, clock):
    allowed = limit_of(app, "RATE_LIMIT_PASSWORD_LINK")
    for _ in range(allowed):
        assert client.get(f"/auth/password/{secrets.token_urlsafe(32)}").status_code == 404
    wait = retry_after(client.post(f"/auth/password/{secrets.token_urlsafe(32)}"))
    assert (
        client.get(f"/auth/password/{secrets.token_urlsafe(32)}", **at("192.0.2.5")).status_code
        == 404
    )
    clock.advance(wait)
    assert client.get(f"/auth/password/{secrets.token_urlsafe(32)}").status_code == 404


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATE_LIMIT_REPORT_PDF": "2 per 10 minutes"}]
)
def test_pdf_downloads_are_limited_per_account(app, world, monkeypatch):
    import feedback.reports.routes as report_routes

    monkeypatch.setattr(
        report_routes.pdf_cache, "cached_report_pdf", lambda participant: (b"%PDF-", "r.pdf")
    )
    manager_a, manager_b = app.test_client(), app.test_client()
    assert attempt(manager_a, world.manager_a.email, PASSWORD).status_code in (302, 303)
    assert attempt(manager_b, world.manager_b.email, PASSWORD).status_code in (302, 303)
    url_a = f"/reports/{world.participant_a.id}.pdf"
    assert [fresh(manager_a, "GET", url_a).status_code for _ in range(2)] == [200, 200]
    assert retry_after(fresh(manager_a, "GET", url_a)) > 0
    # Another account from the same address still downloads its own.
    url_b = f"/reports/{world.participant_b.id}.pdf"
    assert fresh(manager_b, "GET", url_b).status_code == 200


# --- Storage -------------------------------------------------------------------------------


def _redis_or_skip():
    import redis

    try:
        connection = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except redis.RedisError as error:
        pytest.skip(
            f"Redis is not reachable at {TEST_REDIS_URL!r} (FEEDBACK_TEST_REDIS_URL): {error}"
        )
    return connection


@pytest.fixture
def redis_connection():
    """The test Redis; afterwards, the counters a test made there are removed."""
    connection = _redis_or_skip()
    before = set(connection.scan_iter("LIMITS:*"))
    yield connection
    for key in set(connection.scan_iter("LIMITS:*")) - before:
        connection.delete(key)
    connection.close()


class TestRedis:
    @pytest.fixture
    def app_config(self, redis_connection):
        return {"RATELIMIT_ENABLED": True, "REDIS_URL": TEST_REDIS_URL}

    def test_limits_are_kept_in_redis_when_redis_url_is_set(self, app, redis_connection):
        assert app.config["RATELIMIT_STORAGE_URI"] == TEST_REDIS_URL
        assert isinstance(limiter.storage, RedisStorage)
        # Fresh names and addresses: no counter of an earlier run is met.
        email = f"{uuid.uuid4().hex}@example.test"
        addresses = [f"10.{n}.{secrets.randbelow(256)}.{secrets.randbelow(256)}" for n in range(11)]
        for address in addresses[:10]:
            assert attempt(app.test_client(), email, address=address).status_code == 200
        stored = [key.decode() for key in redis_connection.scan_iter("LIMITS:*")]
        assert any(f"/{addresses[0]}/auth.login/" in key for key in stored)  # counted in Redis

        # A second worker process (here: a second app on the same Redis) sees those counts.
        settings = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "REDIS_URL": TEST_REDIS_URL,
        }
        second = create_app(type("Second", (TestConfig,), settings))
        assert retry_after(attempt(second.test_client(), email, address=addresses[10])) > 0


def test_without_redis_url_limits_are_kept_in_memory(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(limiter.storage, MemoryStorage)


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "REDIS_URL": "redis://127.0.0.1:1/0"}]
)
def test_an_unreachable_redis_still_limits_in_memory_and_never_fails_a_login(app, client, db):
    hr = make_user(db, role="hr")
    try:
        assert attempt(client, hr.email, PASSWORD).status_code in (302, 303)  # no 500
        for n in range(9):
            assert (
                attempt(app.test_client(), hr.email, address=f"198.51.100.{n}").status_code == 200
            )
        assert attempt(app.test_client(), hr.email).status_code == 429
    finally:
        limiter._storage_dead = False  # the next test's app starts on healthy storage


# --- Keys and proxies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # the same /64: one office
        ("::ffff:192.0.2.1", "192.0.2.1"),
    ],
)
def test_client_address_key(app, address, key):
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        assert feedback.ratelimit.client_address() == key


def test_a_login_key_never_holds_the_typed_address(app):
    with app.test_request_context(method="POST", data={"email": " HR@Example.test "}):
        key = feedback.ratelimit.submitted_account()
    with app.test_request_context(method="POST", data={"email": "hr@example.test"}):
        assert feedback.ratelimit.submitted_account() == key
    assert "example" not in key and "hr" not in key.removeprefix("account:")


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATE_LIMIT_PASSWORD_LINK": "3 per 15 minutes"}]
)
def test_x_forwarded_for_is_ignored_by_default(client):
    statuses = [
        client.get(
            f"/auth/password/{secrets.token_urlsafe(8)}",
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]  # a made-up header buys no fresh budget


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATE_LIMIT_PASSWORD_LINK": "3 per 15 minutes",
            "PROXY_FIX_X_FOR": 1,
        }
    ],
)
def test_x_forwarded_for_is_honoured_behind_one_configured_proxy(client):
    def get(forwarded):
        url = f"/auth/password/{secrets.token_urlsafe(8)}"
        return client.get(url, headers={"X-Forwarded-For": forwarded}, **at("10.0.0.2")).status_code

    # The proxy appends the real client; what a client put in front of it does not count.
    assert [get(f"{n}.1.1.1, 203.0.113.7") for n in range(4)] == [404, 404, 404, 429]
    assert get("203.0.113.8") == 404  # another client behind the same proxy


def test_proxy_and_limit_settings_come_from_the_environment(monkeypatch, tmp_path):
    assert not any(
        name.startswith(("PROXY_FIX_", "RATE_LIMIT_")) for name in Config.from_env(tmp_path)
    )
    monkeypatch.setenv("PROXY_FIX_X_FOR", "1")
    monkeypatch.setenv("PROXY_FIX_X_PROTO", "1")
    monkeypatch.setenv("RATE_LIMIT_SURVEY_ANSWER", "30000 per 10 minutes")
    settings = Config.from_env(tmp_path)
    assert settings["PROXY_FIX_X_FOR"] == settings["PROXY_FIX_X_PROTO"] == 1
    assert settings["RATE_LIMIT_SURVEY_ANSWER"] == "30000 per 10 minutes"


def test_proxy_fix_wraps_the_app_only_when_configured(database_url):
    def app_with(**settings):
        return create_app(
            type("Settings", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
        )

    assert not isinstance(app_with().wsgi_app, ProxyFix)
    behind = app_with(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1).wsgi_app
    assert isinstance(behind, ProxyFix)
    assert (behind.x_for, behind.x_proto, behind.x_host, behind.x_port) == (1, 1, 0, 0)


def test_a_limit_that_cannot_be_read_stops_the_start(database_url):
    class Settings(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATE_LIMIT_LOGIN_ACCOUNT = "ten a minute"

    with pytest.raises(ValueError, match="RATE_LIMIT_LOGIN_ACCOUNT"):
        create_app(Settings)
