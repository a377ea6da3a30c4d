"""A statement's fieldset from the per-process cache (survey/blocks.py) is the HTML the
template makes, for every manager's name: the cache keeps it with a placeholder and puts
the name in, escaped and without bidi controls."""

from dataclasses import replace

import pytest
from flask import render_template

from feedback.survey.blocks import statement_html
from feedback.survey.page import FieldView

SCALE = [("1", "oneven"), ("2", "twee"), ("3", "drie"), ("4", "vier"), ("5", "vijf")]


class _NoErrors:
    errors: dict = {}


NAMES = ["Sanne de Jong", 'Anne-Marie <b>&"O\'Neil"', "Ra\u202eto", "Jan", ""]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("current", [None, "4", "dk"])
def test_cached_fieldset_is_the_templates(app, name, current):
    texts = "{name} geeft mij elke week tijd; januari-Jan met {name}."
    with app.test_request_context():
        # Another manager's fieldset first: the cache then serves this one from it.
        other = FieldView("s7", texts.replace("{name}", "Piet Pieters"))
        statement_html(other, None, SCALE, "Piet Pieters")
        st = FieldView("s7", texts.replace("{name}", name or "deze manager"))
        cached = statement_html(st, current, SCALE, name)
        rendered = render_template(
            "survey/_statement.html",
            st=st,
            current=current,
            focus=False,
            scale=SCALE,
            page=_NoErrors,
        )
    assert str(cached) == rendered
    assert "\ue000" not in cached
    assert "\u202e" not in cached


def _legs_as_the_templates_make_them(page, scale) -> str:
    """Reference: every leg's step and statement rendered through the templates."""
    from flask import current_app
    from markupsafe import Markup

    leg_template = current_app.jinja_env.get_template("survey/_leg.html")

    def slot(st):
        focus = page.first_unanswered == st.state_id
        welcome = render_template("survey/_welcome.html", page=page) if focus else ""
        statement = render_template(
            "survey/_statement.html",
            st=st,
            current=page.values.get(st.field),
            focus=focus,
            scale=scale,
            page=page,
        )
        return Markup(welcome + statement)  # noqa: S704  (the templates' own output)

    return "".join(
        leg_template.render(
            leg=leg, current=leg.step == page.current_step, step_count=page.step_count, slot=slot
        )
        for leg in page.legs
    )


@pytest.mark.parametrize("group", ["supervisor", "direct_report", "self"])
@pytest.mark.parametrize("name", ["Piet <Pieters> & Zn", "Ra\u202eto"])
def test_cached_legs_are_the_templates(app, db, survey, group, name):
    """The steps of a page with answers, an error, the focus on the first unanswered
    statement and the name in the texts: the cached assembly (after another manager's
    page filled the cache) gives the templates' HTML."""
    from feedback.survey import services
    from feedback.survey.blocks import legs_html
    from feedback.survey.page import survey_page

    invitation, token = survey.links[group][0]
    invitation.participant.person.name = name
    db.session.commit()
    ids = survey.statement_ids
    with app.test_request_context():
        visit = services.find_invitation(token)
        scale = SCALE
        other = survey_page(replace_name(visit, "Iemand Anders"), 2000)
        legs_html(other, scale)
        posted = {f"s{ids[0]}": "4", f"s{ids[1]}": "dk", f"s{ids[5]}": "2"}
        errors = {f"s{ids[7]}": "Kies een van de antwoorden."}
        page = survey_page(visit, 2000, posted, errors, step=2, resume=True)
        page = replace(page, errors={}, first_error=None, first_unanswered=f"state-s{ids[2]}")
        for shown in (page, replace(page, errors=errors)):
            assert str(legs_html(shown, scale)) == _legs_as_the_templates_make_them(shown, scale)
        html = str(legs_html(page, scale))
    assert "\ue000" not in html and "\ue001" not in html and "\u202e" not in html
    assert 'id="welcome-back"' in html and "autofocus" in html


def replace_name(visit, name):
    """The same visit as if its manager had another name."""
    participant = replace(
        visit.invitation.participant,
        person=replace(visit.invitation.participant.person, name=name),
    )
    return replace(visit, invitation=replace(visit.invitation, participant=participant))


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "states",
    [
        [("state-s3", "saved")],
        [("state-s3", "error", "Kies een van de antwoorden.")],
        [("state-s3", "saved"), ("state-s4", "saved")],
        [
            (
                "state-q-strengths",
                "newer",
                "Later answer kept.",
                "q:strengths",
                'Een "later" <antwoord>',
            )
        ],
        [("state-s9", "closed", "Not saved.")],
    ],
)
@pytest.mark.parametrize("fingerprint", ["3f2a9c", None, ""])
@pytest.mark.parametrize("with_note", [False, True])
def test_autosave_answer_is_the_templates(app, language, states, fingerprint, with_note):
    """The autosave's answer, kept per language and progress for the usual save and filled
    in per request, is the HTML the template makes, after other answers (in both languages)
    filled the cache."""
    from flask_babel import force_locale

    from feedback.identifying.survey import Note
    from feedback.survey.blocks import save_state_html
    from feedback.survey.page import Progress
    from feedback.survey.services import SaveState

    progress = Progress(answered=7, total=28)
    shown = [SaveState(*s) for s in states]
    notes = [Note("q:strengths")] if with_note else []
    with app.test_request_context():
        for other_language in ("nl", "en"):
            with force_locale(other_language):
                for other in ("state-s1", "state-s2"):
                    save_state_html([SaveState(other, "saved")], progress, "0d0d", [])
        with force_locale(language):
            cached = save_state_html(shown, progress, fingerprint, notes)
            rendered = render_template(
                "survey/_save_state.html",
                states=shown,
                progress=progress,
                fingerprint=fingerprint,
                notes=notes,
            )
    assert cached == rendered
    assert ('id="identifying-q-strengths"' in cached) == with_note
    assert not set(cached) & {"\ue002", "\ue003"}
    assert ("Opgeslagen" in cached) == (language == "nl" and states[0][1] == "saved")
    assert "7" in cached and "28" in cached


def test_autosave_answer_follows_the_progress(app):
    from feedback.survey.blocks import save_state_html
    from feedback.survey.page import Progress
    from feedback.survey.services import SaveState

    saved = [SaveState("state-s3", "saved")]
    with app.test_request_context():
        first = save_state_html(saved, Progress(3, 28), "aa", [])
        second = save_state_html(saved, Progress(4, 28), "bb", [])
    assert 'value="3"' in first and 'value="4"' in second
    assert 'value="aa"' in first and 'value="bb"' in second
