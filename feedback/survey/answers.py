"""A rater's answers as form fields: their names, validation and the stale-tab rule (pure).

The survey form has one field per statement (`s<id>`: "1" to "5", or "dk" for don't know),
the grade and one field per open question (`q:<key>`). `validate_answers` checks a posted
form against the round's framework, `final_answers` turns draft plus form into what is
sealed at submit, and `is_stale` recognises a form rendered from an older draft (another
tab or window).
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import LazyString, format_decimal, gettext
from flask_babel import lazy_gettext as _l

from feedback.text import strip_bidi

SCORES = ("1", "2", "3", "4", "5")
DONT_KNOW = "dk"
GRADES = tuple(str(g) for g in range(1, 11))
GRADE = "grade"
FINGERPRINT = "draft_fingerprint"  # hidden field: the draft the page was rendered with
CHANGED_AT = "changed_at"  # autosave: when the rater gave the answer (browser clock, ms)

# Why a rater declines (the key is stored until the round closes; HR sees counts only):
# what the rater chooses, and how HR's counts name it.
DECLINE_REASONS = {
    "new_in_team": _l("I am new in the team"),
    "not_worked_together": _l("We have not worked together enough"),
    "other": _l("Another reason"),
}
DECLINE_REASONS_FOR_HR = {
    "new_in_team": _l("new in the team"),
    "not_worked_together": _l("not worked together enough"),
    "other": _l("another reason"),
}


# --- Field names --------------------------------------------------------------------------


def statement_field(statement_id: int) -> str:
    return f"s{statement_id}"


def question_field(key: str) -> str:
    return f"q:{key}"


# --- Validation (pure) --------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str  # a lazy string: translated when rendered


@dataclass
class Validated:
    """Clean values by field name ("" means the rater cleared the answer) or errors."""

    values: dict[str, str] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_map(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}


def validate_answers(
    statement_ids: set[int],
    question_keys: set[str],
    posted: Mapping[str, str],
    max_comment_length: int,
) -> Validated:
    """Check posted answers against the framework. Nothing is saved unless this is clean.

    Scores are "1".."5" or "dk"; open answers are text up to max_comment_length characters
    (bidirectional controls removed, newlines counted once, no NUL); the grade is "1".."10".
    An empty value clears that answer. Any other field is an error. No message repeats
    what was posted: a page that shows the errors must not echo a hostile field back.
    """
    statement_fields = {statement_field(i) for i in statement_ids}
    question_fields = {question_field(k) for k in question_keys}
    result = Validated()
    for raw_name, raw in posted.items():
        # A multipart part whose name the parser cannot read (a CR or quote in it) has none.
        name = raw_name if isinstance(raw_name, str) else ""
        value = raw if isinstance(raw, str) else ""
        if name in statement_fields:
            if value not in (*SCORES, DONT_KNOW, ""):
                result.errors.append(
                    FieldError(name, _l("Choose a score from 1 to 5, or “don't know”."))
                )
                continue
        elif name in question_fields:
            value = clean_comment(value)
            if len(value) > max_comment_length:
                result.errors.append(
                    FieldError(name, LazyString(_too_long, max_comment_length, len(value)))
                )
                continue
            if "\x00" in value:  # no database text can hold it (PostgreSQL refuses it)
                result.errors.append(
                    FieldError(name, _l("This answer contains a character that is not allowed."))
                )
                continue
            if not value.strip():
                value = ""
        elif name == GRADE:
            value = value.strip()
            if value not in (*GRADES, ""):
                result.errors.append(FieldError(name, _l("Choose a grade from 1 to 10.")))
                continue
        elif name.startswith("s") and name[1:].isdigit():
            result.errors.append(FieldError(name, _l("This statement is not part of the survey.")))
            continue
        else:
            result.errors.append(FieldError(name, _l("Unknown field.")))
            continue
        result.values[name] = value
    return result


def _too_long(max_length: int, length: int) -> str:
    """The message, translated and with its numbers formatted when it is shown."""
    return gettext(
        "This answer is too long: at most %(max)s characters (it has %(length)s)."
        " It was not saved: shorten it and try again.",
        max=format_decimal(max_length),
        length=format_decimal(length),
    )


def clean_comment(value: str) -> str:
    """An open answer as it is stored: one kind of newline (form posts send CRLF, htmx
    sends LF; a newline counts once) and no bidirectional control characters."""
    return strip_bidi(value.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class FinalAnswers:
    scores: dict[int, int | None]  # statement id -> score, None for "don't know"
    comments: dict[str, str]  # open question key -> stripped text
    grade: int | None


def final_answers(draft: Mapping[str, str], posted: Mapping[str, str]) -> FinalAnswers:
    """The union of the draft and the posted form; posted values win, empty means none."""
    merged = {**draft, **posted}
    scores: dict[int, int | None] = {}
    comments: dict[str, str] = {}
    grade = None
    for name, value in merged.items():
        if value == "":
            continue
        if name == GRADE:
            grade = int(value)
        elif name.startswith("q:"):
            text = value.strip()
            if text:
                comments[name[2:]] = text
        elif name.startswith("s"):
            scores[int(name[1:])] = None if value == DONT_KNOW else int(value)
    return FinalAnswers(scores=scores, comments=comments, grade=grade)


# --- Stale tabs (pure) --------------------------------------------------------------------


def draft_fingerprint(draft: Mapping[str, str]) -> str:
    """A short hash of the draft, "" when it is empty. The form carries the fingerprint of
    the draft it shows, so a post from a tab opened before later autosaves is recognised
    (a page without one, from before this field existed, counts as showing no draft)."""
    if not draft:
        return ""
    data = json.dumps(sorted(draft.items()), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:32]


def _same_answer(a: str, b: str) -> bool:
    # A browser's form post sends textarea newlines as CRLF, htmx sends them as typed (LF).
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


def overwritten(draft: Mapping[str, str], posted: Mapping[str, str]) -> list[str]:
    """The answers in the draft that the posted values would change or clear."""
    return sorted(k for k, v in posted.items() if k in draft and not _same_answer(draft[k], v))


def is_stale(draft: Mapping[str, str], posted: Mapping[str, str], fingerprint: str) -> bool:
    """The post comes from a form rendered before the draft last changed (another tab
    autosaved since) AND would change or clear an answer of that draft.

    Both are needed: an empty posted comment in a current form is a rater clearing it on
    purpose, which must stick; an outdated form that only adds answers, or repeats what the
    draft holds (its own autosave still on the way back), loses nothing.
    """
    return fingerprint != draft_fingerprint(draft) and bool(overwritten(draft, posted))


def answered_only(values: Mapping[str, str]) -> dict[str, str]:
    """The non-empty values: what a stale form may add to the draft it is shown over."""
    return {k: v for k, v in values.items() if v}
