"""Database plumbing: SQLite pragmas, write transactions that take the lock up front."""

import sqlalchemy as sa
from flask import Flask

from feedback.extensions import db

WRITE = {"feedback_write": True}


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _configure_sqlite(engine: sa.Engine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for write transactions.

    pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves:
    a write transaction takes the write lock at BEGIN instead of failing halfway when
    another writer got there first.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
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
