"""feedback/db.py's query helpers: the one way to search text and the one way to page."""

import pytest
import sqlalchemy as sa

from feedback.db import MAX_PAGE, contains, paginate
from feedback.models import Person
from tests.factories import make_person

NAMES = ("100% Anna", "Bert_Bos", "Cees\\Cor", "Dirk Delta", "Eva Eik")


@pytest.fixture
def people(db):
    for number, name in enumerate(NAMES):
        make_person(db, name=name, email=f"p{number}@example.test")
    db.session.commit()


def names(db, text):
    query = sa.select(Person.name).where(contains(Person.name, text)).order_by(Person.name)
    return list(db.session.scalars(query))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%", ["100% Anna"]),
        ("_", ["Bert_Bos"]),
        ("\\", ["Cees\\Cor"]),
        ("/", []),
        ("t_b", ["Bert_Bos"]),
        ("k_d", []),  # as a pattern, "_" would match the space in "Dirk Delta"
        ("DELTA", ["Dirk Delta"]),
    ],
)
def test_contains_is_a_literal_case_insensitive_search(db, people, text, expected):
    assert names(db, text) == expected


def test_paginate_counts_pages_and_never_fails_on_a_page_number(db, people):
    query = sa.select(Person).order_by(Person.name)
    first = paginate(query, 1, 2)
    assert [p.name for p in first.items] == ["100% Anna", "Bert_Bos"]
    assert (first.total, first.pages, first.has_next, first.has_prev) == (5, 3, True, False)
    last = paginate(query, 3, 2)
    assert [p.name for p in last.items] == ["Eva Eik"]
    assert not last.has_next
    assert paginate(query, 0, 2).page == 1
    assert paginate(query, -5, 2).items == first.items
    beyond = paginate(query, 10**12, 2)
    assert (beyond.page, beyond.items, beyond.has_next) == (MAX_PAGE, [], False)
    assert len(paginate(query, 1, 500).items) == 5  # per_page is the caller's, not capped
