"""The packaged six-legs framework: its content, loading it once, copying it per round."""

import copy

import pytest
import sqlalchemy as sa

from feedback.frameworks import (
    FrameworkError,
    copy_framework,
    load_framework,
    read_framework_file,
    validate_framework_data,
)
from feedback.models import Framework, Leg, OpenQuestion, Statement

LEG_KEYS = ["teambuilder", "decisive", "politician", "coach", "numbers", "achiever"]
LEG_NAMES = {
    "teambuilder": ("Teambuilder", "Teambuilder"),
    "decisive": ("Doortastend persoon", "Decisive judge of people and deals"),
    "politician": ("Politicus", "Politician"),
    "coach": ("Coach", "Coach"),
    "numbers": ("Cijferexpert", "Numbers expert"),
    "achiever": ("Streber", "Achiever"),
}


@pytest.fixture(scope="module")
def data():
    return read_framework_file()


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- the file itself -------------------------------------------------------------------------


def test_packaged_file_validates(data):
    validate_framework_data(data)
    assert data["key"] == "six-legs"
    assert data["name"]["nl"] and data["name"]["en"]


def test_six_legs_in_order_with_their_names(data):
    assert [leg["key"] for leg in data["legs"]] == LEG_KEYS
    for leg in data["legs"]:
        assert (leg["name"]["nl"], leg["name"]["en"]) == LEG_NAMES[leg["key"]]


def test_every_leg_has_a_description_in_both_languages(data):
    for leg in data["legs"]:
        for lang in ("nl", "en"):
            description = leg["description"][lang]
            assert len(description) > 40, (leg["key"], lang)
            assert description.endswith("."), (leg["key"], lang)


def test_every_leg_has_three_to_five_statements_in_both_languages(data):
    for leg in data["legs"]:
        assert 3 <= len(leg["statements"]) <= 5, leg["key"]
        for statement in leg["statements"]:
            assert statement["key"].startswith(leg["key"] + "-")
            assert statement["text"]["nl"].startswith("Mijn manager "), statement["key"]
            assert statement["text"]["en"].startswith("My manager "), statement["key"]
            assert "Stelling" not in statement["text"]["nl"]


def test_statement_texts_and_keys_are_unique(data):
    statements = [s for leg in data["legs"] for s in leg["statements"]]
    keys = [leg["key"] for leg in data["legs"]] + [s["key"] for s in statements]
    assert len(keys) == len(set(keys))
    for lang in ("nl", "en"):
        texts = [s["text"][lang] for s in statements]
        assert len(texts) == len(set(texts)), lang


def test_every_leg_has_three_or_four_development_actions_per_language(data):
    for leg in data["legs"]:
        nl, en = leg["actions"]["nl"], leg["actions"]["en"]
        assert 3 <= len(nl) <= 4, leg["key"]
        assert len(nl) == len(en), leg["key"]
        assert all(action.strip() for action in nl + en)
        assert len(set(nl)) == len(nl)


def test_open_questions_start_stop_continue(data):
    questions = data["open_questions"]
    assert [q["key"] for q in questions] == ["start", "stop", "continue"]
    for q in questions:
        assert q["text"]["nl"].endswith("?") and q["text"]["en"].endswith("?")


# --- a malformed file ------------------------------------------------------------------------


def test_leg_with_too_few_statements_is_rejected_with_a_clear_message(data):
    broken = copy.deepcopy(data)
    broken["legs"][3]["statements"] = broken["legs"][3]["statements"][:2]
    with pytest.raises(FrameworkError, match="leg coach has 2 statements, not 3-5"):
        validate_framework_data(broken)


def test_missing_english_text_is_rejected(data):
    broken = copy.deepcopy(data)
    del broken["legs"][0]["statements"][1]["text"]["en"]
    with pytest.raises(FrameworkError, match="statement teambuilder-letting-go lacks en"):
        validate_framework_data(broken)


def test_duplicate_key_is_rejected(data):
    broken = copy.deepcopy(data)
    broken["legs"][1]["statements"][0]["key"] = "teambuilder-hiring"
    with pytest.raises(FrameworkError, match="duplicate key teambuilder-hiring"):
        validate_framework_data(broken)


def test_file_without_legs_is_rejected():
    with pytest.raises(FrameworkError, match="no legs"):
        validate_framework_data({"name": {"nl": "x", "en": "x"}, "legs": []})


# --- loading and copying ---------------------------------------------------------------------


def test_loading_twice_creates_one_template(db, data):
    first = load_framework()
    db.session.commit()
    second = load_framework()
    db.session.commit()
    assert first.id == second.id
    assert _count(db, Framework) == 1
    assert _count(db, Leg) == 6
    statements = sum(len(leg["statements"]) for leg in data["legs"])
    assert _count(db, Statement) == statements
    assert _count(db, OpenQuestion) == 3
    assert first.is_template


def test_loaded_template_matches_the_file(db, data):
    framework = load_framework()
    db.session.commit()
    assert [leg.key for leg in framework.legs] == LEG_KEYS
    coach = framework.legs[3]
    source = data["legs"][3]
    assert coach.name("nl") == "Coach"
    assert coach.description("en") == source["description"]["en"]
    assert coach.actions("nl") == source["actions"]["nl"]
    assert [s.key for s in coach.statements] == [s["key"] for s in source["statements"]]
    assert coach.statements[0].text("en") == source["statements"][0]["text"]["en"]
    assert [q.key for q in framework.open_questions] == ["start", "stop", "continue"]


def test_copy_is_independent_of_the_template(db):
    template = load_framework()
    db.session.commit()
    original_text = template.legs[0].statements[0].text_nl
    original_actions = list(template.legs[0].actions_nl)

    framework = copy_framework(template)
    db.session.commit()
    assert framework.id != template.id
    assert not framework.is_template
    assert len(framework.statements) == len(template.statements)
    assert {s.id for s in framework.statements}.isdisjoint({s.id for s in template.statements})

    framework.legs[0].statements[0].text_nl = "Mijn manager belt elke vrijdag even."
    framework.legs[0].actions_nl = [*framework.legs[0].actions_nl, "Nieuwe actie."]
    framework.legs[1].statements.pop()
    db.session.commit()
    db.session.expire_all()

    template = db.session.get(Framework, template.id)
    assert template.legs[0].statements[0].text_nl == original_text
    assert template.legs[0].actions_nl == original_actions
    assert len(template.legs[1].statements) == 4
    # Loading again still finds the untouched template, not the edited copy.
    assert load_framework().id == template.id
