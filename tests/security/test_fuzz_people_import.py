"""Fuzzing the people import: Hypothesis writes CSV and XLSX files (cells with every kind of
text, numbers, dates, formulas, separators, quotes, line breaks, NUL, bidi controls, very
long values; broken workbooks) and HR uploads and confirms them.

What must hold: reading a file gives rows or one clear file-level message, never anything
else; every row is either imported exactly as the preview showed it, or shown with a
per-row error and left out; nothing stored holds a bidirectional or other control
character or is longer than its column; and no request answers with a server error.
"""

import csv
import io
import unicodedata
import zipfile
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import given, note
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from feedback.models import Person
from feedback.people import services
from feedback.people.importing import FileError, parse_csv, parse_file, parse_xlsx, validate
from tests.factories import login, make_user
from tests.security.fuzz_settings import fuzz

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
HEADERS = ["name", "email", "language", "manager_email", "team", "role"]
COLUMN_SIZES = {"name": 200, "email": 254, "team": 120, "role": 40, "language": 2}

odd_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from([*BIDI, "\x00", "\x01", "\x1b", "\x7f", "\x85", '"', ";", ",", "\t"]),
        st.sampled_from(["\r", "\n", "=", "+", "@", "-", " ", "\u00a0", "İ", "ß", "ﬁ"]),
    ),
    max_size=12,
)


@st.composite
def long_text(draw, around):
    piece = draw(st.sampled_from(["a", "İ", "ß", "é", " ", "😀", BIDI[4]]))
    length = draw(st.integers(around - 3, around + 3))
    return piece * length


@st.composite
def emails(draw):
    local = draw(st.one_of(st.from_regex(r"[a-z0-9._+-]{1,20}", fullmatch=True), odd_text))
    domain = draw(st.sampled_from(["example.com", "Example.COM", "例え.jp", "x", "", "ex..com"]))
    email = f"{local}@{domain}"
    # long addresses too: lowercasing "İ" makes two characters of one
    domain = ".".join(["d" * 60, "e" * 60, "f" * 60, "com"])
    long = draw(st.sampled_from(["İ", "a", "ß"])) * 64 + "@" + domain  # 251 characters
    return draw(st.sampled_from([email, email.upper(), f" {email} ", long, local]))


def cells(column: str):
    if column == "email":
        return emails()
    if column == "manager_email":
        return st.one_of(st.just(""), emails())
    if column == "language":
        return st.one_of(st.sampled_from(["nl", "en", "NL", " en ", "fr", ""]), odd_text)
    size = COLUMN_SIZES[column]
    return st.one_of(odd_text, long_text(size), st.sampled_from(["", "Noord", "manager"]))


@st.composite
def tables(draw):
    """A header (some columns left out, in any order) and up to 6 rows of cells."""
    columns = draw(st.permutations(HEADERS))
    columns = [c for c in columns if c in ("name", "email") or draw(st.booleans())]
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        rows.append([draw(cells(c)) for c in columns])
    if rows and "manager_email" in columns and draw(st.booleans()):
        # someone's manager is another row (or themselves)
        at = columns.index("manager_email")
        rows[-1][at] = rows[0][columns.index("email")]
    return columns, rows


def to_csv(columns, rows, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([columns, *rows])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def to_xlsx(columns, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for values in [columns, *rows]:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_cell(value):
    """openpyxl cannot even write some control characters: those cells are left out."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def assert_clean(value: str | None, column: str) -> None:
    if value is None:
        return
    assert not any(char in value for char in BIDI), (column, value)
    assert not any(unicodedata.category(char) == "Cc" for char in value), (column, value)
    assert len(value) <= COLUMN_SIZES.get(column, 254), (column, len(value))


def assert_preview_is_sound(preview) -> None:
    for row in preview.rows:
        if row.ok:
            for column in ("name", "email", "team", "role", "language"):
                assert_clean(getattr(row, column), column)
            assert row.language in ("nl", "en") and row.email == row.email.lower()
        else:
            # Messages are lazy translations: each is a non-empty text once shown.
            assert all(isinstance(str(error), str) and str(error) for error in row.errors)


# --- Reading and checking (pure): rows or a clear file error, and sound rows ---------------


@given(data=st.binary(max_size=300))
@fuzz(examples=150)
def test_any_bytes_as_csv_give_rows_or_a_file_error(data):
    try:
        rows = parse_csv(data)
    except FileError as error:
        assert str(error)
        return
    assert_preview_is_sound(validate(rows, {}))


@given(table=tables(), delimiter=st.sampled_from([",", ";", "\t"]), bom=st.booleans())
@fuzz(examples=150)
def test_generated_csv_cells_give_sound_rows(table, delimiter, bom):
    columns, rows = table
    try:
        parsed = parse_file("people.csv", to_csv(columns, rows, delimiter, bom))
    except FileError:
        return
    assert_preview_is_sound(validate(parsed, {}))


xlsx_values = st.one_of(
    odd_text,
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1)),
    st.none(),
    st.sampled_from(["=1+1", '=HYPERLINK("http://evil.example","x")', "=A1&B1", "@SUM(1)"]),
)


@given(table=tables(), extra=st.lists(xlsx_values, max_size=6))
@fuzz(examples=60)
def test_generated_xlsx_cells_give_sound_rows(table, extra):
    columns, rows = table
    rows = [[xlsx_cell(v) for v in row] for row in rows]
    if rows:  # numbers, dates, booleans and formulas in the cells of the last row
        extra = [xlsx_cell(v) for v in extra[: len(columns)]]
        rows[-1] = [*extra, *rows[-1][len(extra) :]]
    try:
        parsed = parse_xlsx(to_xlsx(columns, rows))
    except FileError:
        return
    assert_preview_is_sound(validate(parsed, {}))


VALID_XLSX = to_xlsx(HEADERS, [["Ann", "ann@example.com", "nl", "", "Noord", "rep"]])


@st.composite
def broken_workbooks(draw):
    """A real workbook, cut short, with bytes changed, or with one part rewritten."""
    data = bytearray(VALID_XLSX)
    how = draw(st.sampled_from(["truncate", "flip", "member"]))
    if how == "truncate":
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    if how == "flip":
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        return bytes(data)
    source = zipfile.ZipFile(io.BytesIO(VALID_XLSX))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    junk = draw(
        st.one_of(
            st.binary(max_size=200),
            st.sampled_from([b"", b"<x>", b"<?xml version='1.0'?><worksheet/>", b"\x00" * 50]),
        )
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            target.writestr(name, junk if name == victim else source.read(name))
    return out.getvalue()


@given(data=broken_workbooks())
@fuzz(examples=120)
def test_a_broken_workbook_is_a_clear_file_error(data):
    try:
        rows = parse_file("people.xlsx", data)
    except FileError as error:
        assert "XLSX" in str(error) or str(error)
        return
    assert_preview_is_sound(validate(rows, {}))


# --- Upload, preview and import over HTTP: never a 500, exactly what the preview said ------


@pytest.fixture
def hr(db, client):
    user = make_user(db, role="hr")
    login(client, user)
    return user


def _people(db) -> dict[str, Person]:
    db.session.rollback()
    return {p.email: p for p in db.session.scalars(sa.select(Person))}


@given(table=tables(), kind=st.sampled_from(["csv", "xlsx"]), skip=st.booleans())
@fuzz(examples=40)
def test_fuzzed_files_import_as_previewed_or_not_at_all(app, db, client, hr, table, kind, skip):
    db.session.execute(sa.delete(Person))  # each file meets an empty organisation
    db.session.commit()
    columns, rows = table
    if kind == "xlsx":
        rows = [[xlsx_cell(v) for v in row] for row in rows]
        data = to_xlsx(columns, rows)
    else:
        data = to_csv(columns, rows)
    response = client.post(
        "/people/import",
        data={"file": (io.BytesIO(data), f"people.{kind}")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 303)
    if response.status_code == 200:  # a file-level message, shown on the form
        assert 'class="error"' in response.get_data(as_text=True)
        assert _people(db) == {}
        return
    url = response.headers["Location"]
    page = client.get(url)
    assert page.status_code == 200
    upload_id = url.rsplit("/", 1)[1]
    upload = services.load_upload(upload_id, user_id=hr.id)
    preview = services.preview_import(upload.rows)
    note(f"preview: {[(r.line, r.name, r.email, r.errors) for r in preview.rows]}")
    assert_preview_is_sound(preview)
    done = client.post(url, data={"skip_invalid": "y"} if skip else {})
    assert done.status_code == 200
    people = _people(db)
    if preview.has_errors and not skip:
        assert people == {}  # refused as a whole, with the message on the preview
        return
    expected = {row.email: row for row in preview.rows if row.ok}
    assert people.keys() == expected.keys()
    for email, person in people.items():
        row = expected[email]
        assert (person.name, person.team, person.role, person.language) == (
            row.name,
            row.team,
            row.role,
            row.language,
        )
        assert (person.manager.email if person.manager else None) == row.manager_email
        for column in ("name", "email", "team", "role", "language"):
            assert_clean(getattr(person, column), column)
