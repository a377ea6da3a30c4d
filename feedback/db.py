"""Database plumbing: SQLite pragmas and file modes, write transactions that take the lock
up front, and the database's identity."""

import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy.pagination import Pagination

from feedback import files
from feedback.extensions import db

WRITE = {"feedback_write": True}
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
MAX_PAGE = 1_000_000  # a page number whose offset every database can hold


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    files.tighten_instance(app)  # keys, cached PDFs, job files of an older version: 0600


def sqlite_file(url: sa.URL) -> Path | None:
    """The database file of a SQLite URL; None for an in-memory or URI-style database."""
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:") or url.query.get("uri"):
        return None
    return Path(name)


def _private_sqlite_files(path: Path) -> None:
    """The database file exists as 0600 before SQLite opens it, and an older one (with its
    -wal, -shm) is set to 0600. SQLite gives a new -wal and -shm the mode of the database
    file, so they follow (tests/test_files.py checks it)."""
    if path.parent.is_dir():
        files.ensure_private_file(path)
    for file in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)):
        files.make_private(file)


def _configure_sqlite(engine: sa.Engine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for write transactions.

    pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves:
    a write transaction takes the write lock at BEGIN instead of failing halfway when
    another writer got there first.
    """
    path = sqlite_file(engine.url)
    if path is not None:
        _private_sqlite_files(path)

        @sa.event.listens_for(engine, "do_connect")
        def _before_connect(_dialect, _record, _cargs, _cparams):
            if not path.exists() and path.parent.is_dir():
                files.ensure_private_file(path)  # removed meanwhile: never let SQLite create it

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted content is overwritten with zeros, not left in free pages (SECURITY.md).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get("feedback_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def begin_write() -> None:
    """Start the session's transaction as a write transaction.

    Call first thing in a service that writes. On SQLite this takes the write lock at once
    (no deadlock-prone lock upgrade); on PostgreSQL it is a plain BEGIN.
    """
    if db.session().in_transaction():
        conn = db.session.connection()
        if conn.dialect.name == "sqlite" and not conn.get_execution_options().get("feedback_write"):
            # A read already started a deferred transaction: end it and start over.
            db.session.commit()
        else:
            return
    db.session.connection(execution_options=WRITE)


def exclusive_transaction():
    """The session's transaction when it holds the database's one write lock (SQLite after
    begin_write): until it ends, no other connection changes anything, so what it read is
    still so. None otherwise: no transaction, a read one, or PostgreSQL, where a writer
    locks the rows it needs one by one."""
    session = db.session()
    if not session.in_transaction():
        return None
    connection = session.connection()
    if connection.dialect.name != "sqlite" or not connection.get_execution_options().get(
        "feedback_write"
    ):
        return None
    return session.get_transaction()


def database_identity() -> str:
    """This database's random identity (the one `DatabaseIdentity` row), created on first use.

    Race-safe: workers that find no row all insert with ON CONFLICT DO NOTHING on the fixed
    id 1, so one value wins, and each reads back the value that won. The insert runs on a
    connection of its own, so the caller's session and its transaction are left alone.
    """
    from feedback.models.meta import DatabaseIdentity

    value = db.session.scalar(sa.select(DatabaseIdentity.value).where(DatabaseIdentity.id == 1))
    if value:
        return value
    table = DatabaseIdentity.__table__
    with db.engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            connection.execute(
                insert_ignoring(connection, table).values(id=1, value=str(uuid.uuid4()))
            )
            return connection.scalar(sa.select(table.c.value).where(table.c.id == 1))


def insert_ignoring(connection: sa.Connection, table: sa.Table):
    """INSERT ... ON CONFLICT DO NOTHING into `table`, for SQLite and PostgreSQL."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def contains(column: sa.ColumnElement, text: str) -> sa.ColumnElement[bool]:
    """`column` holds `text`, case-insensitively. LIKE's wildcards in `text` (% and _) and
    the escape character match themselves: a search is never a pattern."""
    return column.icontains(text, autoescape=True)


def paginate(query: sa.Select, page: int, per_page: int) -> Pagination:
    """One page of `query`'s rows (numbered from 1; out of range gives an empty page, never
    an error), with the total, the page count and whether a next page exists."""
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
