"""A round's framework as the survey reads it: plain data, loaded once per process.

Every request of a rater needs the legs, statements and open questions of the round's
framework: the page shows them, an autosave checks one answer against them. Loading them
as ORM objects (about 40, with JSON columns) on every request was most of an autosave's
cost, so each process keeps them, by (round id, framework id), as the frozen data below.

That is safe because that data cannot change while raters answer: a round's framework is its
own copy, made when the round is created (feedback/admin/creation.py, copy_framework), no
code edits a framework's legs, statements or open questions afterwards, and a round's
framework id is set once. The survey reads only open rounds, and the cache is per app (tests
that build a new database get a new app, and so an empty cache).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import sqlalchemy as sa
from flask import current_app

from feedback.extensions import db
from feedback.models import Leg, OpenQuestion, Statement
from feedback.models.framework import _Worded

_CACHE = "survey_outlines"
MAX_CACHED = 256  # rounds per process; past it, the cache starts again


@dataclass(frozen=True, eq=False)
class Item(_Worded):
    """A statement or open question: what `_Worded` needs for its texts, and its id/key."""

    id: int
    key: str
    text_nl: str
    text_en: str
    forms: Mapping | None


@dataclass(frozen=True, eq=False)
class LegOutline:
    name_nl: str
    name_en: str
    description_nl: str
    description_en: str
    statements: tuple[Item, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_nl

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_nl


@dataclass(frozen=True, eq=False)
class Outline:
    """The parts of a framework the survey uses, in page order (as the ORM orders them)."""

    framework_id: int
    legs: tuple[LegOutline, ...]
    open_questions: tuple[Item, ...]

    @cached_property
    def statements(self) -> tuple[Item, ...]:
        return tuple(s for leg in self.legs for s in leg.statements)

    @cached_property
    def statement_ids(self) -> frozenset[int]:
        return frozenset(s.id for s in self.statements)

    @cached_property
    def question_keys(self) -> frozenset[str]:
        return frozenset(q.key for q in self.open_questions)


def _item(row) -> Item:
    return Item(row.id, row.key, row.text_nl, row.text_en, row.forms)


def load_outline(framework_id: int) -> Outline:
    """The framework's legs, statements and open questions, in three Core queries."""
    legs = db.session.execute(
        sa.select(Leg.id, Leg.name_nl, Leg.name_en, Leg.description_nl, Leg.description_en)
        .where(Leg.framework_id == framework_id)
        .order_by(Leg.position, Leg.id)
    ).all()
    by_leg: dict[int, list[Item]] = {leg.id: [] for leg in legs}
    for row in db.session.execute(
        sa.select(
            Statement.id,
            Statement.leg_id,
            Statement.key,
            Statement.text_nl,
            Statement.text_en,
            Statement.forms,
        )
        .join(Leg, Leg.id == Statement.leg_id)
        .where(Leg.framework_id == framework_id)
        .order_by(Statement.position, Statement.id)
    ):
        by_leg[row.leg_id].append(_item(row))
    questions = db.session.execute(
        sa.select(
            OpenQuestion.id,
            OpenQuestion.key,
            OpenQuestion.text_nl,
            OpenQuestion.text_en,
            OpenQuestion.forms,
        )
        .where(OpenQuestion.framework_id == framework_id)
        .order_by(OpenQuestion.position, OpenQuestion.id)
    ).all()
    return Outline(
        framework_id=framework_id,
        legs=tuple(
            LegOutline(
                leg.name_nl,
                leg.name_en,
                leg.description_nl or "",
                leg.description_en or "",
                tuple(by_leg[leg.id]),
            )
            for leg in legs
        ),
        open_questions=tuple(_item(q) for q in questions),
    )


def outline_of(round_id: int, framework_id: int) -> Outline:
    """The round's outline, from this process's cache (loaded on first use)."""
    cache = current_app.extensions.setdefault(_CACHE, {})
    key = (round_id, framework_id)
    found = cache.get(key)
    if found is None:
        if len(cache) >= MAX_CACHED:
            cache.clear()
        found = cache[key] = load_outline(framework_id)
    return found
