"""What the survey's autosave asks: a note for each open answer it saved.

    g.identifying_notes = survey.notes(invitation, saved_values)  # the autosave view
    # survey/_save_state.html swaps them in next to each comment field

Every open answer in `values` gets a note, an empty one when nothing in it could give the
writer away (that clears an earlier warning). Nothing about a note is stored or logged:
it is computed from the text in the request and goes back in the response.

This never stands in the way of saving or sending: any failure here is logged (without the
text) and the autosave answers as if the comment were fine. The cost is bounded: the
fallback check is well under a millisecond, and deduce's checker is given
IDENTIFYING_BUDGET_MS at most (tests/identifying/test_identifying_http.py measures it).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app

from feedback.identifying import check, deduce_checker, org_names
from feedback.identifying.kinds import Span, reason

log = logging.getLogger(__name__)

QUESTION_PREFIX = "q:"  # feedback/survey/answers.py question_field
CONTEXT = 40  # characters shown either side of a marked span


@dataclass(frozen=True)
class Piece:
    text: str
    kind: str | None = None  # None: plain text between marks

    @property
    def reason(self) -> str:
        return reason(self.kind) if self.kind else ""


@dataclass
class Note:
    """The warning for one open answer: the marked excerpt and a reason per marked span."""

    field: str
    text: str = ""
    spans: list[Span] = field(default_factory=list)

    @property
    def element_id(self) -> str:
        return element_id(self.field)

    @property
    def digest(self) -> str:
        """The same marked words give the same id: the page keeps a note the rater chose to
        keep (hx-preserve) until the marked words change."""
        marked = "\x00".join(f"{s.kind}:{self.text[s.start : s.end].lower()}" for s in self.spans)
        return hashlib.sha256(f"{self.field}\x00{marked}".encode()).hexdigest()[:16]

    @property
    def pieces(self) -> list[Piece]:
        """The text around the marks, cut to CONTEXT characters either side ("…")."""
        pieces: list[Piece] = []
        at = 0
        for span in self.spans:
            gap = self.text[at : span.start]
            if at == 0 and len(gap) > CONTEXT:
                gap = "…" + gap[-CONTEXT:]
            elif len(gap) > 2 * CONTEXT:
                gap = gap[:CONTEXT] + " … " + gap[-CONTEXT:]
            if gap:
                pieces.append(Piece(gap))
            pieces.append(Piece(self.text[span.start : span.end], span.kind))
            at = span.end
        tail = self.text[at:]
        if len(tail) > CONTEXT:
            tail = tail[:CONTEXT] + "…"
        if tail:
            pieces.append(Piece(tail))
        return pieces

    @property
    def reasons(self) -> list[Piece]:
        """Each marked word once, with its reason, in the order of the text."""
        seen, items = set(), []
        for span in self.spans:
            words = self.text[span.start : span.end]
            key = (words.lower(), span.kind)
            if key not in seen:
                seen.add(key)
                items.append(Piece(words, span.kind))
        return items


def element_id(field_name: str) -> str:
    """The DOM id of a question's note (next to its save state: state-q-start)."""
    return "identifying-" + field_name.replace(":", "-")


def _deduce():
    """How to ask the checker within the budget, or None when it is switched off."""
    config = current_app.config
    mode = config["IDENTIFYING_CHECKER"]
    if mode == "off":
        return None
    path = deduce_checker.socket_path(current_app)
    budget = config["IDENTIFYING_BUDGET_MS"] / 1000

    def ask(text: str):
        waiting = deduce_checker.ask_later(path, text, budget)

        def answer():
            found = waiting()
            if found is None and mode == "auto":
                idle = config["IDENTIFYING_CHECKER_IDLE_SECONDS"]
                deduce_checker.start_in_background(path, idle)
            return found

        return answer

    return ask


def notes(invitation, values: Mapping[str, str]) -> list[Note]:
    """A note for every open answer in `values` (validated answers of the autosave)."""
    fields = [name for name in values if name.startswith(QUESTION_PREFIX)]
    if not fields:
        return []
    try:
        manager = invitation.participant.person_id
        org = org_names.current().without(manager)
        ask = _deduce()
        lang = invitation.language
        return [
            Note(name, values[name], check.spans(values[name], lang, org, ask)) for name in fields
        ]
    except Exception:  # never in the way of an autosave; the text is not logged
        log.exception("The identifying check failed; the autosave goes on without it")
        return [Note(name) for name in fields]
