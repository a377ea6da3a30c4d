"""Shared fixtures.

Every test gets a database of its own, clean, with the schema in place; the schema is built
once per session (once per pytest-xdist worker):

- SQLite (the default): `create_all` builds a template file once; each test gets a copy of
  it, a real file of its own, so WAL, several connections and spawned processes work as in
  production.
- PostgreSQL (FEEDBACK_TEST_DB=postgresql): each session (each xdist worker) creates a
  database of its own next to the one at FEEDBACK_TEST_POSTGRES_URL, named after it
  (`<name>_<worker>_<random>`), builds the schema once, and empties every table after each
  test (TRUNCATE ... RESTART IDENTITY CASCADE). Every test skips with a reason when no
  server answers.
"""

import os
import re
import shutil
import sqlite3
import uuid

import pytest
import sqlalchemy as sa

from feedback import create_app
from feedback.config import TestConfig
from feedback.extensions import db as _db
from tests.factories import PASSWORD, login, make_user

BACKEND = os.environ.get("FEEDBACK_TEST_DB", "sqlite")
POSTGRES_URL = os.environ.get(
    "FEEDBACK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def pytest_make_parametrize_id(config, val, argname):
    """Every xdist worker must collect the same test ids: a parameter that is a UUID (one
    made fresh at collection, say) is named for what it is, not for its value."""
    if isinstance(val, str) and _UUID.fullmatch(val):
        return "uuid"
    return None


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_database():
    """Create a throwaway database on the PostgreSQL server; yield its URL."""
    admin_url = sa.engine.make_url(POSTGRES_URL)
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        engine.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {admin_url!r}: {error.orig}")
    name = f"{admin_url.database}_{_worker()}_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _app_on(database_url: str, instance_path, **settings):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    for name, value in settings.items():
        setattr(Config, name, value)
    application = create_app(Config)
    application.instance_path = str(instance_path)
    return application


@pytest.fixture(scope="session")
def postgres_url():
    if BACKEND != "postgresql":
        yield None
        return
    yield from _postgres_database()


@pytest.fixture(scope="session")
def postgres_schema_ready():
    return {}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file with the schema and no rows, built once: tests get copies of it."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    application = _app_on(f"sqlite:///{path}", folder / "instance")
    with application.app_context():
        _db.create_all()
        _db.engine.dispose()
    with sqlite3.connect(path) as conn:  # one self-contained file: no -wal left to copy
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return path


@pytest.fixture
def database_url(tmp_path, postgres_url, request):
    if postgres_url:
        return postgres_url
    path = tmp_path / "test.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    path.chmod(0o600)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config():
    """Settings over TestConfig for one test or module: override this fixture, e.g.
    {"RATELIMIT_ENABLED": True} (rate limits are off in every other test)."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, postgres_schema_ready, app_config):
    application = _app_on(database_url, tmp_path / "instance", **app_config)
    if database_url.startswith("postgresql") and not postgres_schema_ready.get("done"):
        with application.app_context():
            _db.drop_all()
            _db.create_all()
        postgres_schema_ready["done"] = True
    yield application
    with application.app_context():
        _db.session.remove()
        if database_url.startswith("postgresql"):
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            with _db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def db(app_ctx):
    """The session, inside an app context."""
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Logging the test client in and out through the login form, as a person would."""

    def __init__(self, client):
        self._client = client
        self._logged_in = False

    def login(self, email, password=PASSWORD):
        response = self._client.post(
            "/auth/login", data={"email": email, "password": password}, follow_redirects=False
        )
        self._logged_in = self._logged_in or response.status_code in (302, 303)
        return response

    def login_as(self, user):
        """Log in as `user` (a factories.make_user account), logging out whoever this
        client logged in before (the login page sends someone logged in home); the client."""
        if self._logged_in:
            self.logout()
        self._logged_in = True
        return login(self._client, user)

    def logout(self):
        self._logged_in = False
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def hr(db):
    """An HR account."""
    return make_user(db, role="hr", email="hr@example.test")


@pytest.fixture
def hr_client(auth, hr):
    """The test client, logged in as `hr`."""
    return auth.login_as(hr)
