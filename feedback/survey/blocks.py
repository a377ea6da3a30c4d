"""The survey page's legs, steps and statement fieldsets, rendered once per process and
reused.

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

Each leg's whole step (survey/_leg.html: heading, description, the statements' places, the
step links) is kept the same way, per language and set of texts, in the two ways it can look
(the step a phone shows, or not); legs_html puts each statement's fieldset in its place. The
page's other parts stay in form.html.

An autosave's answer (survey/_save_state.html) is mostly the same few lines: one answer
saved, the progress, the draft's new fingerprint. That one is kept per language and
progress with placeholders for the answer's state id and the fingerprint; any other answer
(an error, a later answer kept, a note on an open answer, several fields) goes through the
template.
"""

from dataclasses import replace

from flask import current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup, escape

from feedback.survey.answers import DONT_KNOW, SCORES
from feedback.text import strip_bidi

_CACHE = "survey_statement_blocks"
MAX_CACHED = 20_000  # fieldsets per process (texts carry the manager's name); then start again
CHOICES = frozenset((*SCORES, DONT_KNOW))
TEMPLATE = "survey/_statement.html"
LEG_TEMPLATE = "survey/_leg.html"
WELCOME_TEMPLATE = "survey/_welcome.html"
SAVE_STATE_TEMPLATE = "survey/_save_state.html"
SLOT = "\ue001"  # marks a statement's place in a leg's cached step
NAME = "\ue000"  # a private-use character: in no statement text, changed by no filter
STATE_ID = "\ue002"  # the saved answer's state id, in the cached autosave answer
FINGERPRINT = "\ue003"  # the draft's fingerprint, likewise


class _NoErrors:
    errors: dict = {}


def _cache() -> dict:
    cache = current_app.extensions.setdefault(_CACHE, {})
    if len(cache) >= MAX_CACHED:
        cache.clear()
    return cache


def _keyed(st, manager_name: str):
    """`st` with the manager's name as the placeholder, and whether it had the name."""
    if manager_name and manager_name in st.text:
        return replace(st, text=st.text.replace(manager_name, NAME)), True
    return st, False


def _shown_name(manager_name: str) -> str:
    return escape(strip_bidi(manager_name))


def _fieldset(st, current: str | None, scale) -> str:
    """The cached fieldset of `st` as given (placeholder and all), `current` chosen."""
    cache = _cache()
    key = (str(get_locale()), st.field, st.text)
    html = cache.get(key)
    if html is None:
        template = current_app.jinja_env.get_template(TEMPLATE)
        html = cache[key] = template.render(
            st=st, current=None, focus=False, scale=scale, page=_NoErrors
        )
    if current in CHOICES:
        unchosen = f'name="{st.field}" value="{current}">'
        html = html.replace(unchosen, f'name="{st.field}" value="{current}" checked>', 1)
    return html


def statement_html(st, current: str | None, scale, manager_name: str = "") -> Markup:
    """The fieldset of statement `st` (a FieldView) with `current` chosen; `scale` is the
    form's list of (value, label), translated in the page's locale; `manager_name` as the
    text has it (see above)."""
    keyed, named = _keyed(st, manager_name)
    html = _fieldset(keyed, current, scale)
    if named:
        html = html.replace(NAME, _shown_name(manager_name))
    return Markup(html)  # noqa: S704  (the template's own output, escaped when rendered)


def _leg_parts(legs, step_count: int, current: bool) -> list[list[str]]:
    """Each leg's step rendered with a mark where each statement goes, split at the marks:
    text, field name, text, field name, ..., text."""
    template = current_app.jinja_env.get_template(LEG_TEMPLATE)
    return [
        template.render(leg=leg, current=current, step_count=step_count, slot=_slot).split(SLOT)
        for leg in legs
    ]


def _slot(st) -> Markup:
    return Markup(f"{SLOT}{st.field}{SLOT}")  # noqa: S704  (a field name of ours)


def legs_html(page, scale) -> Markup:
    """Every leg's step of the form (survey/_leg.html) with this page's answers, welcome,
    focus and errors. The steps are rendered once per process for each language, set of
    texts and step shown, with the manager's name as the placeholder; per page only each
    statement's fieldset is put in (from the cache, or through the template when it has an
    error or the focus) and the name. A name holding one of the placeholders themselves
    (never a real one) is rendered as it is, without sharing."""
    name = page.manager_name
    shared = NAME not in name and SLOT not in name
    legs, named, by_field = [], False, {}
    for leg in page.legs:
        statements = []
        for st in leg.statements:
            keyed, has_name = _keyed(st, name) if shared else (st, False)
            named = named or has_name
            statements.append(keyed)
            by_field[st.field] = keyed
        legs.append(replace(leg, statements=statements))
    texts = tuple(
        (leg.step, leg.name, leg.description, tuple((s.field, s.text) for s in leg.statements))
        for leg in legs
    )
    cache = _cache()
    key = ("legs", str(get_locale()), page.step_count, texts)
    variants = cache.get(key)
    if variants is None:
        variants = cache[key] = (
            _leg_parts(legs, page.step_count, current=False),
            _leg_parts(legs, page.step_count, current=True),
        )
    out = []
    for number, leg in enumerate(legs):
        parts = variants[leg.step == page.current_step][number]
        for index, part in enumerate(parts):
            if index % 2 == 0:
                out.append(part)
                continue
            st = by_field[part]
            current = page.values.get(st.field)
            focus = page.first_unanswered == st.state_id
            if focus:
                out.append(render_template(WELCOME_TEMPLATE, page=page))
            if focus or st.field in page.errors:
                out.append(
                    render_template(
                        TEMPLATE, st=st, current=current, focus=focus, scale=scale, page=page
                    )
                )
            else:
                out.append(_fieldset(st, current, scale))
    html = "".join(out)
    if named:
        html = html.replace(NAME, _shown_name(name))
    return Markup(html)  # noqa: S704  (the templates' own output, escaped when rendered)


def save_state_html(states, progress, fingerprint: str | None, notes) -> str:
    """The autosave's answer: each state (services.SaveState), the progress (page.Progress
    or None), the draft's fingerprint (or None) and the identifying notes, as
    survey/_save_state.html renders them (see above for what is kept)."""
    usual = (
        len(states) == 1
        and states[0].kind == "saved"
        and progress is not None
        and fingerprint is not None
        and not notes
    )
    if not usual:
        return render_template(
            SAVE_STATE_TEMPLATE,
            states=states,
            progress=progress,
            fingerprint=fingerprint,
            notes=notes,
        )
    cache = _cache()
    key = ("save_state", str(get_locale()), progress.answered, progress.total)
    html = cache.get(key)
    if html is None:
        template = current_app.jinja_env.get_template(SAVE_STATE_TEMPLATE)
        html = cache[key] = template.render(
            states=[replace(states[0], state_id=STATE_ID)],
            progress=progress,
            fingerprint=FINGERPRINT,
            notes=(),
        )
    return html.replace(STATE_ID, escape(states[0].state_id)).replace(
        FINGERPRINT, escape(fingerprint)
    )
