"""A round's results as CSV and XLSX: one row per manager x leg (or statement) x group.

The rows come from figures.round_results, so the threshold rules are the reports' own:
a group that is pooled, suppressed or has no answers gets a note and no numbers, and the
norm stands only beside a visible "all raters (excluding self)" figure.

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
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from feedback.insights.figures import RoundResults
from feedback.insights.overview import Overview
from feedback.reports import aggregation as agg
from feedback.reports.model import GroupStat
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
DIGITS = 2
SEPARATORS = {"comma": ",", "semicolon": ";"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML 1.0 cannot hold these

_NOTES = {
    "nl": {
        agg.POOLED: "samengevoegd in '{others}'",
        agg.SUPPRESSED: "minder dan {t} beoordelaars",
        agg.NO_ANSWERS: "geen antwoorden",
    },
    "en": {
        agg.POOLED: "pooled into '{others}'",
        agg.SUPPRESSED: "fewer than {t} raters",
        agg.NO_ANSWERS: "no answers",
    },
}

Row = tuple[str | int | float | None, ...]


def _round(value: float | None) -> float | None:
    """Two decimals, half up (3.625 -> 3.63), like the report's charts."""
    if value is None:
        return None
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-DIGITS), ROUND_HALF_UP)
    return float(exact)


def _group_rows(
    stats: Sequence[GroupStat], norm: float | None, threshold: int, lang: str
) -> Iterator[tuple]:
    """(group, n, mean, sd, norm, note) for every group the report has a column for."""
    notes = _NOTES[lang]
    others = agg.group_label(agg.OTHERS, lang)
    for stat in stats:
        if stat.state == agg.NOT_APPLICABLE:
            continue
        if stat.visible:
            shown_norm = norm if stat.group == agg.ALL_OTHERS else None
            yield (stat.label, stat.n, _round(stat.mean), _round(stat.sd), _round(shown_norm), "")
        elif stat.state == agg.NO_ANSWERS:
            yield (stat.label, 0, None, None, None, notes[agg.NO_ANSWERS])
        else:  # pooled or suppressed: no numbers at all
            note = notes[stat.state].format(t=threshold, others=others)
            yield (stat.label, None, None, None, None, note)


def leg_rows(results: RoundResults) -> Iterator[Row]:
    for manager in results.managers:
        for leg in results.legs:
            norm = results.leg_norms.get(leg.key)
            for row in _group_rows(manager.legs[leg.key], norm, results.threshold, results.lang):
                yield (manager.name, manager.team, leg.name, *row)


def statement_rows(results: RoundResults) -> Iterator[Row]:
    leg_names = {leg.key: leg.name for leg in results.legs}
    for manager in results.managers:
        for st in results.statements:
            norm = results.statement_norms.get(st.id)
            stats = manager.statements[st.id]
            for row in _group_rows(stats, norm, results.threshold, results.lang):
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


def _csv_value(value, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.{DIGITS}f}"
        return text.replace(".", decimal)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def to_csv(columns: Sequence[str], rows: Iterable[Row], sep: str = "comma") -> bytes:
    """UTF-8 with a BOM (Excel reads the encoding from it). sep="semicolon" for a Dutch
    Excel: ";" between fields and a decimal comma; otherwise "," and a decimal point."""
    delimiter = SEPARATORS[sep]
    decimal = "," if delimiter == ";" else "."
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(value, decimal) for value in row])
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
        for column in columns:
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
            ("Legs", LEG_COLUMNS, leg_rows(results)),
            ("Statements", STATEMENT_COLUMNS, statement_rows(results)),
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
