"""The labelled set: big enough, balanced, and a floor under the fallback's scores.

bench/identifying.py reports the numbers (with deduce too); this keeps them from sliding
back unnoticed. The set was written by the same hands as the patterns: see comments.json.
"""

from feedback.identifying import check
from tests.identifying import labelled


def test_the_set_is_at_least_sixty_comments_half_of_them_identifying():
    _data, comments = labelled.load()
    assert len(comments) >= 60
    identifying = sum(bool(c.gold) for c in comments)
    assert abs(identifying - len(comments) / 2) <= 2
    for lang in ("nl", "en"):
        assert sum(c.lang == lang for c in comments) >= 30
    assert sum(c.split == "held-out" for c in comments) >= 30


def test_the_fallback_warns_where_it_should_and_not_elsewhere():
    data, comments = labelled.load()
    org = labelled.organisation(data)
    score = labelled.score(comments, lambda c: check.spans(c.text, c.lang, org))
    assert score.comment_precision >= 0.95, score.false_alarms
    assert score.comment_recall >= 0.95, score.misses
    assert score.span_precision >= 0.9, score.false_alarms
    assert score.span_recall >= 0.85, score.misses
