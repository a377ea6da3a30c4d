"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from feedback.extensions import db


def _reset(engine):
    # Start from an empty database: the app fixture created tables with create_all.
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for table in meta.sorted_tables:
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        else:
            meta.drop_all(conn)


def test_upgrade_matches_models_and_downgrades_cleanly(app_ctx):
    engine = db.engine
    _reset(engine)
    upgrade()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    downgrade(revision="base")
    remaining = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    upgrade()  # leave the schema in place for the fixture's clean-up
