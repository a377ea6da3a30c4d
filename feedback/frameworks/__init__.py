"""The competency framework as data: load the packaged JSON, copy it per round.

File format (feedback/frameworks/<key>.json):
{
  "key": "six-legs", "version": "1.0",
  "name": {"nl": "...", "en": "..."},
  "legs": [
    {"key": "teambuilder", "name": {"nl", "en"}, "description": {"nl", "en"},
     "actions": {"nl": [...], "en": [...]},
     "statements": [{"key": "teambuilder-hiring", "text": {"nl": FORMS, "en": FORMS}}]}
  ],
  "open_questions": [{"key": "start", "text": {"nl": FORMS, "en": FORMS}}]
}

FORMS is the wording per reader (feedback/models/framework.py):
  {"neutral": "Hires salespeople who ...",       what the report shows
   "self":    "I hire salespeople who ...",      the manager's self-assessment
   "direct":  "My manager hires ...",            direct reports
   "other":   "{name} hires ..."}                peers and the supervisor; {name} is the
                                                  manager's name ("This manager" without one)
"""

import copy
import json
from importlib import resources

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Framework, Leg, OpenQuestion, Statement
from feedback.models.framework import FORMS, NAME, NEUTRAL, RATER_FORMS

DEFAULT_KEY = "six-legs"


class FrameworkError(ValueError):
    pass


def read_framework_file(key: str = DEFAULT_KEY) -> dict:
    text = resources.files(__package__).joinpath(f"{key}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    validate_framework_data(data)
    return data


def validate_framework_data(data: dict) -> None:
    """Fail loudly on a malformed framework file: 3 to 5 statements per leg, every wording
    form of every statement and open question in both languages, `{name}` only (and once)
    in the `other` form."""
    problems = []
    for lang in ("nl", "en"):
        if not data.get("name", {}).get(lang):
            problems.append(f"framework name in {lang} is missing")
    legs = data.get("legs") or []
    if not legs:
        problems.append("no legs")
    seen = set()
    for leg in legs:
        statements = leg.get("statements") or []
        if not 3 <= len(statements) <= 5:
            problems.append(f"leg {leg.get('key')} has {len(statements)} statements, not 3-5")
        for item in [leg, *statements]:
            if item.get("key") in seen:
                problems.append(f"duplicate key {item.get('key')}")
            seen.add(item.get("key"))
        for statement in statements:
            problems.extend(_wording_problems("statement", statement))
    questions = data.get("open_questions") or []
    question_keys = [q.get("key") for q in questions]
    if len(question_keys) != len(set(question_keys)):
        problems.append("duplicate open question key")
    for question in questions:
        problems.extend(_wording_problems("open question", question))
    if problems:
        raise FrameworkError("; ".join(problems))


def _wording_problems(kind: str, item: dict) -> list[str]:
    key = item.get("key")
    text = item.get("text")
    if not isinstance(text, dict):
        return [f"{kind} {key} has no text"]
    problems = []
    for lang in ("nl", "en"):
        forms = text.get(lang)
        if not forms:
            problems.append(f"{kind} {key} lacks {lang}")
            continue
        if not isinstance(forms, dict):
            problems.append(f"{kind} {key} in {lang} is not a set of forms ({', '.join(FORMS)})")
            continue
        for form in FORMS:
            value = forms.get(form)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{kind} {key} lacks the {form} form in {lang}")
                continue
            rest = value.replace(NAME, "", 1) if form == "other" else value
            if form == "other" and NAME not in value:
                problems.append(f"{kind} {key} in {lang}: the other form lacks {NAME}")
            if "{" in rest or "}" in rest:
                problems.append(
                    f"{kind} {key} in {lang}: the {form} form has a placeholder;"
                    f" only the other form has {NAME}, once"
                )
        unknown = sorted(set(forms) - set(FORMS))
        if unknown:
            problems.append(f"{kind} {key} in {lang} has unknown forms: {', '.join(unknown)}")
    return problems


def _neutral(text: dict, lang: str) -> str:
    return text[lang][NEUTRAL]


def _rater_forms(text: dict) -> dict:
    """The `forms` column: the rater forms per language (the neutral one is text_nl/en)."""
    return {lang: {form: text[lang][form] for form in RATER_FORMS} for lang in ("nl", "en")}


def load_framework(key: str = DEFAULT_KEY) -> Framework:
    """Load the packaged framework as a template, once per key and version. Caller commits."""
    data = read_framework_file(key)
    existing = db.session.scalar(
        sa.select(Framework).where(
            Framework.key == data["key"],
            Framework.version == data["version"],
            Framework.is_template.is_(True),
        )
    )
    if existing is not None:
        return existing
    framework = _build(data)
    db.session.add(framework)
    db.session.flush()
    return framework


def _build(data: dict) -> Framework:
    framework = Framework(
        key=data["key"],
        version=data["version"],
        name_nl=data["name"]["nl"],
        name_en=data["name"]["en"],
        is_template=True,
    )
    for position, leg_data in enumerate(data["legs"], start=1):
        leg = Leg(
            key=leg_data["key"],
            position=position,
            name_nl=leg_data["name"]["nl"],
            name_en=leg_data["name"]["en"],
            description_nl=leg_data.get("description", {}).get("nl", ""),
            description_en=leg_data.get("description", {}).get("en", ""),
            actions_nl=list(leg_data.get("actions", {}).get("nl", [])),
            actions_en=list(leg_data.get("actions", {}).get("en", [])),
        )
        for s_position, st in enumerate(leg_data["statements"], start=1):
            leg.statements.append(
                Statement(
                    key=st["key"],
                    position=s_position,
                    text_nl=_neutral(st["text"], "nl"),
                    text_en=_neutral(st["text"], "en"),
                    forms=_rater_forms(st["text"]),
                )
            )
        framework.legs.append(leg)
    for position, q in enumerate(data.get("open_questions", []), start=1):
        framework.open_questions.append(
            OpenQuestion(
                key=q["key"],
                position=position,
                text_nl=_neutral(q["text"], "nl"),
                text_en=_neutral(q["text"], "en"),
                forms=_rater_forms(q["text"]),
            )
        )
    return framework


def copy_framework(source: Framework) -> Framework:
    """A round's own copy, which HR may edit until the first answer arrives. Caller commits."""
    framework = Framework(
        key=source.key,
        version=source.version,
        name_nl=source.name_nl,
        name_en=source.name_en,
        is_template=False,
    )
    for leg in source.legs:
        new_leg = Leg(
            key=leg.key,
            position=leg.position,
            name_nl=leg.name_nl,
            name_en=leg.name_en,
            description_nl=leg.description_nl,
            description_en=leg.description_en,
            actions_nl=list(leg.actions_nl),
            actions_en=list(leg.actions_en),
        )
        for st in leg.statements:
            new_leg.statements.append(
                Statement(
                    key=st.key,
                    position=st.position,
                    text_nl=st.text_nl,
                    text_en=st.text_en,
                    forms=copy.deepcopy(st.forms),
                )
            )
        framework.legs.append(new_leg)
    for q in source.open_questions:
        framework.open_questions.append(
            OpenQuestion(
                key=q.key,
                position=q.position,
                text_nl=q.text_nl,
                text_en=q.text_en,
                forms=copy.deepcopy(q.forms),
            )
        )
    db.session.add(framework)
    db.session.flush()
    return framework
