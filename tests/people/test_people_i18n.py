"""The people pages in Dutch and in English, with no words of the other language."""

import io
import re

import pytest

from tests.factories import make_person

CSV = (
    "name;email;language;manager_email;team;role\n"
    "Dana Director;dana@example.com;en;;;director\n"
    "Mark Manager;mark@example.com;nl;dana@example.com;Noord;manager\n"
    "Bad Row;not-an-address;nl;;;rep\n"
)
# Words that only one language's pages have (what an untranslated string would show).
ENGLISH = [
    "People",
    "Reporting lines",
    "Import people",
    "Search name or e-mail",
    "Managers only",
    "Direct reports",
    "Sales rep",
    "Dutch",
    "Template",
    "Required.",
    "Preview",
    "Nothing has been changed yet",
    "bad e-mail address",
    "Confirm",
    "Cancel",
    "Save",
    "Changes apply",
    "skipped because of errors",
    "See the people",
]
DUTCH = [
    "Personen",
    "Rapportagelijnen",
    "Personen importeren",
    "Zoek op naam of e-mail",
    "Alleen leidinggevenden",
    "Medewerkers",
    "Verkoper",
    "Nederlands",
    "Sjabloon",
    "Verplicht.",
    "Voorbeeld bekijken",
    "Er is nog niets gewijzigd",
    "ongeldig e-mailadres",
    "Bevestigen",
    "Annuleren",
    "Opslaan",
    "Wijzigingen gelden",
    "overgeslagen vanwege fouten",
    "Naar de personen",
]


def visible_text(html: str) -> str:
    """The text of the page's <main>, without tags (names and e-mails are data)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


def people_pages(client, db) -> str:
    """The text of every people page: list, tree, person, import, preview, imported."""
    boss = make_person(db, name="Bea Boss", email="bea@example.com", role="director")
    make_person(db, name="Rita Rep", email="rita@example.com", manager=boss, team="Noord")
    texts = [client.get(url).get_data(as_text=True) for url in ("/people/", "/people/tree")]
    texts.append(client.get(f"/people/{boss.id}").get_data(as_text=True))
    texts.append(client.get("/people/import").get_data(as_text=True))
    upload = client.post(
        "/people/import",
        data={"file": (io.BytesIO(CSV.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    preview_url = upload.headers["Location"]
    texts.append(client.get(preview_url).get_data(as_text=True))
    texts.append(client.post(preview_url, data={"skip_invalid": "y"}).get_data(as_text=True))
    return "\n".join(visible_text(html) for html in texts)


@pytest.mark.parametrize("language, own, other", [("en", ENGLISH, DUTCH), ("nl", DUTCH, ENGLISH)])
def test_every_people_page_in_one_language(db, hr_client, language, own, other):
    hr_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    text = people_pages(hr_client, db)
    assert [word for word in own if word not in text] == []
    found = [word for word in other if re.search(rf"\b{re.escape(word)}", text)]
    assert found == []


def test_a_file_error_in_dutch(db, hr_client):
    hr_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    response = hr_client.post(
        "/people/import",
        data={"file": (io.BytesIO(b"team\nNoord\n"), "people.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "De eerste rij moet de kolommen noemen; ontbreekt: name, email." in html
