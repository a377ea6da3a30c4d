"""What the survey page shows: legs, statements, the values chosen so far and progress,
worded for who answers (the manager's self-assessment, a direct report, a peer, the
supervisor), with what the report will do with the answers told up front."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.models import RaterGroup
from feedback.survey.answers import (
    GRADE,
    clean_comment,
    draft_fingerprint,
    question_field,
    statement_field,
)
from feedback.survey.drafts import Draft
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
    step: int = 0  # its step in the one-leg-at-a-time mode (1 for the first leg)


@dataclass(frozen=True)
class Estimate:
    """An honest time estimate, from the number of questions: about 10 seconds a
    statement and the grade (what a first-time rater takes reading and choosing), the
    open questions counted apart, as they are optional and take what one writes."""

    minutes: int
    statements: int
    questions: int


SECONDS_PER_STATEMENT = 10
# The last step: the open questions and the grade, after the legs.
LAST_STEP_ID = "step-last"


def estimate(statements: int, questions: int) -> Estimate:
    seconds = (statements + 1) * SECONDS_PER_STATEMENT
    return Estimate(max(1, math.ceil(seconds / 60)), statements, questions)


@dataclass(frozen=True)
class Wording:
    """The texts around the questions that depend on who answers (in the request's locale).

    anonymous: whether this rater's answers are pooled with others' (direct reports and
    peers) or shown under their own group's name (self-assessment, supervisor)."""

    title: str
    anonymous: bool
    privacy_heading: str
    privacy: list[str]
    comments_note: str
    grade_question: str


def _hr_counts(threshold: int) -> str:
    return _(
        "HR sees only how many people have answered, counted in groups of at least %(n)d"
        " invited raters and at most once an hour: not who answered, nor when anyone did."
        " Whether you have answered is kept only so that reminders go to those who have not,"
        " and is erased when the round closes.",
        n=threshold,
    )


def wording(group: str, manager_name: str, threshold: int) -> Wording:
    """What the page says to a rater of `group` about whose view it asks for and what the
    report does with it (DESIGN.md, "Anonymity is structural"): the self-assessment and the
    supervisor are shown under their own names, whenever they answered; direct reports and
    peers only pooled, in figures of at least `threshold` of them."""
    self_label, supervisor_label = _("Self"), _("Supervisor")
    if group == RaterGroup.SELF:
        return Wording(
            title=_("Your self-assessment"),
            anonymous=False,
            privacy_heading=_("Your answers are not anonymous"),
            privacy=[
                _(
                    "This is your self-assessment: your own view of how you work as a manager."
                    " It is not anonymous. Your report shows it separately, as “%(self_group)s”,"
                    " next to what your direct reports, peers and supervisor said.",
                    self_group=self_label,
                ),
                _(
                    "Your comments appear in your report as yours, marked “%(self_group)s”.",
                    self_group=self_label,
                ),
                _hr_counts(threshold),
            ],
            comments_note=_("Optional. Your comments appear in your report as your own."),
            grade_question=_(
                "What grade do you give yourself as a manager overall"
                " (1 = very poor, 10 = excellent)?"
            ),
        )
    if group == RaterGroup.SUPERVISOR:
        return Wording(
            title=_("Feedback for %(name)s", name=manager_name),
            anonymous=False,
            privacy_heading=_("Your answers are shown as the supervisor's"),
            privacy=[
                _(
                    "You answer as the supervisor of %(name)s. Your answers are not pooled with"
                    " anyone else's: the report shows them separately, as “%(supervisor_group)s”,"
                    " so %(name)s can tell they are yours.",
                    name=manager_name,
                    supervisor_group=supervisor_label,
                ),
                _(
                    "Your comments are shown marked “%(supervisor_group)s”.",
                    supervisor_group=supervisor_label,
                ),
                ngettext(
                    "Your scores also count in the average of all raters except the manager,"
                    " which is shown only when at least %(num)d direct report or peer answered.",
                    "Your scores also count in the average of all raters except the manager,"
                    " which is shown only when at least %(num)d direct reports and peers"
                    " answered.",
                    threshold,
                ),
                _hr_counts(threshold),
            ],
            comments_note=_("Optional. Your comments are shown as the supervisor's."),
            grade_question=_(
                "What grade do you give %(name)s overall (1 = very poor, 10 = excellent)?",
                name=manager_name,
            ),
        )
    if group == RaterGroup.DIRECT_REPORT:
        grade_question = _(
            "What grade do you give your manager overall (1 = very poor, 10 = excellent)?"
        )
    else:
        grade_question = _(
            "What grade do you give %(name)s overall (1 = very poor, 10 = excellent)?",
            name=manager_name,
        )
    return Wording(
        title=_("Feedback for %(name)s", name=manager_name),
        anonymous=True,
        privacy_heading=_("Your answers are anonymous"),
        privacy=[
            _(
                "Your answers are pooled with those of the other direct reports and peers. The"
                " report shows a figure only when at least %(num)d of them answered; with fewer,"
                " it shows nothing of them.",
                num=threshold,
            ),
            ngettext(
                "Direct reports and peers appear as separate groups only when a group has at"
                " least %(num)d answer; a smaller group is merged with the other, or left out.",
                "Direct reports and peers appear as separate groups only when a group has at"
                " least %(num)d answers; a smaller group is merged with the other, or left out.",
                threshold,
            ),
            _(
                "The manager's own self-assessment and the answers of the manager's supervisor"
                " are not anonymous: the report shows them separately, as “%(self_group)s” and"
                " “%(supervisor_group)s”.",
                self_group=self_label,
                supervisor_group=supervisor_label,
            ),
            _(
                "Comments are shown without names, in random order, and only when enough direct"
                " reports and peers answered. Don't write anything that gives away who you are."
            ),
            _hr_counts(threshold),
        ],
        comments_note=_(
            "Optional. Comments are shown without your name; don't write anything that"
            " identifies you."
        ),
        grade_question=grade_question,
    )


@dataclass(frozen=True)
class SurveyPage:
    manager_name: str
    closes_on: date
    threshold: int
    group: str
    wording: Wording
    language: str  # the invitation's: the page's language
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
    estimate: Estimate
    # The first question without an answer, in page order (its state id), and its step:
    # the page opens there (autofocus) when the rater comes back with answers saved.
    first_unanswered: str | None
    current_step: int  # the step shown in the one-leg-at-a-time mode
    resume: bool  # "welcome back": answers were saved before and the page opens at one

    @property
    def step_count(self) -> int:
        return len(self.legs) + 1  # the legs, then the open questions with the grade

    @property
    def last_step(self) -> int:
        return self.step_count


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
    step: int | None = None,
    resume: bool = True,
    draft: Draft | None = None,
) -> SurveyPage:
    """Everything the form shows: the draft, overlaid with what was just posted (so a rater
    never loses typed text when the form comes back with errors).

    The page carries the fingerprint of the draft it was built from, unless `fingerprint`
    is given: a form coming back with errors keeps the one it was posted with, because it
    shows the posted values, which may be as outdated as the tab they came from.

    `step` (?step=N) chooses the step the phone layout shows; without it, the step of the
    first error, else (with `resume` and answers saved) of the first unanswered question,
    else the first.

    `draft`: the draft as already read (else it is read now)."""
    invitation = visit.invitation
    rnd = invitation.participant.round
    lang = invitation.language
    framework = visit.outline
    values = dict(draft.values) if draft is not None else draft_values(visit.link)
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
    group, manager_name = invitation.group, invitation.participant.person.name
    stray = list({str(m): m for name, m in errors.items() if name not in known}.values())
    legs = [
        LegView(
            name=leg.name(lang),
            description=leg.description(lang),
            statements=[
                FieldView(statement_field(s.id), s.rater_text(lang, group, manager_name))
                for s in leg.statements
            ],
            step=number,
        )
        for number, leg in enumerate(framework.legs, start=1)
    ]
    questions = [
        FieldView(question_field(q.key), q.rater_text(lang, group, manager_name))
        for q in framework.open_questions
    ]
    in_order = [st for leg in legs for st in leg.statements] + questions
    first_error = next((f.state_id for f in in_order if f.field in errors), None)
    if first_error is None and GRADE in errors:
        first_error = state_id(GRADE)
    step_of = {f.field: leg.step for leg in legs for f in leg.statements}
    last = len(legs) + 1
    missing = [f for f in [*in_order, FieldView(GRADE, "")] if not values.get(f.field, "").strip()]
    first_unanswered = missing[0] if missing else None
    answered = progress(values, total_items(framework))
    resume = resume and not errors and answered.answered > 0 and first_unanswered is not None
    if step is not None and 1 <= step <= last:
        current = step
    elif first_error is not None:
        error_field = next((f.field for f in in_order if f.field in errors), GRADE)
        current = step_of.get(error_field, last)
    elif resume:
        current = step_of.get(first_unanswered.field, last)
    else:
        current = 1
    return SurveyPage(
        manager_name=manager_name,
        closes_on=rnd.closes_on,
        threshold=rnd.threshold,
        group=group,
        wording=wording(group, manager_name, rnd.threshold),
        language=lang,
        legs=legs,
        questions=questions,
        values=values,
        errors=errors,
        stray_errors=stray,
        cut=cut,
        first_error=first_error,
        progress=answered,
        max_comment_length=max_comment_length,
        fingerprint=fingerprint,
        estimate=estimate(len(framework.statements), len(questions)),
        first_unanswered=first_unanswered.state_id if resume else None,
        current_step=current,
        resume=resume,
    )


# --- The review before sending ---------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One part of the survey with questions left open: its step and those questions."""

    title: str
    step: int
    fields: list[FieldView]
    optional: bool = False  # the open questions: nobody has to answer them


@dataclass(frozen=True)
class Review:
    progress: Progress
    missing: list[Missing]
    missing_statements: int
    can_send: bool  # at least one statement answered ("don't know" counts)
    fingerprint: str  # of the draft reviewed: sending checks it is still the draft
    closes_on: date


def review(visit: Visit) -> Review:
    """What the review step lists: per leg the statements without an answer ("don't know"
    is an answer), then the open questions and the grade, from the saved draft."""
    invitation = visit.invitation
    rnd = invitation.participant.round
    lang, group = invitation.language, invitation.group
    manager_name = invitation.participant.person.name
    framework = visit.outline
    values = draft_values(visit.link)
    missing = []
    for number, leg in enumerate(framework.legs, start=1):
        fields = [
            FieldView(statement_field(s.id), s.rater_text(lang, group, manager_name))
            for s in leg.statements
            if not values.get(statement_field(s.id))
        ]
        if fields:
            missing.append(Missing(leg.name(lang), number, fields))
    last = len(framework.legs) + 1
    questions = [
        FieldView(question_field(q.key), q.rater_text(lang, group, manager_name))
        for q in framework.open_questions
        if not values.get(question_field(q.key), "").strip()
    ]
    if questions:
        missing.append(Missing(_("In your own words"), last, questions, optional=True))
    if not values.get(GRADE):
        grade = wording(group, manager_name, rnd.threshold).grade_question
        missing.append(Missing(_("Overall grade"), last, [FieldView(GRADE, grade)]))
    statement_fields = {statement_field(s.id) for s in framework.statements}
    return Review(
        progress=progress(values, total_items(framework)),
        missing=missing,
        missing_statements=sum(len(m.fields) for m in missing if m.step < last),
        can_send=any(values.get(f) for f in statement_fields),
        fingerprint=draft_fingerprint(values),
        closes_on=rnd.closes_on,
    )


def thanks_text(group: str) -> str:
    """What the thanks page says happens to the answers just submitted."""
    if group == RaterGroup.SELF:
        return _("Your self-assessment has been submitted. It can no longer be changed.")
    if group == RaterGroup.SUPERVISOR:
        return _(
            "Your answers have been submitted and can no longer be changed. The report shows"
            " them as the supervisor's."
        )
    return _(
        "Your answers have been submitted. They are stored without your name and can no longer"
        " be changed."
    )
