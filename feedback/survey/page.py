"""What the survey page shows: legs, statements, the values chosen so far and progress."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from feedback.survey.answers import (
    GRADE,
    clean_comment,
    draft_fingerprint,
    question_field,
    statement_field,
)
from feedback.survey.services import Visit, draft_values, state_id

# --- The page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int


@dataclass(frozen=True)
class FieldView:
    """One question on the page (a statement or an open question): its field and text."""

    field: str
    text: str

    @property
    def state_id(self) -> str:
        return state_id(self.field)


@dataclass(frozen=True)
class LegView:
    name: str
    description: str
    statements: list[FieldView]


@dataclass(frozen=True)
class SurveyPage:
    manager_name: str
    closes_on: date
    threshold: int
    group: str
    legs: list[LegView]
    questions: list[FieldView]
    values: dict[str, str]
    errors: dict[str, str]
    stray_errors: list[str]  # errors about fields that are not on the page, each once
    cut: frozenset[str]  # open answers posted too long: only their first part is shown
    first_error: str | None  # the state id of the first question with an error, in page order
    progress: Progress
    max_comment_length: int
    fingerprint: str  # of the draft the page shows (or the one the posted form carried)


def total_items(framework) -> int:
    return len(framework.statements) + len(framework.open_questions) + 1  # + the grade


def progress(values: Mapping[str, str], total: int) -> Progress:
    """How many of `total` questions have an answer in `values`."""
    return Progress(answered=sum(1 for v in values.values() if v.strip()), total=total)


def survey_page(
    visit: Visit,
    max_comment_length: int,
    posted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    fingerprint: str | None = None,
) -> SurveyPage:
    """Everything the form shows: the draft, overlaid with what was just posted (so a rater
    never loses typed text when the form comes back with errors).

    The page carries the fingerprint of the draft it was built from, unless `fingerprint`
    is given: a form coming back with errors keeps the one it was posted with, because it
    shows the posted values, which may be as outdated as the tab they came from."""
    invitation = visit.invitation
    rnd = invitation.participant.round
    lang = invitation.language
    framework = rnd.framework
    values = draft_values(visit.link)
    if fingerprint is None:
        fingerprint = draft_fingerprint(values)
    open_fields = {question_field(q.key) for q in framework.open_questions}
    known = {statement_field(s.id) for s in framework.statements} | open_fields | {GRADE}
    posted = {k: v for k, v in (posted or {}).items() if k in known}
    cut = frozenset(
        k
        for k, v in posted.items()
        if k in open_fields and len(clean_comment(v)) > max_comment_length
    )
    for name in cut:  # what fits, not a megabyte echoed back into the page
        posted[name] = clean_comment(posted[name])[:max_comment_length]
    values.update(posted)
    errors = dict(errors or {})
    stray = list({str(m): m for name, m in errors.items() if name not in known}.values())
    legs = [
        LegView(
            name=leg.name(lang),
            description=leg.description(lang),
            statements=[FieldView(statement_field(s.id), s.text(lang)) for s in leg.statements],
        )
        for leg in framework.legs
    ]
    questions = [FieldView(question_field(q.key), q.text(lang)) for q in framework.open_questions]
    in_order = [st for leg in legs for st in leg.statements] + questions
    first_error = next((f.state_id for f in in_order if f.field in errors), None)
    if first_error is None and GRADE in errors:
        first_error = state_id(GRADE)
    return SurveyPage(
        manager_name=invitation.participant.person.name,
        closes_on=rnd.closes_on,
        threshold=rnd.threshold,
        group=invitation.group,
        legs=legs,
        questions=questions,
        values=values,
        errors=errors,
        stray_errors=stray,
        cut=cut,
        first_error=first_error,
        progress=progress(values, total_items(framework)),
        max_comment_length=max_comment_length,
        fingerprint=fingerprint,
    )
