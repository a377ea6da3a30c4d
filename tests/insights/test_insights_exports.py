"""CSV and XLSX exports: the expected numbers, nothing hidden, no formulas, HR only."""

import csv
import io
import math

import pytest
from openpyxl import load_workbook

from feedback.insights import exports
from feedback.models import RoundStatus
from tests.factories import make_round
from tests.insights.conftest import FORMULA_TEAM

LEGS_CSV = "/insights/rounds/{}/results-legs.csv"
STATEMENTS_CSV = "/insights/rounds/{}/results-statements.csv"
XLSX = "/insights/rounds/{}/results.xlsx"
DEVELOPMENT_CSV = "/insights/rounds/{}/development.csv"
HIDDEN_VALUES = (1.5, 5 / 3)  # Bert's suppressed direct reports and all_others, leg 1
EN = {"Accept-Language": "en"}  # HR's language (the request's); without it: Dutch
LEG_HEADERS = {
    "en": ["Manager", "Team", "Leg", "Group", "n", "Mean", "SD", "Norm", "Note"],
    "nl": ["Manager", "Team", "Poot", "Groep", "n", "Gem.", "SD", "Norm", "Opmerking"],
}


def read_csv(response, delimiter=","):
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def keyed(rows, columns):
    """The rows with the (translated) header replaced by the column keys."""
    assert len(rows[0]) == len(columns)
    return [list(columns), *rows[1:]]


def rows_by(rows, **match):
    header = rows[0]
    found = []
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        if all(record[k] == v for k, v in match.items()):
            found.append(record)
    return found


def one(rows, **match):
    found = rows_by(rows, **match)
    assert len(found) == 1, (match, found)
    return found[0]


def test_legs_csv_numbers(hr_client, seeded):
    response = hr_client.get(LEGS_CSV.format(seeded.rnd.id), headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)  # English: "," and a decimal point by default
    assert rows[0] == LEG_HEADERS["en"]
    rows = keyed(rows, exports.LEG_COLUMNS)
    leg1, leg2 = seeded.leg1.name_en, seeded.leg2.name_en
    everyone = "All others"

    anna = one(rows, manager="Anna Alpha", leg=leg1, group=everyone)
    assert (anna["n"], anna["mean"], anna["sd"], anna["norm"]) == ("4", "3.00", "0.82", "3.63")
    anna_self = one(rows, manager="Anna Alpha", leg=leg1, group="Self")
    assert (anna_self["n"], anna_self["mean"], anna_self["sd"], anna_self["norm"]) == (
        "1",
        "5.00",
        "",
        "",
    )
    anna_dr = one(rows, manager="Anna Alpha", leg=leg2, group="Direct reports")
    assert (anna_dr["n"], anna_dr["mean"], anna_dr["sd"]) == ("3", "4.33", "0.58")
    assert one(rows, manager="Anna Alpha", leg=leg2, group=everyone)["norm"] == ""  # 1 manager
    no_answers = one(
        rows, manager="Anna Alpha", leg=seeded.rnd.framework.legs[2].name_en, group=everyone
    )
    assert (no_answers["n"], no_answers["mean"], no_answers["note"]) == ("0", "", "no answers")

    eva_peer = one(rows, manager="Eva Epsilon", leg=leg1, group="Peers")
    assert eva_peer["n"] == eva_peer["mean"] == eva_peer["sd"] == ""
    assert eva_peer["note"] == "pooled into “Others”"
    eva_others = one(rows, manager="Eva Epsilon", leg=leg1, group="Others")
    assert (eva_others["n"], eva_others["mean"], eva_others["sd"]) == ("4", "2.50", "1.00")

    # Bert: supervisor shown by name; direct reports and all_others suppressed, no numbers.
    assert one(rows, manager="Bert Beta", leg=leg1, group="Supervisor")["mean"] == "2.00"
    for group in ("Direct reports", everyone, "Others"):
        bert = one(rows, manager="Bert Beta", leg=leg1, group=group)
        assert bert["n"] == bert["mean"] == bert["sd"] == bert["norm"] == ""
        assert bert["note"] == "fewer than 3 raters"
    # "others" is left out where nobody was pooled (the report has no column for it).
    assert rows_by(rows, manager="Anna Alpha", leg=leg1, group="Others") == []


@pytest.mark.parametrize("query", ["", "?sep=semicolon"])
def test_semicolon_csv_for_dutch_excel(hr_client, seeded, query):
    """A Dutch HR user gets ";" and a decimal comma by default: what Excel nl-NL reads."""
    response = hr_client.get(LEGS_CSV.format(seeded.rnd.id) + query)
    rows = read_csv(response, delimiter=";")
    assert rows[0] == LEG_HEADERS["nl"]
    rows = keyed(rows, exports.LEG_COLUMNS)
    anna = one(rows, manager="Anna Alpha", leg=seeded.leg1.name_nl, group="Alle anderen")
    assert (anna["mean"], anna["sd"], anna["norm"]) == ("3,00", "0,82", "3,63")
    eva_peer = one(rows, manager="Eva Epsilon", leg=seeded.leg1.name_nl, group="Collega's")
    assert eva_peer["note"] == "samengevoegd in “Overigen”"
    bert = one(rows, manager="Bert Beta", leg=seeded.leg1.name_nl, group="Medewerkers")
    assert bert["note"] == "minder dan 3 beoordelaars"


def test_dutch_words_with_standard_numbers_on_request(hr_client, seeded):
    """?sep=comma: Dutch words, but "," between fields and a decimal point."""
    rows = read_csv(hr_client.get(LEGS_CSV.format(seeded.rnd.id) + "?sep=comma"))
    assert rows[0] == LEG_HEADERS["nl"]
    rows = keyed(rows, exports.LEG_COLUMNS)
    anna = one(rows, manager="Anna Alpha", leg=seeded.leg1.name_nl, group="Alle anderen")
    assert (anna["mean"], anna["sd"], anna["norm"]) == ("3.00", "0.82", "3.63")


def test_english_semicolon_csv_on_request(hr_client, seeded):
    response = hr_client.get(LEGS_CSV.format(seeded.rnd.id) + "?sep=semicolon", headers=EN)
    rows = read_csv(response, delimiter=";")
    assert rows[0] == LEG_HEADERS["en"]
    rows = keyed(rows, exports.LEG_COLUMNS)
    anna = one(rows, manager="Anna Alpha", leg=seeded.leg1.name_en, group="All others")
    assert anna["mean"] == "3,00"


def test_statements_csv_numbers(hr_client, seeded):
    response = hr_client.get(STATEMENTS_CSV.format(seeded.rnd.id), headers=EN)
    rows = read_csv(response)
    assert rows[0] == [
        "Manager",
        "Team",
        "Leg",
        "Statement",
        "Group",
        "n",
        "Mean",
        "SD",
        "Norm",
        "Note",
    ]
    rows = keyed(rows, exports.STATEMENT_COLUMNS)
    first = seeded.leg1.statements[0]
    cees = one(rows, manager="Cees Gamma", statement=first.text_en, group="Direct reports")
    # 4, 4, 4: the fourth direct report's 2 does not count (1 of the leg's 4 statements)
    assert (cees["n"], cees["mean"], cees["sd"]) == ("3", "4.00", "0.00")
    # 5 managers x 24 statements x their groups: every statement of every manager is there.
    assert len({(r[0], r[3]) for r in rows[1:]}) == 5 * 24


@pytest.mark.parametrize("url", [LEGS_CSV, STATEMENTS_CSV, DEVELOPMENT_CSV])
@pytest.mark.parametrize("sep", ["comma", "semicolon"])
def test_csv_never_contains_a_hidden_figure_or_a_formula(hr_client, seeded, url, sep):
    response = hr_client.get(url.format(seeded.rnd.id) + f"?sep={sep}")
    rows = read_csv(response, delimiter=";" if sep == "semicolon" else ",")
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
            try:
                number = float(cell.replace(",", "."))
            except ValueError:
                continue
            assert not any(math.isclose(number, v, abs_tol=0.006) for v in HIDDEN_VALUES), cell
    teams = {row[rows[0].index("Team")] for row in rows[1:]}
    if url != DEVELOPMENT_CSV:
        assert "'" + FORMULA_TEAM in teams and "'@Noord" in teams


def test_xlsx_numbers_strings_and_no_formulas(hr_client, seeded):
    response = hr_client.get(XLSX.format(seeded.rnd.id), headers=EN)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Legs", "Statements"]
    legs = workbook["Legs"]
    assert [c.value for c in legs[1]] == LEG_HEADERS["en"]
    header = list(exports.LEG_COLUMNS)
    records = [dict(zip(header, row, strict=True)) for row in legs.iter_rows(min_row=2)]
    anna = next(
        r
        for r in records
        if r["manager"].value == "Anna Alpha"
        and r["leg"].value == seeded.leg1.name_en
        and r["group"].value == "All others"
    )
    assert anna["team"].value == FORMULA_TEAM  # the text itself, unchanged ...
    assert anna["team"].data_type == "s"  # ... but a string, not a formula
    assert anna["n"].value == 4
    assert anna["mean"].value == pytest.approx(3.0)
    assert anna["norm"].value == pytest.approx(3.63)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str) and cell.value.startswith(("=", "@", "+", "-")):
                    assert cell.data_type == "s"
                if isinstance(cell.value, float):
                    assert not any(
                        math.isclose(cell.value, v, abs_tol=0.006) for v in HIDDEN_VALUES
                    )
    bert = [
        r
        for r in records
        if r["manager"].value == "Bert Beta"
        and r["leg"].value == seeded.leg1.name_en
        and r["group"].value in ("Direct reports", "All others")
    ]
    assert bert and all(r["mean"].value is None and r["n"].value is None for r in bert)


def test_dutch_xlsx_words_and_real_numbers(hr_client, seeded):
    workbook = load_workbook(io.BytesIO(hr_client.get(XLSX.format(seeded.rnd.id)).data))
    assert workbook.sheetnames == ["Poten", "Stellingen"]
    legs = workbook["Poten"]
    assert [c.value for c in legs[1]] == LEG_HEADERS["nl"]
    rows = [dict(zip(exports.LEG_COLUMNS, r, strict=True)) for r in legs.iter_rows(min_row=2)]
    anna = next(
        r
        for r in rows
        if r["manager"].value == "Anna Alpha"
        and r["leg"].value == seeded.leg1.name_nl
        and r["group"].value == "Alle anderen"
    )
    assert anna["mean"].value == pytest.approx(3.0) and anna["mean"].data_type == "n"
    assert {r["group"].value for r in rows} >= {"Zelf", "Leidinggevende", "Medewerkers"}


def test_development_csv(hr_client, seeded):
    response = hr_client.get(DEVELOPMENT_CSV.format(seeded.rnd.id) + "?cut=3.5", headers=EN)
    rows = read_csv(response)
    assert rows[0] == [
        "Leg",
        "Manager",
        "Team",
        "Mean",
        "n",
        "Self",
        "Difference self − all others",
        "Reasons",
    ]
    rows = keyed(rows, exports.DEVELOPMENT_COLUMNS)
    leg1 = rows_by(rows, leg=seeded.leg1.name_en)
    assert [r["manager"] for r in leg1] == ["Eva Epsilon", "Anna Alpha", "Cees Gamma", "Dirk Delta"]
    anna = leg1[1]
    assert (anna["mean"], anna["n"], anna["self"], anna["gap"]) == ("3.00", "4", "5.00", "2.00")
    assert anna["reasons"] == "below 3.5; one of the two weakest legs; blind spot (self 2.0 higher)"
    assert [r["manager"] for r in rows_by(rows, leg=seeded.leg2.name_en)] == ["Anna Alpha"]
    zuid = read_csv(hr_client.get(DEVELOPMENT_CSV.format(seeded.rnd.id) + "?team=Zuid", headers=EN))
    assert {r[1] for r in zuid[1:]} == {"Cees Gamma", "Eva Epsilon"}


def test_dutch_development_csv(hr_client, seeded):
    response = hr_client.get(DEVELOPMENT_CSV.format(seeded.rnd.id) + "?cut=3,5")
    rows = read_csv(response, delimiter=";")
    assert rows[0][:4] == ["Poot", "Manager", "Team", "Gem."] and rows[0][-1] == "Redenen"
    anna = rows_by(keyed(rows, exports.DEVELOPMENT_COLUMNS), leg=seeded.leg1.name_nl)[1]
    assert (anna["mean"], anna["self"], anna["gap"]) == ("3,00", "5,00", "2,00")
    assert anna["reasons"] == (
        "onder 3,5; een van de twee zwakste poten; blinde vlek (zelf 2,0 hoger)"
    )


def test_filenames_are_ascii(hr_client, seeded, db):
    seeded.rnd.name = 'Voorjaar "2026" – café/ü'
    db.session.commit()
    response = hr_client.get(XLSX.format(seeded.rnd.id))
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="results-voorjaar-2026-cafe-u-results.xlsx"'
    )
    assert exports.filename("***", "legs", "csv") == "results-round-legs.csv"


def test_neutralise():
    assert exports.neutralise("=1+1") == "'=1+1"
    assert exports.neutralise("\tx") == "'\tx"
    assert exports.neutralise("Noord") == "Noord"


ALL_URLS = [LEGS_CSV, STATEMENTS_CSV, XLSX, DEVELOPMENT_CSV, "/insights/rounds/{}"]


@pytest.mark.parametrize("url", ALL_URLS)
def test_anonymous_goes_to_login(client, seeded, url):
    response = client.get(url.format(seeded.rnd.id))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("url", [*ALL_URLS, "/insights/"])
def test_manager_gets_404(manager_client, seeded, url):
    assert manager_client.get(url.format(seeded.rnd.id)).status_code == 404


@pytest.mark.parametrize("url", ALL_URLS)
def test_unknown_round_is_404(hr_client, url):
    assert hr_client.get(url.format(999)).status_code == 404


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.OPEN])
@pytest.mark.parametrize("url", ALL_URLS)
def test_rounds_without_results_are_refused_with_a_message(hr_client, db, status, url):
    rnd = make_round(db, status=status)
    response = hr_client.get(url.format(rnd.id), headers=EN)
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert "available once the round is closed" in response.get_data(as_text=True)


def test_no_results_page_in_dutch(hr_client, db):
    rnd = make_round(db, status=RoundStatus.OPEN)
    page = hr_client.get(f"/insights/rounds/{rnd.id}").get_data(as_text=True)
    assert "beschikbaar zodra de ronde gesloten is" in page and "is open." in page
    assert "available once" not in page


def test_published_round_exports_too(hr_client, seeded, db):
    seeded.rnd.status = RoundStatus.PUBLISHED
    db.session.commit()
    assert hr_client.get(LEGS_CSV.format(seeded.rnd.id)).status_code == 200
