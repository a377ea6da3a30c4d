"""Helpers shared by the security tests (plain functions, imported by the test modules)."""

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass
class World:
    hr: object
    manager_a: object  # user of the manager rated as participant_a
    manager_b: object
    published: object
    participant_a: object
    participant_b: object
    open_round: object
    token: str  # a live survey link in the open round
    job_id: str
    outbox_id: int


def table_counts(db) -> dict[str, int]:
    """Rows per table: a request that must change nothing leaves this equal."""
    db.session.expire_all()
    return {
        t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


def snapshot(db) -> dict[str, list]:
    """Every row of every table: a request that must change nothing leaves this equal."""
    db.session.expire_all()
    db.session.rollback()
    return {
        t.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(t)))
        for t in db.metadata.sorted_tables
    }
