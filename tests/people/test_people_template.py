"""The import template: downloaded as CSV and XLSX in HR's language, imported back as is."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from feedback.models import Person
from feedback.people.importing import parse_csv

EXPLANATION = {
    "en": "Required. The work e-mail address.",
    "nl": "Verplicht. Het zakelijke e-mailadres.",
}
HEADER = {
    "en": ["name", "email", "language", "manager_email", "team", "role"],
    "nl": ["naam", "e-mail", "taal", "leidinggevende", "team", "rol"],
}
EXAMPLE = ["Sanne de Vries", "sanne.devries@example.com", "nl", "", "Noord", "manager"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(params=["en", "nl"])
def language(request, hr_client):
    hr_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = request.param
    return request.param


def test_the_import_page_offers_both_templates_and_explains_each_column(hr_client, language):
    html = hr_client.get("/people/import").get_data(as_text=True)
    assert 'href="/people/template.csv"' in html and 'href="/people/template.xlsx"' in html
    for header in HEADER[language]:
        assert f"<code>{header}</code>" in html
    assert EXPLANATION[language] in html
    assert ("Template (Excel)" if language == "en" else "Sjabloon (Excel)") in html


def test_csv_template(hr_client, language):
    response = hr_client.get("/people/template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    name = "people-template.csv" if language == "en" else "personen-sjabloon.csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    lines = data.decode("utf-8-sig").splitlines()
    separator = "," if language == "en" else ";"
    comments = [line for line in lines if line.startswith("# ")]
    assert len(comments) == 6 and EXPLANATION[language] in "\n".join(comments)
    assert lines[6] == separator.join(HEADER[language])
    assert lines[7] == separator.join(EXAMPLE)
    assert len(lines) == 8


def test_xlsx_template(hr_client, language):
    response = hr_client.get("/people/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.get_data()))
    people, explained = workbook.worksheets
    rows = [[cell or "" for cell in row] for row in people.iter_rows(values_only=True)]
    assert rows == [HEADER[language], EXAMPLE]
    explanations = list(explained.iter_rows(values_only=True))
    assert [row[0] for row in explanations[1:]] == HEADER[language]
    assert any(row[1].startswith(EXPLANATION[language]) for row in explanations[1:])


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_the_template_imports_back_cleanly(db, hr_client, language, ext):
    data = hr_client.get(f"/people/template.{ext}").get_data()
    upload = hr_client.post(
        "/people/import",
        data={"file": (io.BytesIO(data), f"template.{ext}")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 303
    preview_url = upload.headers["Location"]
    html = hr_client.get(preview_url).get_data(as_text=True)
    assert "people-badge-error" not in html and "Sanne de Vries" in html
    done = hr_client.post(preview_url, data={})
    assert done.status_code == 200
    assert ("1 new" if language == "en" else "1 nieuw") in done.get_data(as_text=True)
    db.session.expire_all()
    (person,) = db.session.scalars(sa.select(Person))
    assert (person.name, person.email, person.language, person.team, person.role) == (
        "Sanne de Vries",
        "sanne.devries@example.com",
        "nl",
        "Noord",
        "manager",
    )
    assert person.manager_id is None and person.active


def test_templates_are_hr_only(db, client, auth):
    from tests.factories import make_person, make_user

    for ext in ("csv", "xlsx"):
        response = client.get(f"/people/template.{ext}")
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    manager = make_person(db, role="manager", email="m@example.com")
    auth.login_as(make_user(db, role="manager", person=manager))
    assert client.get("/people/template.csv").status_code == 404
    assert client.get("/people/template.xlsx").status_code == 404


# ---------------------------------------------------------------- the "#" lines (pure)


def test_explanation_lines_above_the_header_are_skipped_and_do_not_pick_the_separator():
    text = (
        "# name: The full name, as shown, e.g. Jan, Piet\n"
        "# email: required, used to match\n"
        "name;email\n"
        "Ann;ann@example.com\n"
    )
    rows = parse_csv(text.encode())
    assert [(r.line, r.name, r.email) for r in rows] == [(4, "Ann", "ann@example.com")]


def test_a_quoted_explanation_line_does_not_pick_the_separator():
    rows = parse_csv(b'"# name: a, b, c"\nname;email\nAnn;ann@example.com\n')
    assert [(r.line, r.name, r.email) for r in rows] == [(3, "Ann", "ann@example.com")]


def test_a_hash_in_a_data_row_is_data():
    rows = parse_csv(b"name,email\n#1 Seller,seller@example.com\n")
    assert [(r.name, r.email) for r in rows] == [("#1 Seller", "seller@example.com")]
