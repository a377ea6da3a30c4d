"""The import service against the database: bulk writes, loops through existing people."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from feedback.models import Person
from feedback.people import services
from feedback.people.importing import RawRow
from tests.factories import PASSWORD, make_person, make_user


def generated_rows(n_people, n_managers, suffix=""):
    rows = [RawRow(line=2, name="Director", email="director@example.com", role="director")]
    for m in range(n_managers):
        rows.append(
            RawRow(
                line=len(rows) + 2,
                name=f"Manager {m}{suffix}",
                email=f"manager{m}@example.com",
                language="en" if m % 3 == 0 else "nl",
                manager_email="director@example.com",
                team=f"Team {m}",
                role="manager",
            )
        )
    for r in range(n_people - n_managers - 1):
        m = r % n_managers
        rows.append(
            RawRow(
                line=len(rows) + 2,
                name=f"Rep {r}{suffix}",
                email=f"rep{r}@example.com",
                manager_email=f"manager{m}@example.com",
                team=f"Team {m}",
            )
        )
    return rows


def test_import_2000_rows_then_update_them(db):
    rows = generated_rows(2000, 60)
    result = services.apply_import(rows)
    assert (result.created, result.updated, result.unchanged) == (2000, 0, 0)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    assert count == 2000
    reports = db.session.scalar(
        sa.select(sa.func.count()).select_from(Person).where(Person.manager_id.is_not(None))
    )
    assert reports == 1999

    again = services.apply_import(generated_rows(2000, 60, suffix=" Jr"))
    assert (again.created, again.updated, again.unchanged) == (0, 1999, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 2000
    rep = db.session.scalar(sa.select(Person).where(Person.email == "rep7@example.com"))
    assert rep.name == "Rep 7 Jr" and rep.manager.email == "manager7@example.com"


def test_apply_refuses_errors_and_writes_nothing(db):
    rows = [RawRow(2, "A", "a@example.com"), RawRow(3, "", "b@example.com")]
    with pytest.raises(services.ImportHasErrors):
        services.apply_import(rows)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_loop_through_existing_people_is_refused(db):
    a = make_person(db, email="a@example.com")
    make_person(db, email="b@example.com", manager=a)
    preview = services.preview_import(
        [RawRow(2, "A", "a@example.com", manager_email="b@example.com")]
    )
    with force_locale("en"):  # the messages are lazy: they take the locale they are shown in
        assert preview.rows[0].errors == [
            "reporting loop: a@example.com → b@example.com → a@example.com"
        ]
    with force_locale("nl"):
        assert preview.rows[0].errors == [
            "rapportagelus: a@example.com → b@example.com → a@example.com"
        ]


def test_existing_email_case_is_matched(db):
    make_person(db, name="Old", email="Mixed.Case@Example.com")
    result = services.apply_import([RawRow(2, "New", "mixed.case@example.com")])
    assert (result.created, result.updated) == (0, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1


def test_existing_manager_can_be_moved_under_a_new_person(db):
    boss = make_person(db, email="boss@example.com")
    make_person(db, email="rep@example.com", manager=boss)
    services.apply_import(
        [
            RawRow(2, "Boss", "boss@example.com", manager_email="director@example.com"),
            RawRow(3, "Director", "director@example.com"),
        ]
    )
    db.session.expire_all()
    boss = db.session.scalar(sa.select(Person).where(Person.email == "boss@example.com"))
    assert boss.manager.email == "director@example.com"
    assert len(boss.reports) == 1


def test_people_who_left_lose_their_login_and_get_it_back_on_return(db, client):
    stays = make_person(db, name="Stays", email="stays@example.com", role="manager")
    leaves = make_person(db, name="Leaves", email="leaves@example.com", role="manager")
    make_user(db, role="manager", person=leaves)
    make_user(db, role="manager", person=stays)
    only_stays = [RawRow(2, "Stays", "stays@example.com", role="manager")]

    result = services.apply_import(only_stays, deactivate_missing=True)

    assert result.deactivated == 1
    login = {"email": "leaves@example.com", "password": PASSWORD}
    assert client.post("/auth/login", data=login).status_code == 200  # refused
    stays_login = {"email": "stays@example.com", "password": PASSWORD}
    assert client.post("/auth/login", data=stays_login).status_code == 302
    client.post("/auth/logout")

    services.apply_import(only_stays + [RawRow(3, "Leaves", "leaves@example.com")])
    assert client.post("/auth/login", data=login).status_code == 302
