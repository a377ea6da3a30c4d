"""A round's results as CSV and XLSX: one row per manager x leg (or statement) x group.

The rows come from figures.round_results, so the threshold rules are the reports' own:
a group that is pooled, suppressed or has no answers gets a note and no numbers, and the
norm stands only beside a visible "all raters (excluding self)" figure.

Language and numbers. The words (column headers, sheet names, group names, notes, reasons,
leg names and statements) are in the request's language, HR's own. The numbers stay
machine-readable, so a spreadsheet can compute with them:

- XLSX cells hold real numbers (rounded to two decimals), which Excel and LibreOffice show
  in the reader's own regional format; nothing is written as text.
- A CSV has no types, and Excel reads one with the separators of the computer's regional
  settings: a Dutch Excel (nl-NL) splits fields on ";" and reads "3,63" as a number, but
  "3.63" as text or a date. So a CSV comes in two dialects: "semicolon" (";" and a decimal
  comma, for Excel in Dutch) and "comma" ("," and a decimal point, the RFC 4180 form most
  tools and an English Excel read). The default follows HR's language (Dutch: semicolon);
  ?sep= picks the other for a computer set up otherwise. Numbers are written by Babel in
  the dialect's own locale, with two decimals and no thousands separator ("1234,50"), so
  every value reads back unchanged.

Spreadsheet safety: a text cell that starts with = + - @ or a tab/CR could run as a formula
(a team called "=HYPERLINK(...)"). CSV cells like that get a leading single quote; XLSX
cells are written as strings (data type "s", with Excel's quote prefix), never formulas.
Text cells lose bidirectional control characters first (feedback/text.py), so "\u202e=1+1"
is caught too; XLSX cells also lose the control characters a workbook cannot hold.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from feedback.insights.figures import RoundResults
from feedback.insights.overview import Overview
from feedback.reports import aggregation as agg
from feedback.reports.labels import group_name
from feedback.reports.model import GroupStat
from feedback.reports.numbers import rounded
from feedback.text import strip_bidi

LEG_COLUMNS = ("manager", "team", "leg", "group", "n", "mean", "sd", "norm", "note")
STATEMENT_COLUMNS = (
    "manager",
    "team",
    "leg",
    "statement",
    "group",
    "n",
    "mean",
    "sd",
    "norm",
    "note",
)
DEVELOPMENT_COLUMNS = ("leg", "manager", "team", "mean", "n", "self", "gap", "reasons")
HEADERS = {
    "manager": _l("Manager"),
    "team": _l("Team"),
    "leg": _l("Leg"),
    "statement": _l("Statement"),
    "group": _l("Group"),
    "n": _l("n"),
    "mean": _l("Mean"),
    "sd": _l("SD"),
    "norm": _l("Norm"),
    "note": _l("Note"),
    "self": _l("Self"),
    "gap": _l("Difference self − all others"),
    "reasons": _l("Reasons"),
}
DIGITS = 2
SEPARATORS = {"comma": ",", "semicolon": ";"}
# The locale whose decimal sign goes with each CSV dialect (see the top).
DIALECT_LOCALE = {"comma": "en", "semicolon": "nl"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML 1.0 cannot hold these

Row = tuple[str | int | float | None, ...]


def default_separator(lang: str) -> str:
    """The CSV dialect of a language: Dutch Excel wants ";" and a decimal comma."""
    return "semicolon" if lang == "nl" else "comma"


def headers(columns: Sequence[str]) -> list[str]:
    """The column headers in the current locale."""
    return [str(HEADERS[column]) for column in columns]


def _round(value: float | None) -> float | None:
    """Two decimals, half up (3.625 -> 3.63): numbers.rounded, the report's own rule."""
    return None if value is None else float(rounded(value, DIGITS))


def _note(state: str, threshold: int) -> str:
    if state == agg.NO_ANSWERS:
        return _("no answers")
    if state == agg.POOLED:
        return _("pooled into “%(others)s”", others=group_name(agg.OTHERS))
    return _("fewer than %(t)s raters", t=threshold)


def _group_rows(stats: Sequence[GroupStat], norm: float | None, threshold: int) -> Iterator[tuple]:
    """(group, n, mean, sd, norm, note) for every group the report has a column for."""
    for stat in stats:
        if stat.state == agg.NOT_APPLICABLE:
            continue
        name = group_name(stat.group)
        if stat.visible:
            shown_norm = norm if stat.group == agg.ALL_OTHERS else None
            yield (name, stat.n, _round(stat.mean), _round(stat.sd), _round(shown_norm), "")
        elif stat.state == agg.NO_ANSWERS:
            yield (name, 0, None, None, None, _note(stat.state, threshold))
        else:  # pooled or suppressed: no numbers at all
            yield (name, None, None, None, None, _note(stat.state, threshold))


def leg_rows(results: RoundResults) -> Iterator[Row]:
    for manager in results.managers:
        for leg in results.legs:
            norm = results.leg_norms.get(leg.key)
            for row in _group_rows(manager.legs[leg.key], norm, results.threshold):
                yield (manager.name, manager.team, leg.name, *row)


def statement_rows(results: RoundResults) -> Iterator[Row]:
    leg_names = {leg.key: leg.name for leg in results.legs}
    for manager in results.managers:
        for st in results.statements:
            norm = results.statement_norms.get(st.id)
            stats = manager.statements[st.id]
            for row in _group_rows(stats, norm, results.threshold):
                yield (manager.name, manager.team, leg_names[st.leg_key], st.text, *row)


def development_rows(view: Overview) -> Iterator[Row]:
    """The development-area lists of the overview (its team filter and cut), leg by leg."""
    for leg in view.by_leg:
        for entry in leg.development:
            yield (
                leg.name,
                entry.name,
                entry.team,
                _round(entry.mean),
                entry.n,
                _round(entry.self_mean),
                _round(entry.gap),
                entry.reason_text,
            )


# --- Cells -------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A CSV text cell that a spreadsheet would not run as a formula (nor reorder)."""
    text = strip_bidi(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_decimal(rounded(value, DIGITS), format="0." + "0" * DIGITS, locale=locale)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def to_csv(columns: Sequence[str], rows: Iterable[Row], sep: str = "comma") -> bytes:
    """UTF-8 with a BOM (Excel reads the encoding from it), headers in the current locale.
    sep="semicolon" for a Dutch Excel: ";" between fields and a decimal comma; otherwise
    "," and a decimal point (see the top)."""
    delimiter = SEPARATORS[sep]
    locale = DIALECT_LOCALE[sep]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers(columns)])
    for row in rows:
        writer.writerow([_csv_value(value, locale) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(ws, value):
    """Numbers and plain text as they are (openpyxl streams them fast); text that could be
    read as a formula as an explicit string cell."""
    if isinstance(value, str):
        value = _XLSX_INVALID.sub("", strip_bidi(value))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # never a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell
    return value


_WIDTHS = {"manager": 26, "team": 18, "leg": 20, "statement": 60, "group": 28, "note": 30}


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Row]]]) -> bytes:
    """sheets: (title, columns, rows). A write-only workbook: rows stream, memory stays flat."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        ws = workbook.create_sheet(title)
        for index, column in enumerate(columns):
            letter = chr(ord("A") + index)
            ws.column_dimensions[letter].width = _WIDTHS.get(column, 9)
        ws.freeze_panes = "A2"
        header = []
        for column in headers(columns):
            cell = WriteOnlyCell(ws, value=column)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in rows:
            ws.append([_xlsx_value(ws, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Whole exports -----------------------------------------------------------------------------


def results_xlsx(results: RoundResults) -> bytes:
    return to_xlsx(
        [
            (_("Legs"), LEG_COLUMNS, leg_rows(results)),
            (_("Statements"), STATEMENT_COLUMNS, statement_rows(results)),
        ]
    )


def results_csv(results: RoundResults, kind: str, sep: str = "comma") -> bytes:
    if kind == "legs":
        return to_csv(LEG_COLUMNS, leg_rows(results), sep)
    return to_csv(STATEMENT_COLUMNS, statement_rows(results), sep)


def filename(round_name: str, kind: str, extension: str) -> str:
    """results-<round>-<kind>.<ext> in lower-case ASCII."""
    ascii_text = unicodedata.normalize("NFKD", round_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "round"
    return f"results-{slug[:60].strip('-')}-{kind}.{extension}"
