"""The people list and the import (upload → preview → confirm) over HTTP."""

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback.extensions import db as _db
from feedback.models import ImportPreview, Person
from tests.factories import make_person, make_user

CSV = (
    "name;email;language;manager_email;team;role\n"
    "Dana Director;dana@example.com;en;;;director\n"
    "Mark Manager;mark@example.com;nl;dana@example.com;Noord;manager\n"
    "Rita Rep;rita@example.com;nl;mark@example.com;Noord;rep\n"
)


@pytest.fixture
def hr(db, client, auth):
    """HR, logged in, reading the pages in English (tests/people/test_people_i18n.py has
    the Dutch)."""
    user = make_user(db, role="hr", email="hr@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    auth.login(user.email)
    return user


def upload(client, text, filename="people.csv"):
    return client.post(
        "/people/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), filename)},
        content_type="multipart/form-data",
    )


def people(db):
    db.session.expire_all()
    return {p.email: p for p in db.session.scalars(sa.select(Person))}


def upload_files(app):
    """The previews waiting in the database (their keys), and nothing in the instance folder."""
    assert not (Path(app.instance_path) / "imports").exists()
    _db.session.rollback()
    return list(_db.session.scalars(sa.select(ImportPreview.id_hash)))


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/people/"),
        ("get", "/people/tree"),
        ("get", "/people/import"),
        ("post", "/people/import"),
        ("get", "/people/import/" + "x" * 32),
        ("post", "/people/import/" + "x" * 32),
    ],
)
def test_anonymous_is_sent_to_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ["/people/", "/people/tree", "/people/import"])
def test_manager_gets_404(db, client, auth, url):
    manager = make_person(db, role="manager", email="m@example.com")
    make_user(db, role="manager", person=manager)
    auth.login("m@example.com")
    assert client.get(url).status_code == 404
    response = upload(client, CSV)
    assert response.status_code == 404
    assert people(db).keys() == {"m@example.com"}


# ---------------------------------------------------------------- list


def test_list_shows_manager_name_and_report_counts(db, client, hr):
    boss = make_person(db, name="Bea Boss", email="bea@example.com", team="Noord")
    make_person(db, name="Ruud Rep", email="ruud@example.com", manager=boss, team="Noord")
    make_person(db, name="Roos Rep", email="roos@example.com", manager=boss, team="Zuid")
    html = client.get("/people/").get_data(as_text=True)
    assert "<html" in html
    assert "Bea Boss" in html and "Ruud Rep" in html
    row = html.split("Ruud Rep", 1)[1].split("</tr>", 1)[0]
    assert "Bea Boss" in row  # reports to
    boss_row = html.split(">Bea Boss</a></td>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">2</td>' in boss_row


def test_search_filters_and_htmx_partial(db, client, hr):
    boss = make_person(db, name="Bea Boss", email="bea@example.com", team="Noord")
    make_person(db, name="Ruud Rep", email="ruud@example.com", manager=boss, team="Zuid")
    make_person(db, name="Old Hand", email="old@example.com", team="Zuid").active = False
    db.session.commit()

    plain = client.get("/people/?q=ruud").get_data(as_text=True)
    assert "Ruud Rep" in plain and "Old Hand" not in plain and "<html" in plain

    partial = client.get("/people/?q=RUUD@", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "<html" not in text and "Ruud Rep" in text and "Old Hand" not in text

    boosted = client.get("/people/?q=ruud", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)

    team = client.get("/people/?team=Zuid").get_data(as_text=True)
    assert "Ruud Rep" in team and "Old Hand" in team and "bea@example.com" not in team

    managers = client.get("/people/?managers=1").get_data(as_text=True)
    assert ">Bea Boss</a></td>" in managers and "Ruud Rep" not in managers

    inactive = client.get("/people/?active=no").get_data(as_text=True)
    assert "Old Hand" in inactive and "Ruud Rep" not in inactive

    # LIKE wildcards in the search are literal.
    assert "Ruud Rep" not in client.get("/people/?q=%25").get_data(as_text=True)


def test_list_paginates(db, client, hr):
    for n in range(120):
        make_person(db, name=f"Person {n:03d}", email=f"p{n:03d}@example.com", commit=False)
    db.session.commit()
    first = client.get("/people/").get_data(as_text=True)
    assert "Person 000" in first and "Person 050" not in first
    assert "page 1 of 3" in first
    third = client.get("/people/?page=3").get_data(as_text=True)
    assert "Person 119" in third and "Person 000" not in third
    assert client.get("/people/?page=abc").status_code == 200


# ---------------------------------------------------------------- import


def test_preview_writes_nothing_then_confirm_imports(app, db, client, hr):
    response = upload(client, CSV)
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    assert people(db) == {}
    files = upload_files(app)
    assert len(files) == 1
    upload_id = preview_url.rsplit("/", 1)[1]
    assert files[0] == hashlib.sha256(upload_id.encode()).hexdigest()  # not the id itself
    assert upload_id not in (response.headers.get("Set-Cookie") or "")

    html = client.get(preview_url).get_data(as_text=True)
    assert "Mark Manager" in html and "Nothing has been changed yet" in html
    assert people(db) == {}

    done = client.post(preview_url, data={})
    assert done.status_code == 200
    assert "3 new" in done.get_data(as_text=True)
    found = people(db)
    assert found.keys() == {"dana@example.com", "mark@example.com", "rita@example.com"}
    assert found["rita@example.com"].manager.email == "mark@example.com"
    assert found["mark@example.com"].manager.email == "dana@example.com"
    assert found["dana@example.com"].language == "en"
    assert upload_files(app) == []  # deleted after confirm

    again = client.post(preview_url, data={}, follow_redirects=True)
    assert "unknown or has expired" in again.get_data(as_text=True)


def test_reimport_updates_instead_of_duplicating_and_deactivates(db, client, hr):
    client.post(upload(client, CSV).headers["Location"], data={})
    changed = (
        CSV.replace("Rita Rep;rita@example.com", "Rita de Rep;RITA@example.com")
        .replace("Mark Manager;mark@example.com;nl;dana@example.com;Noord;manager\n", "")
        .replace("mark@example.com;Noord;rep", "dana@example.com;Zuid;rep")
    )
    preview_url = upload(client, changed).headers["Location"]
    html = client.get(preview_url + "?status=all").get_data(as_text=True)
    assert "update" in html and "Mark Manager" in html  # listed as not in the file
    result = client.post(preview_url, data={"deactivate_missing": "y"}).get_data(as_text=True)
    assert "1 deactivated" in result
    found = people(db)
    assert len(found) == 3
    assert found["rita@example.com"].name == "Rita de Rep"
    assert found["rita@example.com"].team == "Zuid"
    assert found["rita@example.com"].manager.email == "dana@example.com"
    assert found["mark@example.com"].active is False
    assert found["dana@example.com"].active is True


def test_confirm_refused_with_errors_unless_valid_rows_only(db, client, hr):
    bad = CSV + "No Mail;not-an-email;nl;;;rep\nLoop A;la@example.com;nl;lb@example.com;;\n"
    bad += "Loop B;lb@example.com;nl;la@example.com;;\n"
    preview_url = upload(client, bad).headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    assert "bad e-mail address" in html and "reporting loop" in html
    assert "3 rows have errors" in html

    refused = client.post(preview_url, data={})
    assert refused.status_code == 200
    assert "nothing was imported" in refused.get_data(as_text=True)
    assert people(db) == {}

    done = client.post(preview_url, data={"skip_invalid": "y"}).get_data(as_text=True)
    assert "3 skipped" in done and "not-an-email" in done
    assert set(people(db)) == {"dana@example.com", "mark@example.com", "rita@example.com"}


def test_unreadable_file_is_a_clear_message(db, client, hr):
    response = upload(client, "just,some,words\n1,2,3\n")
    assert response.status_code == 200
    assert "missing: name, email" in response.get_data(as_text=True)
    response = upload(client, "%PDF", filename="people.pdf")
    assert "Upload a .csv or .xlsx file" in response.get_data(as_text=True)


def test_unknown_or_foreign_upload_id(app, db, client, auth, hr):
    for bad in ["x" * 32, "short", "..secret_key"]:
        response = client.get(f"/people/import/{bad}", follow_redirects=True)
        assert "unknown or has expired" in response.get_data(as_text=True)
    assert client.get("/people/import/..%2F..%2Fsecret_key").status_code == 404
    preview_url = upload(client, CSV).headers["Location"]
    auth.logout()
    make_user(db, role="hr", email="hr2@example.com")
    auth.login("hr2@example.com")
    response = client.post(preview_url, data={}, follow_redirects=True)
    assert "unknown or has expired" in response.get_data(as_text=True)
    assert people(db) == {}


def test_cancel_deletes_the_upload(app, db, client, hr):
    preview_url = upload(client, CSV).headers["Location"]
    client.post(preview_url + "/cancel")
    assert upload_files(app) == []
    assert people(db) == {}


def test_xlsx_upload_with_formula_is_stored_as_text_and_escaped(db, client, hr):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Naam", "E-mail", "Taal"])
    formula = '=HYPERLINK("http://evil.example","<b>click</b>")'
    workbook.active.append([formula, "f@example.com", "nl"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        "/people/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "people.xlsx")},
        content_type="multipart/form-data",
    )
    preview_url = response.headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    assert "<b>click</b>" not in html and "&lt;b&gt;click&lt;/b&gt;" in html
    client.post(preview_url, data={})
    assert people(db)["f@example.com"].name == formula
    listed = client.get("/people/").get_data(as_text=True)
    assert "<b>click</b>" not in listed and "=HYPERLINK(&#34;http://evil.example&#34;" in listed


def test_preview_paginates_by_status(db, client, hr):
    lines = ["name,email"] + [f"P{n},p{n}@example.com" for n in range(250)]
    preview_url = upload(client, "\n".join(lines)).headers["Location"]
    first = client.get(preview_url).get_data(as_text=True)
    assert "page 1 of 3" in first and "p0@example.com" in first and "p100@" not in first
    partial = client.get(preview_url + "?status=new&page=2", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "<html" not in text and "p100@example.com" in text


def test_tree_shows_reporting_lines_of_active_people(db, client, hr):
    director = make_person(db, name="Dana Director", email="dana@example.com")
    manager = make_person(db, name="Mark Manager", email="mark@example.com", manager=director)
    make_person(db, name="Rita Rep", email="rita@example.com", manager=manager)
    make_person(db, name="Gone Rep", email="gone@example.com", manager=manager).active = False
    db.session.commit()
    html = client.get("/people/tree").get_data(as_text=True)
    assert html.index("Dana Director") < html.index("Mark Manager") < html.index("Rita Rep")
    assert "1 direct report" in html and "Gone Rep" not in html
    assert client.get("/people/tree").status_code == 200


def test_tree_keeps_people_caught_in_an_old_loop(db):
    from feedback.people.services import org_tree

    a = make_person(db, name="A", email="a@example.com")
    b = make_person(db, name="B", email="b@example.com", manager=a)
    a.manager = b
    db.session.commit()
    assert sorted(node.name for node in org_tree()) == ["A", "B"]
