"""A crawler: HR and a manager, each once in Dutch and once in English (chosen with the
language switch), follow every same-site link from their start pages and find no 404, no
server error and no page with a word of the other language (tests/language_words.py; a
manager's report inside HR's page is checked in the report's own language).

GET only. Links are read from `href`, `src` and `hx-get` attributes (htmx fragments are
plain GETs too: every page also works without htmx), over data like the demo's: a draft,
an open, a closed and a published round, an organisation with reporting lines, a manager
with a report and an account. Skipped: the report PDFs after the first one of each
crawl (WeasyPrint takes about a second each; one PDF proves the link), and nothing else;
logging out is a POST and never followed.
"""

import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from feedback.models import Comment, RaterGroup, Round, RoundStatus
from tests.factories import (
    add_participant,
    add_response,
    make_rated_manager,
    make_round,
    make_team,
    make_user,
    statement_ids,
)
from tests.language_words import foreign_words

LINK = re.compile(r"""\b(?:href|src|hx-get)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
MAX_PAGES = 600
HR_START = ["/", "/admin/", "/people/", "/people/tree", "/people/import", "/reports/", "/insights/"]
MANAGER_START = ["/", "/reports/"]


def links(html: str, base: str) -> list[str]:
    """Same-site paths (with their query) that the page links to."""
    found = []
    for _quote, raw in LINK.findall(html):
        value = unescape(raw).strip()
        if not value or value.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            continue
        parts = urlsplit(urljoin("http://localhost" + base, value))
        if parts.scheme not in ("http", "https") or parts.netloc != "localhost":
            continue  # another site: not ours to crawl
        found.append(urlunsplit(("", "", parts.path, parts.query, "")))
    return found


def crawl(client, start: list[str], language: str) -> tuple[dict[str, int], dict[str, list]]:
    """Every page reachable from `start`: path -> final status (redirects followed); and
    the HTML pages that show words of the other language than `language`, with them."""
    seen: dict[str, int] = {}
    foreign: dict[str, list] = {}
    queue = deque(start)
    pdf_fetched = False
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        if url.split("?", 1)[0].endswith(".pdf"):
            if pdf_fetched:
                seen[url] = 0  # skipped: see the module's docstring
                continue
            pdf_fetched = True
        response = client.get(url, follow_redirects=True)
        try:
            seen[url] = response.status_code
            if response.mimetype == "text/html":
                page = response.get_data(as_text=True)
                words = foreign_words(page, language) if response.status_code == 200 else []
                if words:
                    foreign[url] = words
                for link in links(page, response.request.path):
                    if link not in seen:
                        queue.append(link)
        finally:
            response.close()
    assert len(seen) < MAX_PAGES, "the crawl did not end: a link that makes new links?"
    return seen, foreign


@pytest.fixture
def organisation(db):
    """Rounds in every state and people with reporting lines, as in the demo."""
    open_round, open_participant, _links = make_rated_manager(db, reports=4)
    open_round.name = "Open round"
    draft = make_round(db, name="Draft round", status=RoundStatus.DRAFT)
    add_participant(db, draft, make_team(db, size=3)[0])
    closed, _participant, _links = make_rated_manager(db, reports=3, status=RoundStatus.CLOSED)
    closed.name = "Closed round"

    published = make_round(db, name="Published round", status=RoundStatus.PUBLISHED)
    manager, _reps, _director = make_team(db, size=4, language="en")
    participant = add_participant(db, published, manager)
    ids = statement_ids(published)
    add_response(db, participant, group="self", scores=dict.fromkeys(ids, 5), grade=8)
    add_response(db, participant, group="supervisor", scores=dict.fromkeys(ids, 4), grade=7)
    for score in (2, 3, 4, 5):
        add_response(
            db,
            participant,
            group=RaterGroup.DIRECT_REPORT,
            scores=dict.fromkeys(ids, score),
            grade=6,
            comments={"start": f"Plan the week together ({score})"},
        )
    db.session.commit()
    return make_user(db, role="manager", person=manager)


def problems(seen: dict[str, int]) -> dict[str, int]:
    return {url: status for url, status in seen.items() if status == 404 or status >= 500}


def choose(client, language: str) -> None:
    assert client.post("/language", data={"language": language}).status_code == 303


@pytest.fixture
def neutral_names(db, organisation):
    """Round names and comments in words of neither language: they are what people typed,
    not the page's language."""
    for number, rnd in enumerate(db.session.scalars(sa.select(Round)), start=1):
        rnd.name = f"Q{number} 2027"
    for number, comment in enumerate(db.session.scalars(sa.select(Comment)), start=1):
        comment.text = f"Q{number} KPI CRM"
    db.session.commit()
    return organisation


@pytest.mark.parametrize("language", ["nl", "en"])
def test_hr_finds_no_dead_link_and_one_language(db, auth, hr, neutral_names, language):
    client = auth.login_as(hr)
    choose(client, language)
    seen, foreign = crawl(client, HR_START, language)
    assert problems(seen) == {}
    assert foreign == {}
    visited = set(seen)
    # It did reach the pages it is meant to check, not only the start pages.
    for expected in ("/admin/rounds/", "/people/", "/reports/", "/insights/rounds/", "/static/"):
        assert any(url.startswith(expected) and url != expected for url in visited), expected
    assert any(re.fullmatch(r"/people/\d+", url) for url in visited)
    assert any(url.endswith(".pdf") and status == 200 for url, status in seen.items())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_manager_finds_no_dead_link_and_one_language(db, auth, neutral_names, language):
    client = auth.login_as(neutral_names)
    choose(client, language)
    seen, foreign = crawl(client, MANAGER_START, language)
    assert problems(seen) == {}
    assert foreign == {}
    assert any(re.fullmatch(r"/reports/\d+", url) for url in seen)
    # A manager's links never lead into HR's pages.
    assert not any(url.startswith(("/admin", "/people", "/insights")) for url in seen)


def test_the_link_reader():
    html = (
        '<a href="/people/?q=a&amp;page=2">x</a> <a href="https://example.org/">out</a>'
        '<a href=\'#top\'>top</a> <div hx-get="tree"></div> <img src="/static/a.svg">'
        '<a href="mailto:hr@example.com">mail</a>'
    )
    assert links(html, "/people/") == ["/people/?q=a&page=2", "/people/tree", "/static/a.svg"]
