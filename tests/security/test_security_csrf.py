"""With CSRF protection on, a POST without the token changes nothing, on every POST URL."""

from tests.factories import PASSWORD, login, statement_ids
from tests.security.security_helpers import snapshot
from tests.security.test_security_access import _rules, _url, _values


def _post_values(rule, world):
    values = _values(rule, world)
    if "token" in values:
        values["token"] = world.token  # a live link: the survey must check CSRF too
    if "round_id" in values and rule.endpoint.startswith("admin."):
        values["round_id"] = world.open_round.id
    return values


def _plausible_form(world) -> dict:
    first = statement_ids(world.open_round)[0]
    return {
        f"s{first}": "4",
        "name": "Renamed",
        "threshold": "1",
        "email": "new@example.test",
        "group": "peer",
        "deactivate_missing": "y",
    }


def test_post_without_csrf_token_changes_nothing(app, client, world, db):
    login(client, world.hr)
    app.config["WTF_CSRF_ENABLED"] = True
    before = snapshot(db)
    posts = [r for r in _rules(app) if "POST" in r.methods and r.endpoint != "auth.login"]
    assert posts
    for rule in posts:
        url = _url(app, rule, _post_values(rule, world))
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, data=_plausible_form(world), headers=headers)
            assert response.status_code == 400, (url, headers, response.status_code)
    assert snapshot(db) == before


def test_login_without_csrf_token_is_refused(app, client, world):
    """No login CSRF: a forged login form cannot sign a browser into someone's account."""
    app.config["WTF_CSRF_ENABLED"] = True
    client.post("/auth/login", data={"email": world.hr.email, "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code in (302, 303)
    assert "/auth/login" in response.headers["Location"]
