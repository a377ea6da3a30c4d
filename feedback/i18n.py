"""Language choice: the rater's invitation, else the account's person, else the browser."""

from flask import Flask, current_app, g, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from feedback.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    forced = getattr(g, "lang", None)
    if forced in languages:
        return forced
    rater = _survey_link_language()
    if rater in languages:
        return rater
    person = current_user.person if current_user and current_user.is_authenticated else None
    if person is not None and person.language in languages:
        return person.language
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _survey_link_language() -> str | None:
    link = live_survey_link()
    return link[1] if link else None


def live_survey_link() -> tuple[str, str] | None:
    """(token, language) when this request is for a live survey link, else None.

    For pages the survey's view did not get to make (a 405, 413, CSRF failure, 429 or 500
    answered before or instead of it), which should still be in the rater's language. A
    dead link (unknown, or its round not open) gives None, as it does in the view, so the
    error pages of dead links are all the same, whatever the link once was."""
    key = "feedback.live_survey_link"  # once per request (the request's own environ)
    if key not in request.environ:
        request.environ[key] = _find_live_survey_link()
    return request.environ[key]


def _find_live_survey_link() -> tuple[str, str] | None:
    token = _survey_token()
    if token is None:
        return None
    from feedback.survey.services import link_language

    try:
        language = link_language(token)
    except SQLAlchemyError:  # an error page must not fail on the database it reports
        return None
    return (token, language) if language else None


def _survey_token() -> str | None:
    endpoint, args = request.endpoint, request.view_args
    if endpoint is None:  # no route for this method (405): which route has this URL?
        adapter = current_app.create_url_adapter(request)
        for method in ("GET", "POST"):
            try:
                endpoint, args = adapter.match(request.path, method=method)
                break
            except HTTPException:
                continue
    if not endpoint or not endpoint.startswith("survey.") or not args:
        return None
    token = args.get("token")
    return token if isinstance(token, str) else None


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
