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
from feedback.models import Framework, Leg, OpenQuestion, RaterGroup, Statement
from feedback.models.framework import FORM_OF_GROUP, FORMS

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


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def test_every_leg_has_three_to_five_statements_in_both_languages(data):
    for leg in data["legs"]:
        assert 3 <= len(leg["statements"]) <= 5, leg["key"]
        for statement in leg["statements"]:
            assert statement["key"].startswith(leg["key"] + "-")
            nl, en = statement["text"]["nl"], statement["text"]["en"]
            assert set(nl) == set(en) == set(FORMS), statement["key"]
            assert nl["direct"].startswith("Mijn manager "), statement["key"]
            assert en["direct"].startswith("My manager "), statement["key"]
            assert "Stelling" not in nl["neutral"]


def test_statements_are_worded_for_each_reader(data):
    """Neutral for the report, first person for the self-assessment, "Mijn manager" for
    direct reports, the manager's name for peers and the supervisor: the name takes the
    neutral form's verb, in its word order ("Neemt ..." / "{name} neemt ...")."""
    for leg in data["legs"]:
        for statement in leg["statements"]:
            key = statement["key"]
            for lang, first_person in (("nl", "Ik "), ("en", "I ")):
                forms = statement["text"][lang]
                neutral = forms["neutral"]
                assert neutral[0].isupper() and neutral.endswith("."), (key, lang)
                assert not neutral.startswith(("Mijn manager", "My manager", "Ik ", "I ")), key
                assert forms["self"].startswith(first_person), (key, lang)
                assert forms["other"] == "{name} " + _lower_first(neutral), (key, lang)
                for form in ("neutral", "self", "other"):
                    words = forms[form].lower().replace(".", "").split()
                    assert "manager" not in words, (key, lang, form)
            # The neutral and named forms speak of the team, not as one of it.
            for form in ("neutral", "other"):
                words = statement["text"]["nl"][form].lower().replace(".", "").split()
                assert not {"mij", "wij", "ons", "onze", "ik"} & set(words), (key, form)
                words = statement["text"]["en"][form].lower().replace(".", "").split()
                assert not {"me", "we", "us", "our", "i"} & set(words), (key, form)


def test_statement_texts_and_keys_are_unique(data):
    statements = [s for leg in data["legs"] for s in leg["statements"]]
    keys = [leg["key"] for leg in data["legs"]] + [s["key"] for s in statements]
    assert len(keys) == len(set(keys))
    for lang in ("nl", "en"):
        for form in FORMS:
            texts = [s["text"][lang][form] for s in statements]
            assert len(texts) == len(set(texts)), (lang, form)


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
        for lang in ("nl", "en"):
            assert set(q["text"][lang]) == set(FORMS)
            assert all(text.endswith("?") for text in q["text"][lang].values())


def test_open_questions_are_worded_for_each_reader(data):
    start = {lang: data["open_questions"][0]["text"][lang] for lang in ("nl", "en")}
    assert start["nl"] == {
        "neutral": "Waarmee zou deze manager moeten beginnen?",
        "self": "Waarmee zou ik moeten beginnen?",
        "direct": "Waarmee zou mijn manager moeten beginnen?",
        "other": "Waarmee zou {name} moeten beginnen?",
    }
    assert start["en"]["self"] == "What should I start doing?"
    assert start["en"]["other"] == "What should {name} start doing?"
    for q in data["open_questions"]:
        assert " ik " in q["text"]["nl"]["self"] and " I " in q["text"]["en"]["self"]
        assert "mijn manager" in q["text"]["nl"]["direct"]
        assert "my manager" in q["text"]["en"]["direct"]


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


def test_missing_form_is_rejected(data):
    broken = copy.deepcopy(data)
    del broken["legs"][2]["statements"][0]["text"]["nl"]["self"]
    del broken["open_questions"][1]["text"]["en"]["other"]
    with pytest.raises(FrameworkError) as raised:
        validate_framework_data(broken)
    assert "statement politician-carries-needs-up lacks the self form in nl" in str(raised.value)
    assert "open question stop lacks the other form in en" in str(raised.value)


def test_text_without_forms_is_rejected(data):
    broken = copy.deepcopy(data)
    broken["legs"][0]["statements"][0]["text"]["nl"] = "Mijn manager neemt verkopers aan."
    with pytest.raises(FrameworkError, match="teambuilder-hiring in nl is not a set of forms"):
        validate_framework_data(broken)


@pytest.mark.parametrize("form", ["neutral", "self", "direct"])
def test_name_only_in_the_other_form(data, form):
    broken = copy.deepcopy(data)
    broken["legs"][0]["statements"][1]["text"]["en"][form] = "{name} parts ways when needed."
    with pytest.raises(FrameworkError, match=f"the {form} form has a placeholder"):
        validate_framework_data(broken)


def test_other_form_names_the_manager_once(data):
    broken = copy.deepcopy(data)
    broken["legs"][0]["statements"][0]["text"]["nl"]["other"] = "Deze manager neemt aan."
    broken["open_questions"][0]["text"]["en"]["other"] = "What should {name} and {name} do?"
    with pytest.raises(FrameworkError) as raised:
        validate_framework_data(broken)
    assert "teambuilder-hiring in nl: the other form lacks {name}" in str(raised.value)
    assert "open question start in en: the other form has a placeholder" in str(raised.value)


def test_unknown_form_is_rejected(data):
    broken = copy.deepcopy(data)
    broken["legs"][0]["statements"][0]["text"]["en"]["peer"] = "Peers say so."
    with pytest.raises(FrameworkError, match="teambuilder-hiring in en has unknown forms: peer"):
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
    assert coach.statements[0].text("en") == source["statements"][0]["text"]["en"]["neutral"]
    assert [q.key for q in framework.open_questions] == ["start", "stop", "continue"]


# --- the rater's wording ---------------------------------------------------------------------


def test_every_rater_group_has_a_form():
    assert set(FORM_OF_GROUP) == {str(group) for group in RaterGroup}


def test_text_is_neutral_and_rater_text_fits_the_group(db):
    framework = load_framework()
    db.session.commit()
    hiring = framework.legs[0].statements[0]
    assert hiring.text("nl") == (
        "Neemt verkopers aan die in de praktijk waarmaken wat ze op papier beloven."
    )
    assert (
        hiring.text("en") == "Hires salespeople who deliver in practice what they promise on paper."
    )
    said = {
        (lang, group): hiring.rater_text(lang, group, "Anna de Vries")
        for lang in ("nl", "en")
        for group in RaterGroup
    }
    assert said["nl", RaterGroup.SELF].startswith("Ik neem verkopers aan die ")
    assert said["en", RaterGroup.SELF].startswith("I hire salespeople who ")
    assert said["nl", RaterGroup.DIRECT_REPORT].startswith("Mijn manager neemt verkopers aan ")
    assert said["en", RaterGroup.DIRECT_REPORT].startswith("My manager hires salespeople ")
    for group in (RaterGroup.PEER, RaterGroup.SUPERVISOR):
        assert said["nl", group].startswith("Anna de Vries neemt verkopers aan die ")
        assert said["en", group].startswith("Anna de Vries hires salespeople who ")
    start = framework.open_questions[0]
    assert start.text("nl") == "Waarmee zou deze manager moeten beginnen?"
    assert start.rater_text("nl", RaterGroup.SELF) == "Waarmee zou ik moeten beginnen?"
    assert start.rater_text("en", RaterGroup.SELF) == "What should I start doing?"
    assert start.rater_text("en", RaterGroup.PEER, "Anna") == "What should Anna start doing?"


def test_other_form_without_a_name_says_this_manager(db):
    framework = load_framework()
    db.session.commit()
    hiring, start = framework.legs[0].statements[0], framework.open_questions[0]
    assert hiring.rater_text("nl", RaterGroup.PEER).startswith("Deze manager neemt verkopers ")
    assert hiring.rater_text("en", RaterGroup.SUPERVISOR, "  ").startswith("This manager hires ")
    assert start.rater_text("nl", RaterGroup.PEER) == "Waarmee zou deze manager moeten beginnen?"
    assert start.rater_text("en", RaterGroup.PEER, None) == "What should this manager start doing?"


def test_a_name_is_put_in_as_it_is():
    statement = Statement(text_nl="n", text_en="e", forms={"en": {"other": "{name} hires."}})
    assert statement.rater_text("en", "peer", "{name} O'Brien") == "{name} O'Brien hires."


def test_a_statement_without_forms_reads_its_text_for_every_group():
    statement = Statement(key="x", position=1, text_nl="Belt elke vrijdag.", text_en="Calls.")
    for group in RaterGroup:
        assert statement.rater_text("nl", group, "Anna") == "Belt elke vrijdag."
        assert statement.rater_text("en", group) == "Calls."
    with pytest.raises(ValueError, match="unknown rater group"):
        statement.rater_text("nl", "customer")


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
    assert framework.legs[0].statements[0].forms == template.legs[0].statements[0].forms
    # Loading again still finds the untouched template, not the edited copy.
    assert load_framework().id == template.id


def test_copy_keeps_every_form(db):
    template = load_framework()
    db.session.commit()
    framework = copy_framework(template)
    db.session.commit()
    for original, copied in zip(
        template.statements + template.open_questions,
        framework.statements + framework.open_questions,
        strict=True,
    ):
        assert copied.forms == original.forms and copied.forms
        for lang in ("nl", "en"):
            assert copied.text(lang) == original.text(lang)
            for group in RaterGroup:
                assert copied.rater_text(lang, group, "Anna") == original.rater_text(
                    lang, group, "Anna"
                )
    # Its own dict: editing the copy's wording leaves the template's alone.
    edited = framework.statements[0]
    edited.forms = {**edited.forms, "nl": {**edited.forms["nl"], "self": "Ik bel vaak."}}
    db.session.commit()
    db.session.expire_all()
    assert (
        db.session.get(Framework, template.id)
        .statements[0]
        .forms["nl"]["self"]
        .startswith("Ik neem verkopers aan")
    )
