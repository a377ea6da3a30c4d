"""The organisation overview page through the test client."""

import re

from feedback.models import RoundStatus
from tests.factories import make_round

PAGE = "/insights/rounds/{}"
EN = {"Accept-Language": "en"}  # HR's language; without it, Dutch (the default)
# Words only one language uses on this page (headings, legend, group and leg names).
DUTCH_WORDS = ("Ontwikkelpunten", "Poot", "Gem.", "minder dan", "zwakste", "Alle teams")
ENGLISH_WORDS = ("Development areas", "Leg scores", "Mean", "fewer than", "weakest", "All teams")


def visible_text(html: str) -> str:
    """The text a reader sees (tags and attributes left out), from <main> on."""
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.index("<main") :]).split())


def cells_of(html: str, name: str) -> list[str]:
    """The texts of the heat-map cells in the row of manager `name`."""
    row = re.search(
        r"<tr>\s*<th scope=\"row\" class=\"name\">" + re.escape(name) + r".*?</tr>", html, re.S
    )
    assert row, name
    cells = re.findall(r"<td class=\"heat [^\"]*\"[^>]*>([^<]*)", row.group(0))
    return [c.strip() for c in cells]


def test_heat_map_page(hr_client, seeded):
    response = hr_client.get(PAGE.format(seeded.rnd.id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert cells_of(html, "Anna Alpha") == ["3,0", "4,0", "—", "—", "—", "—"]
    assert cells_of(html, "Bert Beta") == ["—"] * 6
    assert cells_of(html, "Eva Epsilon")[0] == "2,5"
    assert "minder dan 3 beoordelaars (niet getoond)" in html  # the legend, in Dutch
    assert "Teambuilder" in html and seeded.leg2.name_nl in html  # Dutch leg names by default
    # The formula-like team is just escaped text on a web page.
    assert "=HYPERLINK(&#34;http://evil.test&#34;,&#34;click&#34;)" in html
    assert "HX-Request" in response.headers["Vary"]


def test_sort_link_and_order(hr_client, seeded):
    leg = seeded.leg1.key
    html = hr_client.get(PAGE.format(seeded.rnd.id) + f"?sort={leg}").get_data(as_text=True)
    order = re.findall(r'<th scope="row" class="name">([^<]+)', html)
    assert order == ["Eva Epsilon", "Anna Alpha", "Cees Gamma", "Dirk Delta", "Bert Beta"]
    assert 'aria-sort="ascending"' in html
    assert f"sort={leg}&amp;order=desc" in html  # clicking again sorts the other way


def test_team_filter_and_english(hr_client, seeded):
    url = PAGE.format(seeded.rnd.id) + "?team=Zuid"
    html = hr_client.get(url, headers=EN).get_data(as_text=True)
    assert re.findall(r'<th scope="row" class="name">([^<]+)', html) == [
        "Cees Gamma",
        "Eva Epsilon",
    ]
    assert seeded.leg1.name_en in html
    assert cells_of(html, "Eva Epsilon")[0] == "2.5"


def test_english_hr_user_sees_english_leg_names_and_points(hr_client, seeded):
    html = hr_client.get(PAGE.format(seeded.rnd.id), headers=EN).get_data(as_text=True)
    for leg in seeded.rnd.framework.legs:
        assert leg.name_en in html, leg.name_en
    assert seeded.rnd.framework.legs[1].name_nl not in html  # "Doortastend persoon"
    assert cells_of(html, "Anna Alpha")[:2] == ["3.0", "4.0"]
    assert "3,0" not in html and "2,5" not in html
    assert "fewer than 3 raters (not shown)" in html and "below 2.5" in html
    text = visible_text(html)
    for word in DUTCH_WORDS:
        assert word not in text, word
    for word in ENGLISH_WORDS:
        assert word in text, word


def test_dutch_hr_user_sees_no_english(hr_client, seeded):
    html = hr_client.get(PAGE.format(seeded.rnd.id)).get_data(as_text=True)
    main = visible_text(html)  # the page's own text (the nav is the layout's)
    for word in ENGLISH_WORDS:
        assert word not in main, word
    for word in DUTCH_WORDS:
        assert word in main, word
    assert "onder 2,5" in main and "2.5" not in main


def test_bad_input_gets_a_message_and_the_default(hr_client, seeded):
    html = hr_client.get(PAGE.format(seeded.rnd.id) + "?cut=zero&team=Mars").get_data(as_text=True)
    assert "De grens moet een getal van 1 tot 5 zijn; 3,0 wordt gebruikt." in html
    assert "Onbekend team" in html
    assert cells_of(html, "Anna Alpha")[0] == "3,0"


def test_bad_input_message_in_english(hr_client, seeded):
    url = PAGE.format(seeded.rnd.id) + "?cut=zero&team=Mars"
    html = hr_client.get(url, headers=EN).get_data(as_text=True)
    assert "The cut must be a number from 1 to 5; using 3.0." in html
    assert "Unknown team" in html


def test_development_lists_on_the_page(hr_client, seeded):
    html = hr_client.get(PAGE.format(seeded.rnd.id), headers=EN).get_data(as_text=True)
    section = html[html.index(f'id="dev-{seeded.leg1.key}"') :]
    section = section[: section.index("</section>")]
    names = re.findall(r"<tr><td>([^<]+)", section)
    assert names == ["Eva Epsilon", "Anna Alpha", "Cees Gamma", "Dirk Delta"]
    assert "blind spot (self 2.0 higher)" in section
    assert "development.csv" in html


def test_htmx_gets_the_partial(hr_client, seeded):
    response = hr_client.get(PAGE.format(seeded.rnd.id), headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "heatmap" in html
    boosted = hr_client.get(
        PAGE.format(seeded.rnd.id), headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<html" in boosted.get_data(as_text=True)


def test_index_lists_rounds_with_results_only(hr_client, seeded, db):
    open_round = make_round(db, name="Still open", status=RoundStatus.OPEN)
    html = hr_client.get("/insights/", headers=EN).get_data(as_text=True)
    assert f"/insights/rounds/{seeded.rnd.id}" in html
    assert f"/insights/rounds/{open_round.id}" not in html
    assert 'href="/insights/">Organisation overview</a>' in html  # the nav link


def test_admin_round_page_links_results_of_closed_rounds_only(hr_client, seeded, db):
    html = hr_client.get(f"/admin/rounds/{seeded.rnd.id}").get_data(as_text=True)
    assert f'href="/insights/rounds/{seeded.rnd.id}"' in html
    open_round = make_round(db, name="Still open", status=RoundStatus.OPEN)
    html = hr_client.get(f"/admin/rounds/{open_round.id}").get_data(as_text=True)
    assert "/insights/rounds/" not in html
