"""`flask import-people`: the same preview and import from the command line."""

import sqlalchemy as sa

from feedback.models import Person
from tests.factories import make_person

GOOD = (
    "name,email,language,manager_email,team,role\n"
    "Dana,dana@example.com,en,,,director\n"
    "Rita,rita@example.com,nl,dana@example.com,Noord,rep\n"
)


def emails(db):
    db.session.expire_all()
    return {p.email: p for p in db.session.scalars(sa.select(Person))}


def test_import_and_reimport(db, runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 new" in result.output
    assert "Imported: 2 new, 0 updated" in result.output
    assert emails(db)["rita@example.com"].manager.email == "dana@example.com"

    result = runner.invoke(args=["import-people", str(path)])
    assert "0 new, 0 update, 2 unchanged" in result.output
    assert len(emails(db)) == 2


def test_dry_run_writes_nothing(db, runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["import-people", str(path), "--dry-run"])
    assert result.exit_code == 0
    assert "Dry run" in result.output
    assert emails(db) == {}


def test_errors_exit_non_zero_unless_skip_invalid(db, runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD + "Xena,xena@example.com,de,,,\n", encoding="utf-8")
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code != 0
    assert "row 4: unknown language 'de'" in result.output
    assert emails(db) == {}

    result = runner.invoke(args=["import-people", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "1 skipped" in result.output
    assert set(emails(db)) == {"dana@example.com", "rita@example.com"}


def test_deactivate_missing(db, runner, tmp_path):
    make_person(db, email="gone@example.com")
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["import-people", str(path), "--deactivate-missing"])
    assert result.exit_code == 0, result.output
    assert "1 deactivated" in result.output
    assert emails(db)["gone@example.com"].active is False


def test_unreadable_file(db, runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code != 0
    assert "missing: name, email" in result.output
