"""The labelled comments (comments.json) and how a checker scores on them.

Two views, both as precision and recall:

- per comment: does the page warn (any span) where it should (the comment has a labelled
  detail)? That is what the rater sees.
- per span: a labelled detail is found when a marked span overlaps it; a marked span is
  right when it overlaps a labelled detail.

Shared by tests/identifying/test_identifying_labelled.py and bench/identifying.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from feedback.identifying import org_names
from feedback.identifying.kinds import Span

DATA = Path(__file__).with_name("comments.json")


@dataclass(frozen=True)
class Comment:
    lang: str
    text: str
    gold: tuple[tuple[int, int, str], ...]  # (start, end, kind) of each labelled detail
    split: str  # "tuning" (written with the patterns) or "held-out" (written after)


def load(path: Path = DATA) -> tuple[dict, list[Comment]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    comments = []
    for item in data["comments"]:
        gold, text = [], item["text"]
        for words, kind in item["spans"]:  # every time the words occur
            start = text.index(words)
            while start >= 0:
                gold.append((start, start + len(words), kind))
                start = text.find(words, start + 1)
        comments.append(Comment(item["lang"], text, tuple(sorted(gold)), item["split"]))
    return data, comments


def organisation(data: dict) -> org_names.OrgNames:
    """The set's organisation with its rated manager left out, as the survey does."""
    people = list(enumerate(data["people"], start=1))
    manager = next(i for i, name in people if name == data["manager"])
    return org_names.build(people, data["accounts"]).without(manager)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Score:
    comments_tp: int = 0
    comments_fp: int = 0
    comments_fn: int = 0
    comments_tn: int = 0
    spans_marked: int = 0
    spans_marked_right: int = 0
    spans_gold: int = 0
    spans_gold_found: int = 0
    misses: list[str] = field(default_factory=list)  # labelled details not found
    false_alarms: list[str] = field(default_factory=list)  # marked words not labelled

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def comment_precision(self) -> float:
        return self._ratio(self.comments_tp, self.comments_tp + self.comments_fp)

    @property
    def comment_recall(self) -> float:
        return self._ratio(self.comments_tp, self.comments_tp + self.comments_fn)

    @property
    def span_precision(self) -> float:
        return self._ratio(self.spans_marked_right, self.spans_marked)

    @property
    def span_recall(self) -> float:
        return self._ratio(self.spans_gold_found, self.spans_gold)

    def as_dict(self) -> dict:
        return {
            "comment_precision": round(self.comment_precision, 3),
            "comment_recall": round(self.comment_recall, 3),
            "span_precision": round(self.span_precision, 3),
            "span_recall": round(self.span_recall, 3),
            "comments": {
                "tp": self.comments_tp,
                "fp": self.comments_fp,
                "fn": self.comments_fn,
                "tn": self.comments_tn,
            },
            "spans": {
                "marked": self.spans_marked,
                "marked_right": self.spans_marked_right,
                "labelled": self.spans_gold,
                "labelled_found": self.spans_gold_found,
            },
            "misses": self.misses,
            "false_alarms": self.false_alarms,
        }


def score(comments: list[Comment], check: Callable[[Comment], list[Span]]) -> Score:
    result = Score()
    for comment in comments:
        marked = check(comment)
        gold = [(s, e) for s, e, _kind in comment.gold]
        if marked and gold:
            result.comments_tp += 1
        elif marked:
            result.comments_fp += 1
        elif gold:
            result.comments_fn += 1
        else:
            result.comments_tn += 1
        result.spans_marked += len(marked)
        for span in marked:
            if any(_overlaps((span.start, span.end), g) for g in gold):
                result.spans_marked_right += 1
            else:
                words = comment.text[span.start : span.end]
                result.false_alarms.append(f"{words!r} ({span.kind}) in {comment.text!r}")
        result.spans_gold += len(gold)
        for start, end, kind in comment.gold:
            if any(_overlaps((s.start, s.end), (start, end)) for s in marked):
                result.spans_gold_found += 1
            else:
                result.misses.append(f"{comment.text[start:end]!r} ({kind}) in {comment.text!r}")
    return result
