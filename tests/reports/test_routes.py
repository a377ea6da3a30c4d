"""Who may see which report, the tabs (htmx partial or full page), the lists and the PDF link."""

from types import SimpleNamespace

import pytest

from feedback.models import RaterGroup, RoundStatus
from feedback.reports import access, filenames
from tests.factories import (
    add_participant,
    add_response,
    make_person,
    make_round,
    make_user,
    statement_ids,
)

DR = RaterGroup.DIRECT_REPORT


def rate(db, participant, rnd):
    """Self 5, supervisor 4 and four direct reports 2, 3, 4, 5 on every statement."""
    ids = statement_ids(rnd)
    add_response(db, participant, group="self", scores=dict.fromkeys(ids, 5), grade=8)
    add_response(db, participant, group="supervisor", scores=dict.fromkeys(ids, 4), grade=7)
    for score in (2, 3, 4, 5):
        add_response(
            db,
            participant,
            group=DR,
            scores=dict.fromkeys(ids, score),
            grade=6,
            comments={"start": f"Comment {score}"},
        )


@pytest.fixture
def world(db):
    """A published, a closed and an open round; two managers with accounts; an HR user."""
    anne = make_person(db, name="Anne Manager", role="manager", language="nl")
    bert = make_person(db, name="Bert Manager", role="manager", language="en")
    published = make_round(db, name="Spring", status=RoundStatus.PUBLISHED)
    closed = make_round(db, name="Summer", status=RoundStatus.CLOSED)
    opened = make_round(db, name="Autumn", status=RoundStatus.OPEN)
    parts = {
        "anne_published": add_participant(db, published, anne),
        "bert_published": add_participant(db, published, bert),
        "anne_closed": add_participant(db, closed, anne),
        "anne_open": add_participant(db, opened, anne),
    }
    rate(db, parts["anne_published"], published)
    rate(db, parts["bert_published"], published)
    rate(db, parts["anne_closed"], closed)
    users = {
        "anne": make_user(db, role="manager", person=anne),
        "bert": make_user(db, role="manager", person=bert),
        "hr": make_user(db, role="hr"),
    }
    ids = {key: part.id for key, part in parts.items()}
    rounds = {"published": published.id, "closed": closed.id, "open": opened.id}
    return SimpleNamespace(ids=ids, rounds=rounds, users=users)


# --- The permission rule, unit-tested for every role ------------------------------------------


def user(role=None, person_id=None, authenticated=True):
    return SimpleNamespace(
        is_authenticated=authenticated, is_hr=role == "hr", role=role, person_id=person_id
    )


@pytest.mark.parametrize(
    ("who", "status", "owner", "allowed"),
    [
        (user(authenticated=False), "published", 1, False),
        (None, "published", 1, False),
        (user("manager", 1), "published", 1, True),
        (user("manager", 1), "closed", 1, False),
        (user("manager", 1), "open", 1, False),
        (user("manager", 1), "draft", 1, False),
        (user("manager", 2), "published", 1, False),
        (user("manager", None), "published", 1, False),
        (user("hr"), "published", 1, True),
        (user("hr"), "closed", 1, True),
        (user("hr"), "open", 1, False),
        (user("hr"), "draft", 1, False),
        (user("rep", 1), "published", 1, False),
    ],
)
def test_may_see(who, status, owner, allowed):
    assert access.may_see(who, status, owner) is allowed


# --- The same rule through HTTP -------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_anonymous_is_sent_to_login(client, world, suffix):
    response = client.get(f"/reports/{world.ids['anne_published']}{suffix}")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("who", "part", "status"),
    [
        ("anne", "anne_published", 200),
        ("anne", "bert_published", 404),  # another manager's report
        ("bert", "anne_published", 404),
        ("anne", "anne_closed", 404),  # own, not yet published
        ("anne", "anne_open", 404),
        ("hr", "anne_published", 200),
        ("hr", "anne_closed", 200),
        ("hr", "anne_open", 404),
    ],
)
def test_report_access(client, auth, world, who, part, status):
    auth.login_as(world.users[who])
    assert client.get(f"/reports/{world.ids[part]}").status_code == status


@pytest.mark.parametrize("who", ["anne", "hr"])
def test_guessed_id_is_404(client, auth, world, who):
    auth.login_as(world.users[who])
    assert client.get("/reports/987654").status_code == 404
    assert client.get("/reports/987654.pdf").status_code == 404


def test_pdf_of_another_manager_is_404(client, auth, world):
    auth.login_as(world.users["anne"])
    assert client.get(f"/reports/{world.ids['bert_published']}.pdf").status_code == 404
    assert client.get(f"/reports/{world.ids['anne_closed']}.pdf").status_code == 404


# --- The page and its tabs --------------------------------------------------------------------


def test_full_page_in_the_managers_language(client, auth, world):
    auth.login_as(world.users["anne"])
    response = client.get(f"/reports/{world.ids['anne_published']}")
    html = response.get_data(as_text=True)
    assert "<html" in html and 'lang="nl"' in html
    assert "Anne Manager" in html and "Spring" in html
    assert "Zo lees je dit rapport" in html  # the overview tab
    # all others on every statement: (4 + 2 + 3 + 4 + 5) / 5 = 3.6, written the Dutch way
    assert "3,6" in html and "3.6" not in html
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-get="/reports/{}?tab=legs"'.format(world.ids["anne_published"]) in html
    assert 'hx-push-url="true"' in html and 'hx-target="#report-tabs"' in html


def test_english_report_for_an_english_manager(client, auth, world):
    auth.login_as(world.users["bert"])
    html = client.get(f"/reports/{world.ids['bert_published']}").get_data(as_text=True)
    assert "How to read this report" in html and "3.6" in html and "3,6" not in html


@pytest.mark.parametrize(
    ("tab", "marker"),
    [
        ("overview", "De zes poten per beoordelaarsgroep"),
        ("legs", "Poot: Teambuilder"),
        ("comments", "Comment 4"),
        ("plan", "Mijn ontwikkelplan"),
    ],
)
def test_each_tab_as_page_and_as_partial(client, auth, world, tab, marker):
    auth.login_as(world.users["anne"])
    url = f"/reports/{world.ids['anne_published']}?tab={tab}"
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and marker in page and 'id="report-tabs"' in page
    partial = client.get(url, headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200
    assert "<html" not in body and "<body" not in body
    assert body.lstrip().startswith('<div id="report-tabs">') and marker in body
    assert f'id="tab-{tab}"' in body
    assert "HX-Request" in partial.headers["Vary"]
    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_tabs_show_only_their_own_content(client, auth, world):
    auth.login_as(world.users["anne"])
    url = f"/reports/{world.ids['anne_published']}"
    legs = client.get(f"{url}?tab=legs", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Comment 4" not in legs and "Mijn ontwikkelplan" not in legs
    unknown = client.get(f"{url}?tab=../../etc", headers={"HX-Request": "true"})
    assert 'id="tab-overview"' in unknown.get_data(as_text=True)


def test_comments_are_escaped_on_the_page(client, auth, db, world):
    from feedback.models import Participant

    part = db.session.get(Participant, world.ids["anne_published"])
    add_response(db, part, group=DR, comments={"stop": "<script>alert(1)</script> {{ 7*7 }}"})
    auth.login_as(world.users["anne"])
    url = f"/reports/{part.id}?tab=comments"
    html = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html


# --- Lists ------------------------------------------------------------------------------------


def test_manager_list_shows_only_published_own_reports(client, auth, world):
    auth.login_as(world.users["anne"])
    html = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/{world.ids['anne_published']}" in html
    assert f"/reports/{world.ids['anne_closed']}" not in html
    assert f"/reports/{world.ids['anne_open']}" not in html
    assert f"/reports/{world.ids['bert_published']}" not in html
    assert "Mijn rapporten" in html


def test_hr_lists_rounds_and_reports(client, auth, world):
    auth.login_as(world.users["hr"])
    html = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/rounds/{world.rounds['published']}" in html
    assert f"/reports/rounds/{world.rounds['closed']}" in html
    assert f"/reports/rounds/{world.rounds['open']}" not in html
    listing = client.get(f"/reports/rounds/{world.rounds['published']}").get_data(as_text=True)
    assert "Anne Manager" in listing and "Bert Manager" in listing
    assert f"/reports/{world.ids['bert_published']}.pdf" in listing
    assert client.get(f"/reports/rounds/{world.rounds['open']}").status_code == 404
    assert client.get("/reports/rounds/987654").status_code == 404


def test_round_list_is_hr_only(client, auth, world):
    auth.login_as(world.users["anne"])
    assert client.get(f"/reports/rounds/{world.rounds['published']}").status_code == 404


def test_anonymous_list_redirects(client, world):
    assert client.get("/reports/").status_code == 302


# --- The PDF download ---------------------------------------------------------------------------


def test_pdf_download(client, auth, world):
    auth.login_as(world.users["anne"])
    response = client.get(f"/reports/{world.ids['anne_published']}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="feedback-spring-anne-manager.pdf"'
    )
    assert "no-store" in response.headers["Cache-Control"]


def test_filename_is_ascii():
    name = filenames.report_filename("Voorjaar 2026 / Q1", "Łukasz Şahin-Ødegård")
    assert name == "feedback-voorjaar-2026-q1-lukasz-sahin-odegard.pdf"
    assert filenames.report_filename("???", "") == "feedback-report-report.pdf"
