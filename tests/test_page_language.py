"""Every page in the reader's language and in no other: a rater and someone not logged
in see their pages in Dutch and in English without a word of the other language
(tests/language_words.py has the words). HR's and a manager's pages are walked by the
crawler in both languages (tests/test_crawl.py). Names typed by people are in words of
neither language: they are the users', not the page's.
"""

import pytest
import sqlalchemy as sa

from feedback.models import Person, RaterGroup
from tests.factories import add_participant, make_invitation, make_person, make_round
from tests.language_words import foreign_words

LANGUAGES = ("nl", "en")


def choose(client, language: str) -> None:
    response = client.post("/language", data={"language": language, "next": "/"})
    assert response.status_code == 303


@pytest.mark.parametrize("language", LANGUAGES)
def test_someone_not_logged_in_sees_one_language(client, language):
    choose(client, language)
    pages = {url: client.get(url) for url in ("/auth/login", "/auth/password/x", "/nowhere")}
    found = {
        url: foreign_words(page.get_data(as_text=True), language) for url, page in pages.items()
    }
    assert {url: words for url, words in found.items() if words} == {}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("group", [RaterGroup.SELF, RaterGroup.DIRECT_REPORT, RaterGroup.PEER])
def test_a_rater_sees_the_survey_in_one_language(db, client, language, group):
    manager = make_person(db, name="Mira Q", role="manager", language=language)
    rnd = make_round(db, name="Q1 2027")
    participant = add_participant(db, rnd, manager)
    rater = manager if group == RaterGroup.SELF else make_person(db, name="Rik Q")
    _invitation, token = make_invitation(
        db, participant, group=group, person=rater, language=language
    )
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert foreign_words(page.get_data(as_text=True), language) == []
    saved = client.post(f"/s/{token}", data={"action": "save"}, follow_redirects=True)
    assert foreign_words(saved.get_data(as_text=True), language) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) >= 1


def test_the_word_finder():
    page = (
        '<html lang="nl"><title>Rapporten</title><button>Save</button>'
        '<form class="language-switch"><button>English</button></form>'
        '<img alt="the chart"><code>flask reports build --out DIR</code>'
        '<article class="report" lang="en"><h2>How to read this report</h2></article>'
        '<article class="report" lang="en"><p>Zo lees je dit rapport</p></article></html>'
    )
    # Not the switch, the command or the English report; but Dutch inside an English part.
    assert foreign_words(page, "nl") == ["Save", "je", "the"]
    assert foreign_words(page.replace("Save", "Opslaan"), "en") == ["Opslaan", "Rapporten", "je"]
