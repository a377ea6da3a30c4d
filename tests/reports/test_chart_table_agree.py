"""The chart beside a table shows the same figures as the table, rounded the one way
(numbers.rounded, half up on the number as written): a mean of exactly 4.25 is "4,3" in
the bars' labels and in the cells alike, never "4,2" in one of them (Python's round() gives
4.2 for 4.25, which is how the two once disagreed)."""

import re
from html import unescape

from feedback.models import RaterGroup, RoundStatus
from tests.factories import (
    add_participant,
    add_response,
    make_person,
    make_round,
    make_user,
    statement_ids,
)

CHART_VALUE = re.compile(r"<text[^>]*>(\d+[,.]\d)\s+n=(\d+)</text>")
TABLE_VALUE = re.compile(r'data-label="[^"]+"[^>]*>(\d+[,.]\d)<span class="n">n=(\d+)</span>')


def test_bars_and_cells_show_the_same_rounded_figures(client, auth, db):
    manager = make_person(db, name="Ruud Rond", role="manager", language="nl")
    rnd = make_round(db, status=RoundStatus.PUBLISHED, threshold=3)
    part = add_participant(db, rnd, manager)
    ids = statement_ids(rnd)
    add_response(db, part, group="self", scores=dict.fromkeys(ids, 5))
    add_response(db, part, group="supervisor", scores=dict.fromkeys(ids, 3))
    for score in (4, 4, 4, 5):  # direct reports: 4.25 on every statement and leg
        add_response(db, part, group=RaterGroup.DIRECT_REPORT, scores=dict.fromkeys(ids, score))
    auth.login_as(make_user(db, role="manager", person=manager))

    html = unescape(client.get(f"/reports/{part.id}?tab=legs").get_data(as_text=True))
    in_charts = CHART_VALUE.findall(html)
    in_tables = set(TABLE_VALUE.findall(html))
    assert ("4,3", "4") in in_charts and ("4,3", "4") in in_tables
    assert ("4,0", "5") in in_tables  # all others: (3 + 17) / 5
    assert not any(mean == "4,2" for mean, _n in [*in_charts, *in_tables])
    missing = [value for value in in_charts if value not in in_tables]
    assert not missing, f"figures in a chart that no table shows: {missing}"
