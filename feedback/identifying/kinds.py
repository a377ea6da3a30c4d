"""What a marked span is: `Span`, the kinds of detail, and the reason the rater reads for each.

A kind is a short word that the checkers agree on; `reason(kind)` is the text next to the
highlighted words, in the page's language (the one catalogue).
"""

import unicodedata
from typing import NamedTuple

from flask_babel import lazy_gettext as _l


class Span(NamedTuple):
    """Characters `start` to `end` (exclusive) of the checked text are a detail of `kind`.
    (A named tuple: sorting and comparing thousands of them stays cheap.)"""

    start: int
    end: int
    kind: str


NAME = "name"  # someone in the organisation (the people table)
PERSON = "person"  # a person's name that is not in the organisation's list (deduce)
ACCOUNT = "account"  # a customer or account (the configured list, or deduce's institutions)
EMAIL = "email"
PHONE = "phone"
LINK = "link"
NUMBER = "number"  # an identifying number (deduce: a BSN, a patient number)
DATE = "date"
TIME = "time"  # a moment: "vorige week", "yesterday", "om 9 uur"
PLACE = "place"
PERSONAL = "personal"  # health, family, "the only one in the team who ..."

# Where two kinds mark the same words, the first one here wins (it says more).
KINDS = (NAME, ACCOUNT, PERSON, EMAIL, PHONE, LINK, NUMBER, DATE, TIME, PLACE, PERSONAL)

_REASONS = {
    NAME: _l("a name of someone in your organisation"),
    PERSON: _l("a name of a person"),
    ACCOUNT: _l("a customer or account name"),
    EMAIL: _l("an e-mail address"),
    PHONE: _l("a phone number"),
    LINK: _l("a web address"),
    NUMBER: _l("a number that could identify someone"),
    DATE: _l("a date"),
    TIME: _l("a moment that could be looked up"),
    PLACE: _l("a place"),
    PERSONAL: _l("a personal detail that few people share"),
}


def split_words(text: str, sep: str | None = None) -> list[str]:
    """The words of a literal list ("januari februari ...", one per space, or per `sep`),
    stripped, none empty."""
    return [word.strip() for word in text.split(sep) if word.strip()]


def reason(kind: str) -> str:
    """The short reason shown next to a span of this kind."""
    return _REASONS.get(kind, _REASONS[PERSONAL])


class _FoldTable(dict):
    """str.translate's table for fold, filled in as characters come along."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[:1] or char
        low = base.lower()
        self[code] = folded = low if len(low) == 1 else base
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower case without accents, character for character: the result has the length of
    `text`, so a match in it is a match at the same place in `text` ("Zoë" -> "zoe")."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)
