"""Shared fixtures.

Every test gets a fresh database. SQLite (a file per test, so WAL and real concurrency work)
is the default; with FEEDBACK_TEST_DB=postgresql the same tests run against the PostgreSQL
at FEEDBACK_TEST_POSTGRES_URL, in a database of their own, and skip with a reason when
no server answers.
"""

import os
import uuid

import pytest
import sqlalchemy as sa

from feedback import create_app
from feedback.config import TestConfig
from feedback.extensions import db as _db

BACKEND = os.environ.get("FEEDBACK_TEST_DB", "sqlite")
POSTGRES_URL = os.environ.get(
    "FEEDBACK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


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
    name = f"feedback_test_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    if BACKEND != "postgresql":
        yield None
        return
    yield from _postgres_database()


@pytest.fixture(scope="session")
def postgres_schema_ready():
    return {}


@pytest.fixture
def database_url(tmp_path, postgres_url):
    if postgres_url:
        return postgres_url
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app_config():
    """Settings over TestConfig for one test or module: override this fixture, e.g.
    {"RATELIMIT_ENABLED": True} (rate limits are off in every other test)."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, postgres_schema_ready, app_config):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    for name, value in app_config.items():
        setattr(Config, name, value)
    application = create_app(Config)
    application.instance_path = str(tmp_path / "instance")
    with application.app_context():
        if database_url.startswith("postgresql"):
            if not postgres_schema_ready.get("done"):
                _db.drop_all()
                _db.create_all()
                postgres_schema_ready["done"] = True
        else:
            _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        if database_url.startswith("postgresql"):
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            with _db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_norms_cache():
    """Each test starts without cached organisation norms from another test's database."""
    from feedback.reports.builder import clear_norms_cache

    clear_norms_cache()
    yield
    clear_norms_cache()


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
    def __init__(self, client):
        self._client = client

    def login(self, email, password="correct horse battery"):
        return self._client.post(
            "/auth/login", data={"email": email, "password": password}, follow_redirects=False
        )

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
