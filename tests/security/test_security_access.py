"""Every URL of the app, enumerated from app.url_map, tried by each role.

Anonymous visitors get the login page or a 404; a manager gets a 404 on everything HR-only
and on another manager's report; ids that do not exist, or do not fit in a database
integer, answer 404 and never a server error.
"""

import re

import pytest

from tests.factories import login
from tests.security.security_helpers import table_counts

PUBLIC = {
    "main.index",
    "main.healthz",
    "main.choose_language",
    "static",
    "auth.login",
    "auth.set_password",
}
SURVEY = {"survey.form", "survey.submit", "survey.save_answer"}
# Reachable by any logged-in user (they decide inside what to show).
ANY_USER = {"auth.logout", "reports.mine", "reports.show", "reports.pdf"}
# A manager's own report's goals, and the goals shared with them (tests/goals).
ANY_USER |= {"goals.add", "goals.shared"}

HUGE = 10**20  # larger than any 64-bit integer column


def _values(rule, world, *, huge=False):
    """Path values that point at real records (or at a huge id)."""
    values = {}
    for arg in rule.arguments:
        if arg == "round_id":
            values[arg] = HUGE if huge else world.published.id
        elif arg == "participant_id":
            values[arg] = HUGE if huge else world.participant_a.id
        elif arg in ("invitation_id", "message_id"):
            values[arg] = HUGE if huge else world.outbox_id
        elif arg == "person_id":
            values[arg] = HUGE if huge else world.participant_b.person_id
        elif arg == "goal_id":
            values[arg] = HUGE if huge else 1  # no goal exists: 404 for everyone
        elif arg == "ext":
            values[arg] = "csv"
        elif arg == "job_id":
            values[arg] = world.job_id
        elif arg == "upload_id":
            values[arg] = "A" * 32
        elif arg == "step":
            values[arg] = "close"
        elif arg == "kind":
            values[arg] = "legs"
        elif arg == "token":
            values[arg] = "not-a-token"
        elif arg == "filename":
            values[arg] = "css/app.css"
        else:
            raise AssertionError(f"no test value for <{arg}> in {rule.rule}")
    return values


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def _url(app, rule, values):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_anonymous_gets_login_or_404_everywhere(app, client, world, db):
    before = table_counts(db)
    for rule in _rules(app):
        if rule.endpoint in PUBLIC | SURVEY:
            continue
        url = _url(app, rule, _values(rule, world))
        for method in _methods(rule):
            response = client.open(url, method=method)
            location = response.headers.get("Location", "")
            assert response.status_code == 404 or (
                response.status_code in (302, 303) and "/auth/login" in location
            ), (method, url, response.status_code)
    assert table_counts(db) == before


def test_manager_gets_404_on_everything_hr_only(app, client, world, db):
    login(client, world.manager_a)
    before = table_counts(db)
    for rule in _rules(app):
        if rule.endpoint in PUBLIC | SURVEY | ANY_USER:
            continue
        url = _url(app, rule, _values(rule, world))
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)
    assert table_counts(db) == before


def test_manager_sees_only_their_own_report(client, world):
    login(client, world.manager_a)
    own, other = world.participant_a.id, world.participant_b.id
    assert client.get(f"/reports/{own}").status_code == 200
    for url in (f"/reports/{other}", f"/reports/{other}.pdf", f"/reports/{other}?tab=comments"):
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404, url


@pytest.mark.parametrize("role", ["hr", "manager_a"])
def test_ids_too_large_for_the_database_answer_404(app, client, world, role):
    """/reports/<10**20> must be a plain 404, not an integer overflow in the driver (500)."""
    login(client, world.hr if role == "hr" else world.manager_a)
    for rule in _rules(app):
        if not any(a.endswith("_id") and a not in ("job_id", "upload_id") for a in rule.arguments):
            continue
        url = _url(app, rule, _values(rule, world, huge=True))
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)


def test_every_url_has_a_test_value(app, world):
    """A new route with a new kind of argument makes this suite say so (not skip it)."""
    for rule in _rules(app):
        _values(rule, world)
    assert any(re.search(r"<int:", r.rule) for r in _rules(app))


@pytest.mark.parametrize("url", ["/admin/outbox", "/people/"])
@pytest.mark.parametrize("page", [str(HUGE), "-5", "0", "x"])
def test_page_numbers_out_of_range_do_not_break_lists(client, world, url, page):
    login(client, world.hr)
    assert client.get(f"{url}?page={page}").status_code == 200
