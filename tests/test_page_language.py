"""Every page in the reader's language and in no other: HR, a manager, a rater and
someone not logged in each walk their pages in Dutch and in English, and no page shows a
word of the other language (tests/language_words.py has the words).

HR and the manager choose their language with the switch and then follow every link from
their start pages (the crawler of tests/test_crawl.py); raters open their survey links
(self-assessment and direct report) in each language. Names and comments typed by people
are set to words of neither language first: they are the users', not the page's.
"""

import pytest
import sqlalchemy as sa

from feedback.models import Comment, Person, RaterGroup, Round
from tests.factories import add_participant, make_invitation, make_person, make_round
from tests.language_words import foreign_words
from tests.test_crawl import HR_START, MANAGER_START, crawl, organisation  # noqa: F401

LANGUAGES = ("nl", "en")


@pytest.fixture
def world(db, organisation):  # noqa: F811
    for number, rnd in enumerate(db.session.scalars(sa.select(Round)), start=1):
        rnd.name = f"Q{number} 2027"
    for number, comment in enumerate(db.session.scalars(sa.select(Comment)), start=1):
        comment.text = f"Q{number} KPI CRM"
    db.session.commit()
    return organisation


def choose(client, language: str) -> None:
    response = client.post("/language", data={"language": language, "next": "/"})
    assert response.status_code == 303


def walk(client, start: list[str], language: str) -> dict[str, list[str]]:
    """Each HTML page reached from `start` with the other language's words on it."""
    found: dict[str, list[str]] = {}
    for url, status in crawl(client, start).items():
        if status != 200 or url.endswith((".pdf", ".csv", ".xlsx", ".svg", ".ico", ".css", ".js")):
            continue
        response = client.get(url)  # a redirect's own body is Werkzeug's, not a page
        if response.status_code == 200 and response.mimetype == "text/html":
            words = foreign_words(response.get_data(as_text=True), language)
            if words:
                found[url] = words
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_hr_sees_every_page_in_one_language(db, auth, hr, world, language):
    client = auth.login_as(hr)
    choose(client, language)
    assert walk(client, HR_START, language) == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_manager_sees_every_page_in_one_language(db, auth, world, language):
    client = auth.login_as(world)
    choose(client, language)
    assert walk(client, MANAGER_START, language) == {}


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
