"""The personal links, their routes and their redaction come from one place (feedback/tokens.py):
renaming a route without it would leave working tokens in mails and logs."""

from flask import url_for

from feedback.tokens import (
    LINK_PREFIXES,
    PASSWORD_PREFIX,
    REDACTED,
    SURVEY_PATH,
    new_token,
    password_link,
    redact_links,
    survey_link,
)

# Every route that takes a personal link's token, and the prefix it must start with.
TOKEN_ROUTES = {"survey": f"{SURVEY_PATH}/", "auth.set_password": PASSWORD_PREFIX}


def _token_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]


def test_every_route_with_a_token_starts_with_a_link_prefix(app):
    rules = _token_rules(app)
    assert {rule.endpoint.split(".")[0] for rule in rules} == {"survey", "auth"}
    for rule in rules:
        prefix = TOKEN_ROUTES.get(rule.endpoint) or TOKEN_ROUTES[rule.endpoint.split(".")[0]]
        assert prefix in LINK_PREFIXES
        assert rule.rule.startswith(prefix), rule.rule


def test_links_as_routed_are_redacted(app):
    token = new_token()
    with app.test_request_context():
        for rule in _token_rules(app):
            path = url_for(rule.endpoint, token=token)
            for text in (path, f"GET {path}?lang=en HTTP/1.1", f"<a href='{path}'>"):
                redacted = redact_links(text)
                assert token not in redacted, text
                assert REDACTED in redacted


def test_mailed_links_are_the_routes(app):
    token = new_token()
    with app.test_request_context():
        base = app.config["BASE_URL"]
        assert survey_link(token) == base + url_for("survey.form", token=token)
        assert password_link(token) == base + url_for("auth.set_password", token=token)
        assert url_for("survey.form", token=token) == f"{SURVEY_PATH}/{token}"
