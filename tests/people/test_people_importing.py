"""The pure parser and validator: no app, no database."""

import io

import pytest
from openpyxl import Workbook

from feedback.people.importing import (
    ExistingPerson,
    FileError,
    RawRow,
    Status,
    parse_csv,
    parse_file,
    parse_xlsx,
    validate,
)

HEADER = "name,email,language,manager_email,team,role\n"


def row(line, name="Ann", email="ann@example.com", manager="", language="nl", **extra):
    return RawRow(
        line=line, name=name, email=email, manager_email=manager, language=language, **extra
    )


def known(pid, email, manager=None, *, name=None, active=True, team=None, role="rep"):
    return ExistingPerson(
        id=pid,
        email=email,
        name=name or email.split("@")[0],
        language="nl",
        team=team,
        role=role,
        manager_email=manager,
        active=active,
    )


def errors_of(preview, line):
    return next(r for r in preview.rows if r.line == line).errors


# ---------------------------------------------------------------- parsing


def test_csv_with_commas():
    rows = parse_csv((HEADER + "Ann,ann@example.com,en,,Noord,manager\n").encode())
    assert rows == [
        RawRow(2, "Ann", "ann@example.com", "en", "", "Noord", "manager"),
    ]


def test_csv_with_bom_semicolons_and_dutch_headers():
    text = "Naam;E-mail;Taal;Manager;Team;Rol\r\nJoost de Vries;Joost@Example.com;nl;;Zuid;rep\r\n"
    rows = parse_csv(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert rows == [RawRow(2, "Joost de Vries", "Joost@Example.com", "nl", "", "Zuid", "rep")]


def test_csv_quoted_semicolon_and_missing_optional_columns():
    rows = parse_csv(b'email;name\n"a@example.com";"Jansen; Piet"\n\n')
    assert rows == [RawRow(2, name="Jansen; Piet", email="a@example.com")]


def test_csv_row_numbers_skip_blank_lines():
    rows = parse_csv((HEADER + "A,a@example.com\n,,,,,\nB,b@example.com\n").encode())
    assert [r.line for r in rows] == [2, 4]


def test_csv_not_utf8_is_a_clear_error():
    with pytest.raises(FileError, match="UTF-8"):
        parse_csv((HEADER + "Ren\xe9,rene@example.com\n").encode("cp1252"))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"name,team\nAnn,Noord\n", "missing: email"),
        (b"naam,name,email\n", "both mean name"),
        (HEADER.encode(), "no people"),
    ],
)
def test_csv_file_level_errors(data, message):
    with pytest.raises(FileError, match=message):
        parse_csv(data)


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_dutch_headers_numbers_and_formulas():
    data = _xlsx(
        [
            ["Naam", "E-mail", "Taal", "Manager", "Team", "Rol"],
            ["Eva", "eva@example.com", "EN", None, 12, "director"],
            ['=HYPERLINK("http://evil.example","click")', "f@example.com", "nl", "eva@example.com"],
        ]
    )
    rows = parse_xlsx(data)
    assert rows[0] == RawRow(2, "Eva", "eva@example.com", "EN", "", "12", "director")
    assert rows[1].name == '=HYPERLINK("http://evil.example","click")'
    assert rows[1].manager_email == "eva@example.com"


def test_parse_file_by_extension_and_rejects_others():
    assert parse_file("people.CSV", (HEADER + "A,a@example.com\n").encode())[0].name == "A"
    assert (
        parse_file("people.xlsx", _xlsx([["name", "email"], ["B", "b@example.com"]]))[0].name == "B"
    )
    with pytest.raises(FileError, match="csv or .xlsx"):
        parse_file("people.pdf", b"%PDF-1.7")
    with pytest.raises(FileError, match="XLSX"):
        parse_file("people.xlsx", b"not a zip")


# ---------------------------------------------------------------- validating


def test_new_rows_get_defaults_and_lowercased_email():
    preview = validate([row(2, email="Ann@Example.COM", language="", role="")], {})
    result = preview.rows[0]
    assert (result.status, result.email, result.language, result.role) == (
        Status.NEW,
        "ann@example.com",
        "nl",
        "rep",
    )
    assert preview.counts == {"new": 1, "update": 0, "unchanged": 0, "error": 0}


def test_bad_email():
    preview = validate([row(2, email="not-an-address"), row(3, email="")], {})
    assert any("bad e-mail" in e for e in errors_of(preview, 2))
    assert "e-mail is missing" in errors_of(preview, 3)
    assert preview.rows[0].status == Status.ERROR


def test_missing_name():
    preview = validate([row(2, name="  ")], {})
    assert errors_of(preview, 2) == ["name is missing"]


def test_unknown_language():
    preview = validate([row(2, language="de"), row(3, email="b@example.com", language="EN")], {})
    assert errors_of(preview, 2) == ["unknown language 'de' (use nl or en)"]
    assert preview.rows[1].language == "en" and preview.rows[1].ok


def test_unknown_manager():
    preview = validate([row(2, manager="ghost@example.com")], {})
    assert errors_of(preview, 2) == [
        "unknown manager ghost@example.com: not in this file nor known"
    ]


def test_manager_from_file_or_database_is_known():
    preview = validate(
        [
            row(2, email="a@example.com", manager="boss@example.com"),
            row(3, email="b@example.com", manager="c@example.com"),
            row(4, email="c@example.com"),
        ],
        {"boss@example.com": known(1, "boss@example.com")},
    )
    assert not preview.has_errors


def test_self_as_manager():
    preview = validate([row(2, email="a@example.com", manager="A@example.com")], {})
    assert errors_of(preview, 2) == ["a person cannot be their own manager"]


def test_duplicate_email_in_file():
    preview = validate([row(2, email="a@example.com"), row(3, email="A@EXAMPLE.com")], {})
    assert errors_of(preview, 2) == ["e-mail a@example.com is also on row 3"]
    assert errors_of(preview, 3) == ["e-mail a@example.com is also on row 2"]


def test_reporting_loop_in_file():
    preview = validate(
        [
            row(2, email="a@example.com", manager="b@example.com"),
            row(3, email="b@example.com", manager="a@example.com"),
            row(4, email="c@example.com", manager="a@example.com"),
        ],
        {},
    )
    assert any(e.startswith("reporting loop") for e in errors_of(preview, 2))
    assert any(e.startswith("reporting loop") for e in errors_of(preview, 3))
    # c reports into the loop but is not part of it: its manager cannot be imported.
    assert errors_of(preview, 4) == ["manager a@example.com cannot be imported (row 2)"]


def test_reporting_loop_through_existing_people():
    # In the database: b reports to c, c reports to a. The file makes a report to b.
    existing = {
        "b@example.com": known(2, "b@example.com", "c@example.com"),
        "c@example.com": known(3, "c@example.com", "a@example.com"),
        "a@example.com": known(1, "a@example.com"),
    }
    preview = validate([row(2, email="a@example.com", manager="b@example.com")], existing)
    assert errors_of(preview, 2) == [
        "reporting loop: a@example.com → b@example.com → c@example.com → a@example.com"
    ]


def test_skipping_an_error_row_cannot_close_a_loop():
    # Known: b reports to a. The file moves b under c (but b's row is invalid) and a under b.
    existing = {
        "a@example.com": known(1, "a@example.com"),
        "b@example.com": known(2, "b@example.com", "a@example.com"),
    }
    preview = validate(
        [
            row(2, email="a@example.com", manager="b@example.com"),
            row(3, email="b@example.com", manager="c@example.com", language="fr"),
            row(4, email="c@example.com"),
        ],
        existing,
    )
    assert any(e.startswith("reporting loop") for e in errors_of(preview, 2))
    assert preview.rows[2].ok


def test_manager_row_with_error_blocks_its_reports():
    preview = validate(
        [
            row(2, email="boss@example.com", name=""),
            row(3, email="a@example.com", manager="boss@example.com"),
        ],
        {},
    )
    assert errors_of(preview, 3) == ["manager boss@example.com cannot be imported (row 2)"]


def test_too_long_values():
    preview = validate([row(2, name="x" * 201, team="t" * 121)], {})
    assert errors_of(preview, 2) == [
        "name is longer than 200 characters",
        "team is longer than 120 characters",
    ]


def test_update_unchanged_and_reactivated():
    existing = {
        "a@example.com": known(1, "a@example.com", name="Ann", team="Noord"),
        "b@example.com": known(2, "b@example.com", name="Bob", team="Noord"),
        "c@example.com": known(3, "c@example.com", name="Cas", active=False),
        "d@example.com": known(4, "d@example.com", name="Dirk"),
    }
    preview = validate(
        [
            row(2, name="Ann", email="a@example.com", team="Noord", language="", role=""),
            row(3, name="Bob", email="b@example.com", team="Zuid", manager="a@example.com"),
            row(4, name="Cas", email="c@example.com", role="rep"),
        ],
        existing,
    )
    statuses = [(r.status, r.changes, r.existing_id) for r in preview.rows]
    assert statuses == [
        (Status.UNCHANGED, [], 1),
        (Status.UPDATE, ["team", "manager"], 2),
        (Status.UPDATE, ["reactivated"], 3),
    ]
    assert [p.email for p in preview.missing] == ["d@example.com"]


def test_inactive_people_are_not_listed_as_missing():
    preview = validate([row(2)], {"x@example.com": known(9, "x@example.com", active=False)})
    assert preview.missing == []


def test_formula_text_is_kept_as_plain_text():
    formula = '=HYPERLINK("http://evil.example","x")'
    preview = validate([row(2, name=formula)], {})
    assert preview.rows[0].ok and preview.rows[0].name == formula
