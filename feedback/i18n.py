"""Language choice: whose language a page is in, and the switch on every page.

A survey page is in its invitation's language (the rater switches it on the survey itself,
which saves their answers first: survey/routes.py), and a set-password page in its
account's, like the mail that brought the reader there. Other pages follow the account's
choice (`User.language`), else its person's language, else the `lang` cookie the switch
sets for people who are not logged in, else the browser's Accept-Language. Text whose
reader is not the requester (a rater's mail, a manager's PDF) is rendered inside
`flask_babel.force_locale` with the reader's language, and `g.lang` forces a language for
one request.
"""

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_translations
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from feedback.extensions import babel

#: The cookie the language switch sets: the choice of someone who is not logged in.
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600

#: Each language by its own name, as a switch shows it (the same in every page language).
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    forced = getattr(g, "lang", None)
    if forced in languages:
        return forced
    if not has_request_context():  # a job or a command: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    rater = _survey_link_language()
    if rater in languages:
        return rater
    account = _password_link_language()
    if account in languages:
        return account
    if current_user and current_user.is_authenticated:
        if current_user.language in languages:
            return current_user.language
        person = current_user.person
        if person is not None and person.language in languages:
            return person.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _survey_link_language() -> str | None:
    link = live_survey_link()
    return link[1] if link else None


def _password_link_language() -> str | None:
    """On a live set-password link (from a mail in its reader's language): that account's
    language, so the page goes on in the language of the mail."""
    if request.endpoint != "auth.set_password" or not request.view_args:
        return None
    from feedback.auth.services import user_for_password_token

    try:
        user = user_for_password_token(request.view_args.get("token") or "")
    except Exception:  # noqa: BLE001  (the error page of that very failure must still render)
        return None
    if user is None:
        return None
    return user.language or (user.person.language if user.person else None)


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


def person_language(person) -> str:
    """The language a person reads in when someone else's request renders for them (their
    report, web or PDF): their account's choice, else the person's language, else the
    default language."""
    from feedback.extensions import db
    from feedback.models import User

    languages = current_app.config["LANGUAGES"]
    if person is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = db.session.scalar(sa.select(User.language).where(User.person_id == person.id))
    for language in (chosen, person.language):
        if language in languages:
            return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The language of the page being rendered ("nl" or "en")."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def on_survey_link() -> bool:
    """Whether this request's path is a rater's link (live or not)."""
    from feedback.tokens import SURVEY_PREFIX

    return request.path.startswith(SURVEY_PREFIX)


def page_translations():
    """The translations of the locale in force, looked up once per locale and request.

    Flask-Babel's own template callables look them up on every string (a survey page has
    about 60, and the look-up cost more than the rest of the string's rendering). It keeps
    the request's locale as an object on `g._flask_babel` and puts another one there on
    `force_locale` and `refresh`: the translations found are kept with that object and
    used only while it is the one in force."""
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    memo = g.get("_page_translations")
    if memo is not None and locale is not None and memo[0] is locale:
        return memo[1]
    translations = get_translations()  # chooses the locale when none is yet
    g._page_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), translations)
    return translations


def _install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
    )


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    _install_template_gettext(app)

    @app.before_request
    def _choose_language_anew() -> None:
        # Flask-Babel keeps the chosen locale on `g`, which belongs to the application
        # context. A request normally gets a context of its own; where one is shared
        # (a CLI command or a test making several requests inside one context), the
        # language of an earlier request must not carry over to the next.
        g.pop("_flask_babel", None)
        g.pop("_page_translations", None)
        g.pop("lang", None)

    @app.context_processor
    def _language_context() -> dict:
        return {
            "current_language": current_language,
            "language_names": LANGUAGE_NAMES,
            "on_survey_link": on_survey_link,
        }
