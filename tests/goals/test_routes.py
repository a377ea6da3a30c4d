"""Goals over HTTP: the plan tab's forms (htmx and plain posts), who may touch which goal,
the supervisor's page, HR's count, the PDF's plan page, CSRF, both languages."""

import re

import pytest

from feedback.goals import services
from feedback.goals.models import Goal
from feedback.models import Participant
from feedback.reports.builder import participant_report
from tests.factories import PASSWORD
from tests.factories import login as _login
from tests.reports.test_report_pdf import pdf_text

HX = {"HX-Request": "true"}


def login(client, user):
    """Log out whoever was logged in, then log in as `user`."""
    client.post("/auth/logout")
    return _login(client, user)


def plan(client, participant_id, **kwargs):
    return client.get(f"/reports/{participant_id}?tab=plan", **kwargs)


def first_target(db, participant_id):
    part = db.session.get(Participant, participant_id)
    return services.targets(participant_report(part))[0]


def add(client, participant_id, target, text="Weekly one-to-ones", when=None, shared=None, **kw):
    data = {"target": target, "text": text, "target_date": when}
    if shared:
        data["shared"] = "y"
    return client.post(f"/goals/report/{participant_id}", data=data, **kw)


def goals(db):
    db.session.expire_all()
    return list(db.session.scalars(db.select(Goal).order_by(Goal.id)))


def test_the_plan_tab_offers_a_prefilled_form(world, db, client):
    login(client, world.users["anne"])
    page = plan(client, world.anne).get_data(as_text=True)
    target = first_target(db, world.anne)
    assert 'id="plan-goals"' in page
    assert "Wordt niet opgeslagen" not in page and "Not stored" not in page
    assert f'<option value="{target.value}" selected>' in page
    assert target.suggestion in page.replace("&#39;", "'")
    assert "Doel toevoegen" in page  # Anne reads Dutch


def test_htmx_add_returns_the_goals_part_and_saves(world, db, client):
    login(client, world.users["anne"])
    target = first_target(db, world.anne).value
    response = add(client, world.anne, target, when=world.soon, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="plan-goals"')
    assert "Weekly one-to-ones" in body
    (goal,) = goals(db)
    assert goal.participant_id == world.anne and not goal.shared
    # the tab shows it after a reload, no longer a text that is thrown away
    assert "Weekly one-to-ones" in plan(client, world.anne).get_data(as_text=True)


def test_a_plain_post_works_without_javascript(world, db, client):
    login(client, world.users["bert"])
    target = first_target(db, world.bert).value
    response = add(client, world.bert, target, when=world.soon, shared=True)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reports/{world.bert}?tab=plan")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Goals saved." in page and "Weekly one-to-ones" in page
    assert goals(db)[0].shared


@pytest.mark.parametrize(
    ("who", "when", "message"),
    [
        ("anne", "2001-01-01", "De streefdatum moet na vandaag liggen."),
        ("bert", "2001-01-01", "The target date must be after today."),
        ("anne", "2999-01-01", "Kies een streefdatum binnen twee jaar."),
        ("bert", "2999-01-01", "Choose a target date within two years."),
    ],
)
def test_a_bad_date_is_explained_in_the_managers_language(world, db, client, who, when, message):
    login(client, world.users[who])
    pid = getattr(world, who)
    target = first_target(db, pid).value
    response = add(client, pid, target, text="Mijn doel", when=when, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in body
    assert "Mijn doel" in body  # what was typed is shown again
    assert goals(db) == []


def test_edit_and_delete(world, db, client):
    login(client, world.users["bert"])
    target = first_target(db, world.bert).value
    add(client, world.bert, target, when=world.soon, headers=HX)
    (goal,) = goals(db)
    response = client.post(
        f"/goals/{goal.id}",
        data={
            "target": target,
            "text": "Coach, don't tell",
            "target_date": world.soon,
            "shared": "y",
        },
        headers=HX,
    )
    assert "Coach, don&#39;t tell" in response.get_data(as_text=True)
    (goal,) = goals(db)
    assert goal.text == "Coach, don't tell" and goal.shared
    bad = client.post(
        f"/goals/{goal.id}",
        data={"target": target, "text": "", "target_date": world.soon},
        headers=HX,
    )
    assert "Write what you will do." in bad.get_data(as_text=True)
    assert goals(db)[0].text == "Coach, don't tell"
    response = client.post(f"/goals/{goal.id}/delete", headers=HX)
    assert response.status_code == 200
    assert goals(db) == []


def test_another_manager_gets_404(world, db, client):
    login(client, world.users["anne"])
    target = first_target(db, world.anne).value
    add(client, world.anne, target, text="Anne's own", when=world.soon)
    (goal,) = goals(db)
    login(client, world.users["bert"])
    assert add(client, world.anne, target, when=world.soon).status_code == 404
    edit = {"target": target, "text": "Taken over", "target_date": world.soon}
    assert client.post(f"/goals/{goal.id}", data=edit).status_code == 404
    assert client.post(f"/goals/{goal.id}/delete").status_code == 404
    assert client.post("/goals/999999/delete").status_code == 404
    assert goals(db)[0].text == "Anne's own"
    assert "Anne's own" not in plan(client, world.bert).get_data(as_text=True)


def test_hr_and_the_director_cannot_write_goals(world, db, client):
    target = first_target(db, world.anne).value
    for who in ("hr", "director"):
        login(client, world.users[who])
        assert add(client, world.anne, target, when=world.soon).status_code == 404
        client.post("/auth/logout")
    assert goals(db) == []


def test_the_supervisor_sees_only_shared_goals_of_own_managers(world, db, client):
    for who, shared in (("anne", True), ("bert", False)):
        login(client, world.users[who])
        pid = getattr(world, who)
        add(
            client,
            pid,
            first_target(db, pid).value,
            text=f"Goal of {who}",
            when=world.soon,
            shared=shared,
        )
        client.post("/auth/logout")
    login(client, world.users["director"])
    home = client.get("/reports/").get_data(as_text=True)
    assert "/goals/shared" in home
    page = client.get("/goals/shared").get_data(as_text=True)
    assert "Goal of anne" in page and "Anne Manager" in page
    assert "Goal of bert" not in page
    assert not re.search(r"\d[.,]\d", page.split("<main", 1)[-1])  # no report figure
    assert client.get(f"/reports/{world.anne}").status_code == 404  # never the report
    client.post("/auth/logout")
    login(client, world.users["other"])
    assert "Goal of anne" not in client.get("/goals/shared").get_data(as_text=True)
    assert "Nog geen" not in client.get("/goals/shared").get_data(as_text=True)  # English reader


def test_hr_sees_a_count_and_no_goal(world, db, client):
    login(client, world.users["anne"])
    add(client, world.anne, first_target(db, world.anne).value, text="Secret plan", when=world.soon)
    client.post("/auth/logout")
    login(client, world.users["hr"])
    page = client.get(f"/reports/rounds/{world.round.id}").get_data(as_text=True)
    assert "flask --app" not in page
    assert "1 of 2 managers has saved goals" in page or "1 van 2" in page
    report = plan(client, world.anne).get_data(as_text=True)
    assert "Secret plan" not in report
    assert client.get("/goals/shared").status_code == 404


@pytest.mark.parametrize(("who", "heading"), [("anne", "Doel 1"), ("bert", "Goal 1")])
def test_the_pdf_plan_page_prints_the_goals(world, db, client, who, heading):
    login(client, world.users[who])
    pid = getattr(world, who)
    target = first_target(db, pid)
    add(client, pid, target.value, text="Ask each rep for one thing to change", when="2027-01-31")
    text = pdf_text(client.get(f"/reports/{pid}.pdf").data)
    plan_page = text[text.rindex(heading) - 400 :]
    assert "Ask each rep for one thing to change" in plan_page
    assert " ".join(target.label.split())[:40] in plan_page
    assert ("31 januari 2027" if who == "anne" else "January 31, 2027") in plan_page


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_every_post_needs_the_csrf_token(world, db, client, app_config):
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    user = world.users["anne"]
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code in (302, 303), response.status_code
    page = plan(client, world.anne).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    target = first_target(db, world.anne).value
    data = {"target": target, "text": "With token", "target_date": world.soon}
    assert client.post(f"/goals/report/{world.anne}", data=data).status_code == 400
    assert goals(db) == []
    ok = client.post(f"/goals/report/{world.anne}", data={**data, "csrf_token": token})
    assert ok.status_code == 303
    (goal,) = goals(db)
    for url in (f"/goals/{goal.id}", f"/goals/{goal.id}/delete"):
        assert client.post(url, data={**data, "text": "Without"}).status_code == 400
    assert goals(db)[0].text == "With token"
    assert client.post(f"/goals/{goal.id}/delete", data={"csrf_token": token}).status_code == 303
    assert goals(db) == []
