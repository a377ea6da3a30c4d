"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import logging

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


def test_migrating_in_a_process_leaves_its_loggers_on(app_ctx):
    """alembic's env.py reads its logging settings; the app's loggers that exist by then
    (as in the test processes, or a script that migrates before it works) keep logging."""
    import feedback.identifying.survey  # noqa: F401  (its logger exists before the upgrade)

    _reset(db.engine)
    upgrade()
    assert not logging.getLogger("feedback.identifying.survey").disabled
    assert not logging.getLogger("feedback").disabled


# --- wording per rater group (4c1f2a9d7b3e) ---------------------------------------------------

BEFORE_WORDING = "910e238be516"


def _tables():
    def table(name, *columns):
        return sa.table(name, *(sa.column(c, t) for c, t in columns))

    text = (("text_nl", sa.Text), ("text_en", sa.Text))
    return {
        "framework": table(
            "framework",
            ("id", sa.Integer),
            ("key", sa.String),
            ("version", sa.String),
            ("name_nl", sa.String),
            ("name_en", sa.String),
            ("is_template", sa.Boolean),
            ("created_at", sa.DateTime),
        ),
        "leg": table(
            "leg",
            ("id", sa.Integer),
            ("framework_id", sa.Integer),
            ("key", sa.String),
            ("position", sa.Integer),
            ("name_nl", sa.String),
            ("name_en", sa.String),
            ("description_nl", sa.Text),
            ("description_en", sa.Text),
            ("actions_nl", sa.JSON),
            ("actions_en", sa.JSON),
        ),
        "statement": table(
            "statement",
            ("id", sa.Integer),
            ("leg_id", sa.Integer),
            ("key", sa.String),
            ("position", sa.Integer),
            *text,
        ),
        "open_question": table(
            "open_question",
            ("id", sa.Integer),
            ("framework_id", sa.Integer),
            ("key", sa.String),
            ("position", sa.Integer),
            *text,
        ),
    }


def _old_framework(conn, tables, framework_id, key, data):
    """A framework as the file shipped it before the rater forms: statements said "Mijn
    manager ..." (today's direct form), open questions "deze manager" (the neutral form)."""
    from datetime import datetime

    conn.execute(
        tables["framework"]
        .insert()
        .values(
            id=framework_id,
            key=key,
            version="1.0",
            name_nl="n",
            name_en="n",
            is_template=framework_id == 1,
            created_at=datetime(2026, 1, 1),
        )
    )
    for position, leg in enumerate(data["legs"], start=1):
        leg_id = framework_id * 100 + position
        conn.execute(
            tables["leg"]
            .insert()
            .values(
                id=leg_id,
                framework_id=framework_id,
                key=leg["key"],
                position=position,
                name_nl="n",
                name_en="n",
                description_nl="",
                description_en="",
                actions_nl=[],
                actions_en=[],
            )
        )
        for s_position, st in enumerate(leg["statements"], start=1):
            conn.execute(
                tables["statement"]
                .insert()
                .values(
                    id=leg_id * 100 + s_position,
                    leg_id=leg_id,
                    key=st["key"],
                    position=s_position,
                    text_nl=st["text"]["nl"]["direct"],
                    text_en=st["text"]["en"]["direct"],
                )
            )
    for position, q in enumerate(data["open_questions"], start=1):
        conn.execute(
            tables["open_question"]
            .insert()
            .values(
                id=framework_id * 100 + position,
                framework_id=framework_id,
                key=q["key"],
                position=position,
                text_nl=q["text"]["nl"]["neutral"],
                text_en=q["text"]["en"]["neutral"],
            )
        )


def test_wording_migration_fills_the_shipped_forms_and_keeps_everything_else(app_ctx):
    from feedback.frameworks import read_framework_file
    from feedback.models import Framework, RaterGroup

    data = read_framework_file()
    engine = db.engine
    _reset(engine)
    upgrade(revision=BEFORE_WORDING)
    tables = _tables()
    statement = tables["statement"]
    with engine.begin() as conn:
        _old_framework(conn, tables, 1, "six-legs", data)  # the template
        _old_framework(conn, tables, 2, "six-legs", data)  # a round's copy
        _old_framework(conn, tables, 3, "custom", data)  # another framework, same keys
        # In the round's copy: one statement edited since, one of its own.
        conn.execute(
            statement.update()
            .where(statement.c.id == 20104)
            .values(text_nl="Mijn manager belt elke vrijdag even.", text_en="Calls on Fridays.")
        )
        conn.execute(
            statement.insert().values(
                id=20199,
                leg_id=201,
                key="teambuilder-extra",
                position=9,
                text_nl="Mijn manager luistert.",
                text_en="My manager listens.",
            )
        )
    upgrade()

    shipped = {st["key"]: st["text"] for leg in data["legs"] for st in leg["statements"]}
    questions = {q["key"]: q["text"] for q in data["open_questions"]}
    db.session.expire_all()
    for framework_id in (1, 2):
        framework = db.session.get(Framework, framework_id)
        items = [*framework.statements, *framework.open_questions]
        assert len(items) == 24 + 3 + (1 if framework_id == 2 else 0)
        for item in items:
            if item.id in (20104, 20199):
                continue
            text = shipped.get(item.key) or questions[item.key]
            for lang in ("nl", "en"):
                assert item.text(lang) == text[lang]["neutral"], item.key
                assert item.rater_text(lang, RaterGroup.SELF) == text[lang]["self"]
                assert item.rater_text(lang, RaterGroup.DIRECT_REPORT) == text[lang]["direct"]
                assert item.rater_text(lang, RaterGroup.PEER, "Anna") == text[lang][
                    "other"
                ].replace("{name}", "Anna")
    copy = db.session.get(Framework, 2)
    edited = next(s for s in copy.statements if s.id == 20104)
    own = next(s for s in copy.statements if s.id == 20199)
    for item, (nl, en) in (
        (edited, ("Mijn manager belt elke vrijdag even.", "Calls on Fridays.")),
        (own, ("Mijn manager luistert.", "My manager listens.")),
    ):
        assert item.forms is None
        for group in RaterGroup:
            assert item.rater_text("nl", group, "Anna") == nl
            assert item.rater_text("en", group, "Anna") == en
    custom = db.session.get(Framework, 3)
    for item in [*custom.statements, *custom.open_questions]:
        assert item.forms is None
        text = shipped.get(item.key) or questions[item.key]
        before = "direct" if item.key in shipped else "neutral"
        assert item.text("nl") == text["nl"][before]
        assert item.rater_text("en", RaterGroup.SELF) == text["en"][before]
    db.session.remove()

    downgrade(revision=BEFORE_WORDING)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(statement.c.id, statement.c.key, statement.c.text_nl, statement.c.text_en)
        ).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("statement")}
    assert "forms" not in columns
    for row in rows:
        if row.id == 20104:
            assert row.text_nl == "Mijn manager belt elke vrijdag even."
        elif row.id == 20199:
            assert row.text_en == "My manager listens."
        else:
            assert (row.text_nl, row.text_en) == (
                shipped[row.key]["nl"]["direct"],
                shipped[row.key]["en"]["direct"],
            )
    upgrade()  # leave the schema in place for the fixture's clean-up
