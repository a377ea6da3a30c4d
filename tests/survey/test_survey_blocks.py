"""A statement's fieldset from the per-process cache (survey/blocks.py) is the HTML the
template makes, for every manager's name: the cache keeps it with a placeholder and puts
the name in, escaped and without bidi controls."""

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
