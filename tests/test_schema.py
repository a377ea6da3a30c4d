"""Anonymity in the schema: what raters said has no way back to who said it, or when.

The response tables (response, answer, comment) must not have a column or foreign key that
leads to an invitation, its token or draft, a person or an account; no date or time column;
no auto-incrementing integer key (which would count arrivals); and on SQLite they are
WITHOUT ROWID, so rows are stored in random-key order, not in the order they arrived.
"""

import re

import pytest
import sqlalchemy as sa

from feedback.admin import closing
from feedback.admin.transitions import close_round
from feedback.extensions import db as _db
from feedback.models import RESPONSE_TABLES, RaterGroup
from feedback.survey import services

# Tables that know who a rater is.
WHO = {"invitation", "invitation_token", "person", "user"}
WHO_WORDS = re.compile(r"invitation|token|draft|person|user|email|rater_id|ip_?addr", re.I)
TIME_TYPES = (sa.Date, sa.DateTime, sa.Time, sa.Interval)
TIME_WORDS = re.compile(
    r"date|time|stamp|created|updated|submitted|received|arrived|(^|_)(at|on|when|seq)($|_)",
    re.I,
)


def tables_knowing_the_rater(metadata: sa.MetaData) -> set[str]:
    """WHO, plus any table with a foreign key into one of them other than the manager rated
    (participant -> person is the manager, by design)."""
    known = set(WHO)
    for table in metadata.tables.values():
        if table.name in ("participant",):
            continue
        if any(
            fk.column.table.name in {"invitation", "invitation_token"} for fk in table.foreign_keys
        ):
            known.add(table.name)
    return known


def column_problems(table_name, columns, foreign_keys, forbidden_targets) -> list[str]:
    """columns: [(name, type, is_autoincrement_pk)], foreign_keys: [(column, target table)]."""
    problems = []
    for name, type_, autoincrement_pk in columns:
        if WHO_WORDS.search(name):
            problems.append(f"{table_name}.{name} names a rater")
        if isinstance(type_, TIME_TYPES) or TIME_WORDS.search(name):
            problems.append(f"{table_name}.{name} is a date/time column")
        if autoincrement_pk:
            problems.append(f"{table_name}.{name} is an auto-incrementing integer key")
    for column, target in foreign_keys:
        if target in forbidden_targets:
            problems.append(f"{table_name}.{column} leads to {target}")
    return problems


def metadata_problems(metadata: sa.MetaData, names=RESPONSE_TABLES) -> list[str]:
    forbidden = tables_knowing_the_rater(metadata)
    problems = []
    for name in names:
        table = metadata.tables[name]
        auto = table.autoincrement_column
        columns = [(c.name, c.type, c is auto) for c in table.columns]
        fks = [(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys]
        problems += column_problems(name, columns, fks, forbidden)
    return problems


def test_the_checks_catch_a_bad_table():
    """The schema checks are not vacuous: a response table with every sin is caught."""
    metadata = sa.MetaData()
    sa.Table("person", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("invitation", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "response",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("invitation_id", sa.ForeignKey("invitation.id")),
        sa.Column("author", sa.ForeignKey("person.id")),
        sa.Column("received", sa.DateTime),
        sa.Column("day", sa.Date),
    )
    problems = metadata_problems(metadata, names=("response",))
    joined = "\n".join(problems)
    assert "response.id is an auto-incrementing integer key" in joined
    assert "response.invitation_id leads to invitation" in joined
    assert "response.author leads to person" in joined
    assert "response.received is a date/time column" in joined
    assert "response.day is a date/time column" in joined


def test_models_have_no_way_back_to_the_rater_or_the_time(app):
    assert set(RESPONSE_TABLES) == {"response", "answer", "comment"}
    assert metadata_problems(_db.metadata) == []
    # The envelopes of an open round obey the same rules.
    assert metadata_problems(_db.metadata, names=("sealed_response",)) == []


def test_the_created_database_has_no_way_back_either(db):
    inspector = sa.inspect(db.engine)
    forbidden = tables_knowing_the_rater(db.metadata)
    problems = []
    for name in RESPONSE_TABLES:
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        columns = []
        for col in inspector.get_columns(name):
            default = str(col.get("default") or "")
            auto = col["name"] in pk and (
                bool(col.get("autoincrement")) is True
                and "nextval" in default
                or col.get("identity") is not None
            )
            columns.append((col["name"], col["type"], auto))
        fks = [
            (", ".join(fk["constrained_columns"]), fk["referred_table"])
            for fk in inspector.get_foreign_keys(name)
        ]
        problems += column_problems(name, columns, fks, forbidden)
        # Integer primary keys only as part of a composite key (answer: response + statement).
        for col in inspector.get_columns(name):
            if col["name"] in pk and len(pk) == 1:
                assert not isinstance(col["type"], sa.Integer), f"{name} has an integer key"
    assert problems == []


def test_sqlite_response_tables_are_without_rowid(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("WITHOUT ROWID is an SQLite storage option")
    with db.engine.connect() as conn:
        for name in RESPONSE_TABLES:
            sql = conn.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"),
                {"n": name},
            ).scalar_one()
            assert "WITHOUT ROWID" in sql.upper(), name
            assert "AUTOINCREMENT" not in sql.upper(), name
            with pytest.raises(sa.exc.OperationalError, match="rowid"):
                conn.execute(sa.text(f"SELECT rowid FROM {name}"))  # noqa: S608


def _submit_everyone(survey_links, statement_id, round_id):
    """Every rater submits; then the round is closed, which writes the response rows."""
    for _invitation, token in survey_links:
        link = services.find_invitation(token).link
        outcome = services.submit(link, {f"s{statement_id}": "3"})
        assert outcome == services.Outcome.SUBMITTED
    close_round(round_id)


@pytest.fixture
def rated(db):
    from tests.factories import make_rated_manager

    rnd, _participant, links = make_rated_manager(db, reports=6)
    all_links = [link for group in links.values() for link in group]
    return rnd, all_links


def test_stored_order_of_responses_is_key_order_not_arrival_order(db, rated, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("checks SQLite's key-ordered storage; PostgreSQL stores a heap")
    rnd, links = rated
    # Keys handed out in descending order: arrival order is the reverse of key order.
    keys = iter(f"{n:08x}-0000-4000-8000-000000000000" for n in range(len(links), 0, -1))
    monkeypatch.setattr(closing, "_new_id", lambda: next(keys))
    _submit_everyone(links, rnd.framework.statements[0].id, rnd.id)

    stored = db.session.execute(sa.text("SELECT id FROM response")).scalars().all()
    assert len(stored) == len(links)
    assert stored == sorted(stored)
    assert stored != sorted(stored, reverse=True)  # the order they arrived in
    # The table itself, not an index: a full scan of the rows as stored.
    physical = db.session.execute(sa.text("SELECT id FROM response NOT INDEXED")).scalars().all()
    assert physical == sorted(stored)


def test_stored_order_with_real_random_keys_is_key_order(db, rated):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("checks SQLite's key-ordered storage; PostgreSQL stores a heap")
    rnd, links = rated
    _submit_everyone(links, rnd.framework.statements[0].id, rnd.id)
    stored = db.session.execute(sa.text("SELECT id FROM response NOT INDEXED")).scalars().all()
    assert stored == sorted(stored)
    answers = (
        db.session.execute(sa.text("SELECT response_id FROM answer NOT INDEXED")).scalars().all()
    )
    assert answers == sorted(answers)


def test_a_response_carries_round_manager_group_and_nothing_else(db, rated):
    rnd, links = rated
    _submit_everyone(links[:1], rnd.framework.statements[0].id, rnd.id)
    row = db.session.execute(sa.text("SELECT * FROM response")).mappings().one()
    assert set(row) == {"id", "round_id", "participant_id", "group", "grade"}
    assert row["group"] == RaterGroup.SELF
