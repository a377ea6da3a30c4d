"""Reading and checking a people file. Pure: bytes or rows in, results out; no Flask, no db.

A file has the columns name, email, language, manager_email, team and role (header names are
case-insensitive; a few Dutch names are accepted too); lines above the header that start
with "#" are explanations (the downloadable template has them) and are skipped.
`parse_file` turns CSV (UTF-8 with or without BOM, comma or semicolon separated) or XLSX
into `RawRow`s; `validate` compares them with the people already known and says per row
what an import would do, and what is wrong.

Blank cells: the file is the truth for name, team and manager (blank team or manager means
none). A blank language or role keeps what an existing person has, and is "nl" / "rep" for
someone new.

Hostile cells: bidirectional control characters are removed from every cell (feedback/
text.py); a name, team or role with any other control character (NUL, escape, DEL...) is
a row error; a file openpyxl cannot read, however it breaks, is a FileError.

Messages are lazy gettext strings: they take the language of wherever they are shown
(the HR user's page, or the locale the CLI forces), and nothing here needs an app.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from feedback.text import has_control_character, strip_bidi

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
DEFAULT_ROLE = "rep"
MAX_ROWS = 50_000
MAX_LENGTH = {"name": 200, "email": 254, "team": 120, "role": 40}

COMMENT = "#"  # lines above the header that start with it explain the columns (the template)
FIELDS = ("name", "email", "language", "manager_email", "team", "role")
REQUIRED = ("name", "email")
HEADER_ALIASES = {
    "name": "name",
    "naam": "name",
    "full name": "name",
    "volledige naam": "name",
    "email": "email",
    "e-mail": "email",
    "e-mail address": "email",
    "email address": "email",
    "e-mailadres": "email",
    "emailadres": "email",
    "language": "language",
    "taal": "language",
    "manager_email": "manager_email",
    "manager email": "manager_email",
    "manager e-mail": "manager_email",
    "manager": "manager_email",
    "leidinggevende": "manager_email",
    "team": "team",
    "region": "team",
    "regio": "team",
    "role": "role",
    "rol": "role",
    "functie": "role",
}


CONTROL_CHARACTER = {
    "name": _l("name contains a control character"),
    "team": _l("team contains a control character"),
    "role": _l("role contains a control character"),
}
CHANGE_LABELS = {  # what an update changes, as the preview lists it
    "name": _l("name"),
    "language": _l("language"),
    "team": _l("team"),
    "role": _l("role"),
    "manager": _l("manager"),
    "reactivated": _l("reactivated"),
}


class Status(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


class FileError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, missing columns)."""


@dataclass(frozen=True)
class RawRow:
    """One data row as read from the file; `line` is the row number a spreadsheet shows."""

    line: int
    name: str = ""
    email: str = ""
    language: str = ""
    manager_email: str = ""
    team: str = ""
    role: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> RawRow:
        return cls(line=int(data["line"]), **{name: str(data.get(name) or "") for name in FIELDS})


@dataclass(frozen=True)
class ExistingPerson:
    """What the database knows about someone, as plain data."""

    id: int
    email: str
    name: str
    language: str
    team: str | None
    role: str
    manager_email: str | None
    active: bool


@dataclass
class RowResult:
    """What importing one row would do. `email`/`manager_email` are normalised (lowercase)."""

    line: int
    name: str
    email: str
    language: str
    manager_email: str | None
    team: str | None
    role: str
    status: Status = Status.NEW
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    existing_id: int | None = None
    in_loop: bool = False  # a reporting loop is among the errors

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Preview:
    rows: list[RowResult]
    missing: list[ExistingPerson]  # active people in the database who are not in the file

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.status for row in self.rows)
        return {str(status): counted.get(status, 0) for status in Status}

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]


# ---------------------------------------------------------------------------- reading


def parse_file(filename: str, data: bytes) -> list[RawRow]:
    """Read an uploaded file by its extension (.csv, .txt or .xlsx)."""
    lowered = (filename or "").lower()
    if lowered.endswith(".xlsx"):
        return parse_xlsx(data)
    if lowered.endswith((".csv", ".txt")):
        return parse_csv(data)
    if data[:4] == b"PK\x03\x04":
        return parse_xlsx(data)
    raise FileError(_l("Upload a .csv or .xlsx file."))


def parse_csv(data: bytes) -> list[RawRow]:
    """CSV in UTF-8 (a BOM is fine), separated by commas, semicolons or tabs."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            _l("The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8 (comma delimited)'.")
        ) from error
    if not text.strip():
        raise FileError(_l("The file is empty."))
    lines = [line for line in text.splitlines() if line.strip()]
    first_line = next(
        (line for line in lines if not line.lstrip('"').startswith(COMMENT)), lines[0]
    )
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        raise FileError(_l("The CSV file cannot be read: %(error)s.", error=error)) from error
    return _rows_from_records(records)


def parse_xlsx(data: bytes) -> list[RawRow]:
    """The first worksheet of an XLSX workbook. Formulas are read as their text.

    A workbook is a zip of XML parts that anyone can break in many ways (a bad zip, a
    corrupt deflate stream, broken XML, a part that is missing or of the wrong kind), and
    openpyxl then raises whatever its layers raise: every one of them is this file's error.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # any of them: see above
        raise FileError(_l("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileError(_l("The workbook has no worksheet."))
        records = [
            [_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
        ]
    except FileError:
        raise
    except Exception as error:  # a part that breaks only when it is read
        raise FileError(_l("The file is not a readable XLSX workbook.")) from error
    finally:
        workbook.close()
    return _rows_from_records(records)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def map_header(header: Iterable[str]) -> dict[int, str]:
    """Column index -> field name. Raises FileError for missing or repeated columns."""
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        key = " ".join(str(raw).strip().lower().replace("_", " ").split())
        target = HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.replace(" ", "_"))
        if target is None:
            continue
        if target in seen:
            raise FileError(
                _l(
                    "The columns '%(first)s' and '%(second)s' both mean %(field)s.",
                    first=seen[target],
                    second=raw,
                    field=target,
                )
            )
        seen[target] = str(raw).strip()
        mapping[index] = target
    missing = [name for name in REQUIRED if name not in seen]
    if missing:
        raise FileError(
            _l(
                "The first row must name the columns; missing: %(missing)s. Expected: "
                "name, email, language, manager_email, team, role.",
                missing=", ".join(missing),
            )
        )
    return mapping


def _rows_from_records(records: list[list[str]]) -> list[RawRow]:
    header_at = next(
        (
            i
            for i, rec in enumerate(records)
            if any(c.strip() for c in rec) and not rec[0].startswith(COMMENT)
        ),
        None,
    )
    if header_at is None:
        raise FileError(_l("The file is empty."))
    mapping = map_header(records[header_at])
    rows: list[RawRow] = []
    for offset, record in enumerate(records[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in record):
            continue
        values = {
            name: record[index].strip() for index, name in mapping.items() if index < len(record)
        }
        rows.append(RawRow(line=offset, **values))
        if len(rows) > MAX_ROWS:
            raise FileError(_l("The file has more than %(num)d rows.", num=MAX_ROWS))
    if not rows:
        raise FileError(_l("The file has a header but no people."))
    return rows


# ---------------------------------------------------------------------------- checking


@lru_cache(maxsize=65_536)  # the same file is checked at upload, per preview page and at import
def normalise_email(value: str) -> str | None:
    """The lowercased address, or None when it is not a valid e-mail address."""
    try:
        info = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return info.normalized.lower()


def validate(rows: Iterable[RawRow], existing: Mapping[str, ExistingPerson]) -> Preview:
    """Check every row against the others and the people already known (keyed by e-mail).

    Errors: bad e-mail, missing name, unknown language, unknown manager, self as manager,
    duplicate e-mail in the file, a reporting loop (also through people already known), a
    value too long, and a manager whose own row has an error.
    """
    results = [_check_row(row) for row in rows]
    _mark_duplicates(results)
    in_file = {r.email: r for r in results if r.email}

    for result in results:
        manager = result.manager_email
        if manager and manager not in in_file and manager not in existing:
            result.errors.append(
                _l("unknown manager %(email)s: not in this file nor known", email=manager)
            )

    # Loops in what the file asks for, errors or not, so a fix shows every problem at once.
    _mark_loops(results, existing, use_errored_rows=True)
    # Then settle what the valid rows alone would do: a row whose manager is only in the file
    # on a row with errors has nobody to report to, and skipping rows must not close a loop.
    while True:
        before = sum(len(r.errors) for r in results)
        for result in results:
            manager_row = in_file.get(result.manager_email or "")
            if (
                not result.errors
                and manager_row is not None
                and manager_row is not result
                and manager_row.errors
                and result.manager_email not in existing
            ):
                result.errors.append(
                    _l(
                        "manager %(email)s cannot be imported (row %(line)d)",
                        email=result.manager_email,
                        line=manager_row.line,
                    )
                )
        _mark_loops(results, existing, use_errored_rows=False)
        if sum(len(r.errors) for r in results) == before:
            break

    for result in results:
        _set_status(result, existing.get(result.email))
    file_emails = set(in_file)
    missing = [p for e, p in existing.items() if p.active and e not in file_emails]
    missing.sort(key=lambda p: (p.name.lower(), p.email))
    return Preview(rows=results, missing=missing)


def _check_row(row: RawRow) -> RowResult:
    row = RawRow(line=row.line, **{f: strip_bidi(getattr(row, f)) for f in FIELDS})
    errors: list[str] = []
    name = " ".join(row.name.split())
    if not name:
        errors.append(_l("name is missing"))
    email = normalise_email(row.email) if row.email else None
    if not row.email:
        errors.append(_l("e-mail is missing"))
    elif email is None:
        errors.append(_l("bad e-mail address '%(value)s'", value=row.email))
    language = row.language.strip().lower()
    if language and language not in LANGUAGES:
        errors.append(_l("unknown language '%(value)s' (use nl or en)", value=row.language))
    manager_email = None
    if row.manager_email:
        manager_email = normalise_email(row.manager_email)
        if manager_email is None:
            errors.append(_l("bad manager e-mail address '%(value)s'", value=row.manager_email))
        elif manager_email == email:
            errors.append(_l("a person cannot be their own manager"))
    team = " ".join(row.team.split()) or None
    role = " ".join(row.role.split()).lower()
    for label, value in (("name", name), ("team", team), ("role", role)):
        if value and has_control_character(value):  # NUL, escape...: no database text
            errors.append(CONTROL_CHARACTER[label])
        elif value and len(value) > MAX_LENGTH[label]:
            errors.append(_too_long(label))
    return RowResult(
        line=row.line,
        name=name,
        email=email or row.email.strip().lower(),
        language=language,
        manager_email=manager_email,
        team=team,
        role=role,
        errors=errors,
    )


def _too_long(label: str):
    limit = MAX_LENGTH[label]
    if label == "name":
        return _l("name is longer than %(num)d characters", num=limit)
    if label == "team":
        return _l("team is longer than %(num)d characters", num=limit)
    return _l("role is longer than %(num)d characters", num=limit)


def _mark_duplicates(results: list[RowResult]) -> None:
    lines: dict[str, list[int]] = {}
    for result in results:
        if result.email:
            lines.setdefault(result.email, []).append(result.line)
    for result in results:
        others = [n for n in lines.get(result.email, ()) if n != result.line]
        if others:
            listed = ", ".join(str(n) for n in others)
            result.errors.append(
                _l("e-mail %(email)s is also on row %(rows)s", email=result.email, rows=listed)
            )


def _mark_loops(
    results: list[RowResult], existing: Mapping[str, ExistingPerson], *, use_errored_rows: bool
) -> None:
    """Find reporting loops in the organisation as it would be after the import.

    The graph is "e-mail -> manager e-mail": file rows override what is known; rows with
    errors keep what is known unless `use_errored_rows`. Each node is walked once
    (white/grey/black colouring), so the walk is linear in the number of people.
    """
    manager_of: dict[str, str | None] = {
        email: person.manager_email for email, person in existing.items()
    }
    rows_by_email: dict[str, list[RowResult]] = {}
    for result in results:
        rows_by_email.setdefault(result.email, []).append(result)
        if use_errored_rows or not result.errors:
            manager_of[result.email] = result.manager_email
    done: set[str] = set()
    for start in rows_by_email:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = manager_of.get(node)
        cycle = path[on_path[node] :] if node is not None and node in on_path else []
        if len(cycle) > 1:  # a one-person loop is reported as "their own manager"
            shown = " → ".join([*cycle, cycle[0]])
            message = _l("reporting loop: %(chain)s", chain=shown)
            for member in cycle:
                for result in rows_by_email.get(member, ()):
                    if not result.in_loop:
                        result.in_loop = True
                        result.errors.append(message)
        done.update(path)


def _set_status(result: RowResult, known: ExistingPerson | None) -> None:
    if known is not None:
        result.existing_id = known.id
    if result.errors:
        result.status = Status.ERROR
        return
    if known is None:
        result.language = result.language or DEFAULT_LANGUAGE
        result.role = result.role or DEFAULT_ROLE
        result.status = Status.NEW
        return
    result.language = result.language or known.language
    result.role = result.role or known.role
    changes = [
        CHANGE_LABELS[label]
        for label, new, old in (
            ("name", result.name, known.name),
            ("language", result.language, known.language),
            ("team", result.team, known.team),
            ("role", result.role, known.role),
            ("manager", result.manager_email, known.manager_email),
        )
        if new != old
    ]
    if not known.active:
        changes.append(CHANGE_LABELS["reactivated"])
    result.changes = changes
    result.status = Status.UPDATE if changes else Status.UNCHANGED
