"""Language choice: the rater's invitation, else the account's person, else the browser."""

from flask import Flask, current_app, g, request
from flask_login import current_user

from feedback.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    forced = getattr(g, "lang", None)
    if forced in languages:
        return forced
    person = current_user.person if current_user and current_user.is_authenticated else None
    if person is not None and person.language in languages:
        return person.language
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
