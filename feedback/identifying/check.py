"""The check itself: which words of a comment could give its writer (or someone else) away.

    spans(text, lang, org) -> list[Span]

Always the organisation's names (org_names) and the patterns (patterns); on top, where the
deduce checker process answers within its budget (deduce_checker), deduce's names, places
and dates, filtered with what this app knows better than a tool written for medical
records: a customer deduce takes for a person ("Philips", "Albert Heijn") is an account, a
month or weekday it takes for a name is none, the rated manager's own name is no giveaway,
and deduce is asked about Dutch text only (on English it mostly finds capitalised words).

Overlapping spans are merged into one, of the kind that says most (kinds.KINDS).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from feedback.identifying import patterns
from feedback.identifying.kinds import (
    ACCOUNT,
    DATE,
    EMAIL,
    KINDS,
    LINK,
    NUMBER,
    PERSON,
    PERSONAL,
    PHONE,
    PLACE,
    Span,
    fold,
    split_words,
)
from feedback.identifying.org_names import EVERYDAY_WORDS, OrgNames

# Asks deduce about a text: its spans (or None), or a function that waits for them (the
# check then runs the names and patterns while the checker process works).
Deduce = Callable[[str], object]

# --- Which language a comment is in ---------------------------------------------------------

_DUTCH = frozenset(
    split_words(
        "de het een en van is dat die niet ik je hij zij we wij ze met voor op aan er maar om"
        " ook als bij nog wel naar zou kan moet meer heeft hebben was wordt zijn mijn onze"
        " graag vaak altijd goed team klant klanten soms wat hoe waar"
    )
)
_ENGLISH = frozenset(
    split_words(
        "the a an and of is that it not i you he she we they with for on at but to also as"
        " by still would could should can must more has have was were be my our often"
        " always good team customer customers sometimes what how where"
    )
)
_WORD = re.compile(r"[a-z']+")


def language_of(text: str, default: str = "nl") -> str:
    """ "nl" or "en", by counting common words; `default` (the invitation's) on a tie."""
    words = _WORD.findall(text.lower())
    dutch = sum(w in _DUTCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if dutch == english:
        return default if default in ("nl", "en") else "nl"
    return "nl" if dutch > english else "en"


# --- deduce's spans, as this app reads them -------------------------------------------------

_NOT_NAMES = frozenset(
    patterns.MONTHS_NL + patterns.MONTHS_EN + patterns.WEEKDAYS_NL + patterns.WEEKDAYS_EN
) | {
    "manager",
    "teamleider",
    "directeur",
    "klant",
    "collega",
    "sales",
    "team",
    "q1",
    "q2",
    "q3",
    "q4",
    "crm",
    "kpi",
    "teams",
    "excel",
    "salesforce",
    "outlook",
    "hubspot",
    "zoom",
}
_PLACES = frozenset(fold(p) for p in patterns.PLACES)


def kind_of_tag(tag: str) -> str:
    """The kind of one of deduce's tags ("persoon", "locatie", "datum", ...)."""
    tag = tag.lower()
    for needle, kind in (
        ("patient", PERSON),
        ("persoon", PERSON),
        ("naam", PERSON),
        ("initia", PERSON),
        ("email", EMAIL),
        ("url", LINK),
        ("telefoon", PHONE),
        ("datum", DATE),
        ("leeftijd", PERSONAL),
        ("ziekenhuis", PLACE),
        ("instelling", ACCOUNT),
        ("locatie", PLACE),
        ("adres", PLACE),
        ("bsn", NUMBER),
        ("nummer", NUMBER),
        ("id", NUMBER),
    ):
        if needle in tag:
            return kind
    return PERSONAL


def deduce_spans(text: str, found: Iterable[tuple[int, int, str]], org: OrgNames) -> list[Span]:
    """deduce's annotations of `text` as spans, with what it gets wrong taken out."""
    spans = []
    for start, end, tag in found:
        if not (0 <= start < end <= len(text)):
            continue
        words = text[start:end]
        folded = fold(words).strip(" .,;:")
        kind = kind_of_tag(tag)
        if kind in (PERSON, PLACE, ACCOUNT):
            known = org.whole(words)
            if known == "excluded":
                continue  # the rated manager
            if known is not None:
                kind = known
            elif folded in _PLACES:
                kind = PLACE
            elif (
                folded in _NOT_NAMES
                or not any(c.isupper() for c in words)
                or kind == PERSON
                and folded in EVERYDAY_WORDS
                and words[:1].islower()
            ):
                continue
        spans.append(Span(start, end, kind))
    return spans


# --- The check ------------------------------------------------------------------------------

_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}


def merge(spans: Iterable[Span]) -> list[Span]:
    """One span for every run of overlapping spans, of the kind of the longest of them (an
    e-mail address that has a name in it is an e-mail address); on a tie, the kind that
    says most."""
    runs: list[list[Span]] = []
    end = -1
    for span in sorted(spans):
        if runs and span.start < end:
            runs[-1].append(span)
            end = max(end, span.end)
        else:
            runs.append([span])
            end = span.end
    merged = []
    for run in runs:
        main = min(run, key=lambda s: (s.start - s.end, _PRIORITY.get(s.kind, len(KINDS))))
        merged.append(Span(run[0].start, max(s.end for s in run), main.kind))
    return merged


# A sentence ends at . ! ? or a line break followed by white space.
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")


# Sentences whose spans are kept (per process), by a digest of the sentence: what is kept
# is where the spans are and their kinds, never a rater's words.
_KEPT = 4096
_kept: OrderedDict[tuple, tuple[Span, ...]] = OrderedDict()
_kept_lock = threading.Lock()


def _sentence_spans(sentence: str, org: OrgNames) -> tuple[Span, ...]:
    digest = hashlib.blake2b(sentence.encode(), digest_size=16).digest()
    key = (digest, org.generation, org.excluded)
    with _kept_lock:
        spans = _kept.get(key)
        if spans is not None:
            _kept.move_to_end(key)
            return spans
    spans = (*patterns.find(sentence), *org.find(sentence))
    with _kept_lock:
        _kept[key] = spans
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    return spans


def fallback_spans(text: str, org: OrgNames) -> list[Span]:
    """The organisation's names and the patterns, sentence by sentence, each sentence's
    spans kept for the next autosave: while a rater types, only the sentence being typed
    is checked again (a 4,000-character answer costs its full check once)."""
    found = []
    at = 0
    for end in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        sentence = text[at:end]
        if sentence.strip():
            spans = _sentence_spans(sentence, org)
            found += [Span(s.start + at, s.end + at, s.kind) for s in spans]
        at = end
    return found


def spans(
    text: str,
    lang: str,
    org: OrgNames,
    deduce: Deduce | None = None,
    deduce_languages: tuple[str, ...] = ("nl",),
) -> list[Span]:
    """The words of `text` that could give its writer or someone else away, merged and in
    order. `lang` is the language the rater was asked in (the text's own decides whether
    deduce is asked: `deduce_languages`); `deduce` asks the checker process (None: the
    fallback alone). Where deduce marks words the fallback marks too, the fallback's span
    and reason stand: it knows the organisation's names and the customers."""
    if not text or not text.strip():
        return []
    asked = None
    if deduce is not None and language_of(text, lang) in deduce_languages:
        asked = deduce(text)
    found = fallback_spans(text, org)
    if asked is not None:
        answer = asked() if callable(asked) else asked
        if answer:
            extra = deduce_spans(text, answer, org)
            found += [piece for span in extra for piece in _outside(text, span, found)]
    return merge(found)


_SMALL_WORDS = frozenset(split_words("van de der den het en of and from bij at the"))
_EDGE_WORD = re.compile(r"[\w'-]+|[^\w'-]+")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """`start`, `end` moved inwards past spaces, punctuation and small words ("van")."""
    parts = [(m.start() + start, m.end() + start) for m in _EDGE_WORD.finditer(text[start:end])]

    def edge(part: tuple[int, int]) -> bool:
        words = text[part[0] : part[1]]
        return (
            not words.strip(" ")
            or not any(c.isalnum() for c in words)
            or (words.lower() in _SMALL_WORDS)
        )

    while parts and edge(parts[0]):
        parts.pop(0)
    while parts and edge(parts[-1]):
        parts.pop()
    return (parts[0][0], parts[-1][1]) if parts else (start, start)


def _outside(text: str, span: Span, others: list[Span]) -> list[Span]:
    """The parts of `span` that no span of `others` covers, trimmed (`_trim`), with at
    least one capital: "meneer Pietersen van Philips" less the account "Philips" is
    "meneer Pietersen"; "Sanne Bakker van Albert Heijn" less both names is nothing."""
    pieces = [(span.start, span.end)]
    for other in others:
        pieces = [
            part
            for start, end in pieces
            for part in ((start, min(end, other.start)), (max(start, other.end), end))
            if part[0] < part[1]
        ]
    kept = []
    for start, end in pieces:
        start, end = _trim(text, start, end)
        if start < end and any(c.isupper() for c in text[start:end]):
            kept.append(Span(start, end, span.kind))
    return kept


def timed(function: Callable, *args) -> tuple[object, float]:
    """(what `function(*args)` returns, how long it took in seconds): for the benchmark."""
    began = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - began
