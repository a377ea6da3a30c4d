"""The survey page's statement fieldsets, rendered once per process and reused.

Rendering the form was about half of a page's CPU: 24 statements of 6 options, each
expression through escaping and the bidi filter (feedback/text.py). A statement's fieldset
depends only on its text, the page's language and which option is chosen, so it is rendered
once (survey/_statement.html, by the same Jinja environment, so escaped and filtered alike)
with nothing chosen, and the chosen option's ` checked` is put in by a string replacement.
A statement with an error or the page's focus is rendered by the template as before.

Peers and the supervisor read the manager's name in most statements: the fieldset is kept
with a placeholder where the name is and the name, escaped and without bidi controls as the
template would show it, is put in per page, so one fieldset serves every manager of a round.
Escaping and removing bidi controls work character by character, so this gives the same
HTML as rendering the text with the name in it.
"""

from dataclasses import replace

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup, escape

from feedback.survey.answers import DONT_KNOW, SCORES
from feedback.text import strip_bidi

_CACHE = "survey_statement_blocks"
MAX_CACHED = 20_000  # fieldsets per process (texts carry the manager's name); then start again
CHOICES = frozenset((*SCORES, DONT_KNOW))
TEMPLATE = "survey/_statement.html"
NAME = "\ue000"  # a private-use character: in no statement text, changed by no filter


class _NoErrors:
    errors: dict = {}


def statement_html(st, current: str | None, scale, manager_name: str = "") -> Markup:
    """The fieldset of statement `st` (a FieldView) with `current` chosen; `scale` is the
    form's list of (value, label), translated in the page's locale; `manager_name` as the
    text has it (see above)."""
    cache = current_app.extensions.setdefault(_CACHE, {})
    named = bool(manager_name) and manager_name in st.text
    text = st.text.replace(manager_name, NAME) if named else st.text
    key = (str(get_locale()), st.field, text)
    html = cache.get(key)
    if html is None:
        if len(cache) >= MAX_CACHED:
            cache.clear()
        template = current_app.jinja_env.get_template(TEMPLATE)
        shown = replace(st, text=text) if named else st
        html = cache[key] = template.render(
            st=shown, current=None, focus=False, scale=scale, page=_NoErrors
        )
    if named:
        html = html.replace(NAME, escape(strip_bidi(manager_name)))
    if current in CHOICES:
        unchosen = f'name="{st.field}" value="{current}">'
        html = html.replace(unchosen, f'name="{st.field}" value="{current}" checked>', 1)
    return Markup(html)  # noqa: S704  (the template's own output, escaped when rendered)
