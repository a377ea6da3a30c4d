"""Every mail's subject and bodies, in the language of the person who reads it.

One template pair per kind in templates/mail/ (`<kind>.txt` and `<kind>.html`), their
texts in the catalogue. The language is the reader's (the invitation's for a rater, the
person's for a manager), not that of the request that sends the mail (HR launching a
round, the scheduler), so everything is rendered inside `force_locale`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _


@dataclass(frozen=True)
class MailText:
    subject: str
    text: str
    html: str


def _invitation_subject(round_name: str, manager_name: str, is_self: bool, **_context) -> str:
    if is_self:
        return _("Your self-assessment: %(round)s", round=round_name)
    return _(
        "Your feedback on %(manager)s is requested: %(round)s",
        manager=manager_name,
        round=round_name,
    )


def _reminder_subject(round_name: str, **_context) -> str:
    # One subject for every reminder: no manager's name, nothing that sets raters apart.
    return _("Reminder: your feedback in %(round)s", round=round_name)


def _password_subject(**_context) -> str:
    return _("Your account for feedback reports")


SUBJECTS: dict[str, Callable[..., str]] = {
    "invitation": _invitation_subject,
    "reminder": _reminder_subject,
    "set_password": _password_subject,
}


def reader_language(language: str | None) -> str:
    """`language` when the application offers it, else the default language."""
    if language in current_app.config["LANGUAGES"]:
        return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def compose(kind: str, language: str | None, **context) -> MailText:
    """The subject, text and HTML of a mail of `kind` in `language` (the reader's)."""
    with force_locale(reader_language(language)):
        return MailText(
            subject=SUBJECTS[kind](round_name=context["round"].name, **context),
            text=render_template(f"mail/{kind}.txt", **context),
            html=render_template(f"mail/{kind}.html", **context),
        )
