"""A report speaks its manager's language, whoever reads it: every heading, group name,
chart label and number, on the web page (all four tabs) and in the PDF; the pages around it
speak the reader's. Known words of the other language must not appear anywhere."""

import base64
import re

import pytest

from feedback.models import Participant
from feedback.reports import pdf_report
from feedback.reports.builder import participant_report
from feedback.reports.view import report_view
from tests.reports.test_report_pdf import pdf_text
from tests.reports.test_routes import world  # noqa: F401  (the fixture)

TABS = ("overview", "legs", "comments", "plan")
# Words (whole words) only one language uses: headings, group names, buttons, chart labels.
DUTCH = (
    "Ontwikkelrapport",
    "Zo lees je dit rapport",
    "Zelf",
    "Leidinggevende",
    "Medewerkers",
    "Alle anderen",
    "Downloaden",
    "Opmerkingen",
    "Ontwikkelplan",
    "Sterke punten",
    "schaal 1 tot 5",
    "weet ik niet",
    "Doortastend persoon",
)
ENGLISH = (
    "Development report",
    "How to read this report",
    "Self",
    "Supervisor",
    "Direct reports",
    "All others",
    "Download",
    "Comments",
    "Development plan",
    "Strengths",
    "scale 1 to 5",
    "don't know",
    "Decisive judge of people and deals",
)
# Dutch "u" for the reader: the report says "je" (whole words, lower case).
FORMAL = ("u", "uw", "uzelf")


def words_of(html: str) -> str:
    """What a reader or a screen reader gets from the report: its text and the charts'
    accessible labels (aria-label, alt and title attributes), tags left out."""
    article = (
        html[html.index("<article") : html.index("</article>")] if "<article" in html else html
    )
    labels = re.findall(r'(?:aria-label|alt|title)="([^"]*)"', article)
    text = re.sub(r"<[^>]+>", " ", article)
    return " ".join(" ".join([text, *labels]).replace("&#39;", "'").split())


def has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def assert_language(text: str, lang: str) -> None:
    own, other = (DUTCH, ENGLISH) if lang == "nl" else (ENGLISH, DUTCH)
    for word in other:
        assert not has_word(text, word), word
    present = [word for word in own if has_word(text, word)]
    assert len(present) >= 4, present  # and the report is really in its own language
    if lang == "nl":
        for word in FORMAL:
            assert not has_word(text, word), word


def page(client, auth, world, who, part, tab, headers=None):  # noqa: F811
    auth.login_as(world.users[who])
    url = f"/reports/{world.ids[part]}?tab={tab}"
    return client.get(url, headers=headers or {}).get_data(as_text=True)


@pytest.mark.parametrize("tab", TABS)
def test_dutch_managers_report_has_no_english(client, auth, world, tab):  # noqa: F811
    text = words_of(page(client, auth, world, "anne", "anne_published", tab))
    assert_language(text, "nl")
    if tab in ("overview", "legs"):
        assert "3,6" in text and "3.6" not in text
        assert "(schaal 1 tot 5)" in text


@pytest.mark.parametrize("tab", TABS)
def test_english_managers_report_has_no_dutch(client, auth, world, tab):  # noqa: F811
    text = words_of(page(client, auth, world, "bert", "bert_published", tab))
    assert_language(text, "en")
    if tab in ("overview", "legs"):
        assert "3.6" in text and "3,6" not in text
        assert "(scale 1 to 5)" in text


def test_hr_reads_a_dutch_report_in_dutch_around_an_english_page(client, auth, world):  # noqa: F811
    html = page(client, auth, world, "hr", "anne_published", "overview", {"Accept-Language": "en"})
    assert '<html lang="en">' in html and '<article class="report" lang="nl">' in html
    assert "<title>Development report · Anne Manager" in html  # the page: HR's language
    assert_language(words_of(html), "nl")  # the report: the manager's


def test_htmx_tab_is_in_the_managers_language(client, auth, world):  # noqa: F811
    auth.login_as(world.users["hr"])
    url = f"/reports/{world.ids['bert_published']}?tab=legs"
    body = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert_language(words_of(body), "en")


@pytest.mark.parametrize(("part", "lang"), [("anne_published", "nl"), ("bert_published", "en")])
def test_pdf_in_the_managers_language(db, world, part, lang):  # noqa: F811
    participant = db.session.get(Participant, world.ids[part])
    data, _filename = pdf_report.report_pdf(participant)
    text = pdf_text(data)
    assert_language(text, lang)
    if lang == "nl":
        assert "3,6" in text and "3.6" not in text and "Pagina 2 van" in text
    else:
        assert "3.6" in text and "3,6" not in text and "Page 2 of" in text
    # The charts are images in the PDF: their accessible labels speak the language too.
    html = pdf_report.pdf_html(report_view(participant_report(participant), pdf=True))
    svgs = [
        base64.b64decode(uri).decode("utf-8")
        for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]
    assert svgs
    labels = " ".join(label for svg in svgs for label in re.findall(r'aria-label="([^"]*)"', svg))
    scale = "(schaal 1 tot 5)" if lang == "nl" else "(scale 1 to 5)"
    other = "(scale 1 to 5)" if lang == "nl" else "(schaal 1 tot 5)"
    assert scale in labels and other not in labels


def test_my_reports_list_in_the_managers_language(client, auth, world):  # noqa: F811
    auth.login_as(world.users["anne"])
    html = client.get("/reports/").get_data(as_text=True)
    main = html[html.index("<main") :]
    assert "Mijn rapporten" in main and "Bekijken" in main and "Periode" in main
    assert not has_word(main, "View") and not has_word(main, "Period")
    assert re.search(r"\d{1,2} \w{3}\.? \d{4} – ", main)  # dates written the Dutch way


def test_hr_rounds_list_in_hrs_language(client, auth, world):  # noqa: F811
    auth.login_as(world.users["hr"])
    english = client.get("/reports/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Closes" in english and "published" in english
    url = f"/reports/rounds/{world.rounds['published']}"
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Build all PDFs (ZIP)" in english and "2 managers" in english


def test_hr_rounds_list_in_dutch(client, auth, world):  # noqa: F811
    auth.login_as(world.users["hr"])
    dutch = client.get("/reports/").get_data(as_text=True)
    main = dutch[dutch.index("<main") :]
    assert "Sluit" in main and "gepubliceerd" in main and "Closes" not in main
    url = f"/reports/rounds/{world.rounds['published']}"
    main = client.get(url).get_data(as_text=True)
    assert "Alle PDF’s maken (ZIP)" in main and "2 managers" in main and "Build all" not in main
