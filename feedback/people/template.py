"""The import template HR downloads: the columns, one example row, what goes in each column.

In the HR user's language: Dutch column names (which the import reads too) and Dutch
explanations for Dutch, English for English. The CSV puts the explanations on lines that
start with "#" above the header (the import skips them); the workbook on a second sheet
(the import reads the first). Either file imports back as it is: one new person.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from feedback.people.importing import FIELDS, REQUIRED

HEADERS = {
    "en": {field: field for field in FIELDS},
    "nl": {
        "name": "naam",
        "email": "e-mail",
        "language": "taal",
        "manager_email": "leidinggevende",
        "team": "team",
        "role": "rol",
    },
}
EXAMPLE = {
    "name": "Sanne de Vries",
    "email": "sanne.devries@example.com",
    "language": "nl",
    "manager_email": "",
    "team": "Noord",
    "role": "manager",
}
EXPLANATIONS = {
    "name": _l("Required. The full name, as the survey and the reports show it."),
    "email": _l(
        "Required. The work e-mail address. People are matched on it, so importing again "
        "updates them."
    ),
    "language": _l(
        "nl or en: the language of their survey, mails and report. Empty: Dutch for someone "
        "new, unchanged for someone already known."
    ),
    "manager_email": _l(
        "The e-mail address of their manager, who is in the same file or already imported. "
        "Empty: they report to nobody."
    ),
    "team": _l("The team or region, e.g. Noord. Empty: no team."),
    "role": _l(
        "rep, manager or director. Empty: rep for someone new, unchanged for someone already known."
    ),
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    field: str
    name: str  # the header in the file
    required: bool
    explanation: str
    example: str


def _language() -> str:
    locale = get_locale()
    return "nl" if locale is None or locale.language != "en" else "en"


def columns() -> list[Column]:
    headers = HEADERS[_language()]
    return [
        Column(
            field=field,
            name=headers[field],
            required=field in REQUIRED,
            explanation=str(EXPLANATIONS[field]),
            example=EXAMPLE[field],
        )
        for field in FIELDS
    ]


def filename(ext: str) -> str:
    return f"{'personen-sjabloon' if _language() == 'nl' else 'people-template'}.{ext}"


def template_csv() -> bytes:
    """UTF-8 with a BOM (Excel reads it as such), semicolons for Dutch Excel, commas for
    English; explanations first, on lines starting with "#"."""
    out = io.StringIO()
    delimiter = ";" if _language() == "nl" else ","
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    cols = columns()
    for column in cols:  # as they are, unquoted: the import skips lines starting with "#"
        out.write(f"# {column.name}: {column.explanation}\r\n")
    writer.writerow([column.name for column in cols])
    writer.writerow([column.example for column in cols])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The header and the example row on the first sheet, the explanations on a second."""
    cols = columns()
    workbook = Workbook()
    people = workbook.active
    people.title = str(_l("people"))
    people.append([column.name for column in cols])
    people.append([column.example for column in cols])
    bold = Font(bold=True)
    for index, column in enumerate(cols):
        people.cell(row=1, column=index + 1).font = bold
        people.column_dimensions[chr(ord("A") + index)].width = max(14, len(column.example) + 4)
    people.freeze_panes = "A2"
    explained = workbook.create_sheet(str(_l("explanation")))
    explained.append([str(_l("Column")), str(_l("What goes in it")), str(_l("Example"))])
    for cell in explained[1]:
        cell.font = bold
    for column in cols:
        explained.append([column.name, column.explanation, column.example])
    explained.column_dimensions["A"].width = 18
    explained.column_dimensions["B"].width = 90
    explained.column_dimensions["C"].width = 28
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
