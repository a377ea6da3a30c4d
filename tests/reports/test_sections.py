"""The report's sections as a reader gets them: blind spots with their rule, plan reasons,
where the norm comes from, legends, the manager's own comments, the change since the
previous round. Rendered through the test client (web page) or the view (what the PDF
gets too)."""

import re
from datetime import date
from html import unescape

from feedback.models import RaterGroup, Round, RoundStatus
from feedback.reports import aggregation as agg
from feedback.reports import builder
from feedback.reports.pdf_report import pdf_html
from feedback.reports.view import render_report, report_view
from tests.factories import (
    add_participant,
    add_rated_participant,
    add_response,
    make_person,
    make_round,
    make_user,
    statement_ids,
)
from tests.reports.test_routes import rate, world  # noqa: F401  (the fixture)

DR, PEER = RaterGroup.DIRECT_REPORT, RaterGroup.PEER


def page(client, auth, world, who, part, tab):  # noqa: F811
    auth.login_as(world.users[who])
    html = client.get(f"/reports/{world.ids[part]}?tab={tab}").get_data(as_text=True)
    return unescape(html)


def section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


# --- 1. Blind spots and hidden strengths --------------------------------------------------


def test_blind_spots_say_their_rule_and_list_legs_apart(client, auth, world):  # noqa: F811
    # self 5, all others 3.6 on every statement and leg: every one is a blind spot (+1.4)
    html = page(client, auth, world, "bert", "bert_published", "overview")
    assert "Your own score at least 1.0 above others' — the 5 largest gaps" in html
    assert "Your own score at least 1.0 below others' — the 5 largest gaps" in html
    spots = section(html, "<h3>Blind spots</h3>", "</section>")
    assert spots.count("<li>") == 5  # the five largest (ties in report order), statements only
    assert "Leg:" not in spots
    assert "Self 5.0 · All others 3.6 (n=5) · Difference +1.4" in " ".join(spots.split())
    legs = section(html, "<h3>Blind spots among the legs</h3>", "</section>")
    assert legs.count("<li>") == 5 and legs.count("Leg:") == 5
    assert "Hidden strengths among the legs" not in html  # no leg list when it is empty


def test_blind_spot_rule_in_dutch(client, auth, world):  # noqa: F811
    html = page(client, auth, world, "anne", "anne_published", "overview")
    assert (
        "Je eigen score minstens 1,0 hoger dan die van anderen — de 5 grootste verschillen" in html
    )
    assert "Blinde vlekken bij de poten" in html


# --- 2. Plan suggestions by their real reason ------------------------------------------------


def test_plan_reasons_say_rank_and_reason(client, auth, world):  # noqa: F811
    html = page(client, auth, world, "bert", "bert_published", "plan")
    # every leg: all others 3.6, self 5.0: the two lowest tie, the blind spots tie
    assert html.count("your lowest leg in others' view") == 2
    assert "your largest blind spot: you rate yourself 1.4 higher than others do" in html
    assert "lowest score" not in html
    dutch = page(client, auth, world, "anne", "anne_published", "plan")
    assert "volgens anderen je laagste poot" in dutch
    assert "je grootste blinde vlek: je geeft jezelf 1,4 punt meer dan anderen je geven" in dutch


# --- 3. The norm says how many managers it comes from -----------------------------------------


def test_no_norm_says_why(client, auth, world):  # noqa: F811
    # two managers in the round: too few for a norm
    for tab in ("legs", "overview"):
        html = page(client, auth, world, "bert", "bert_published", tab)
        assert html.count("no norm: fewer than 3 managers in this round could be compared") >= 6
        assert "norm of" not in html
    dutch = page(client, auth, world, "anne", "anne_published", "legs")
    assert "geen norm: minder dan 3 managers in deze ronde waren te vergelijken" in dutch


def test_norm_says_how_many_managers(client, auth, world, db):  # noqa: F811
    rnd = db.session.get(Round, world.rounds["published"])
    rate(db, add_rated_participant(db, rnd, name="Carla Manager"), rnd)
    for tab in ("legs", "overview"):
        html = page(client, auth, world, "bert", "bert_published", tab)
        assert (
            html.count("(norm of 3 managers in this round)" if tab == "legs" else "norm of 3") >= 6
        )
        assert "no norm:" not in html
    dutch = page(client, auth, world, "anne", "anne_published", "legs")
    assert "norm van 3 managers in deze ronde" in dutch


def test_norm_note_in_the_pdf_view(world, db):  # noqa: F811
    report = builder.build_report(world.rounds["published"], world.ids["bert_published"], "en")
    html = unescape(pdf_html(report_view(report, pdf=True)))
    assert "no norm: fewer than 3 managers in this round could be compared" in html


# --- 4. Legends list only the groups drawn ---------------------------------------------------


def test_legend_has_no_group_without_a_bar(db):
    manager = make_person(db, name="Dora Manager", role="manager", language="en")
    rnd = make_round(db, status=RoundStatus.PUBLISHED)
    part = add_participant(db, rnd, manager)
    ids = statement_ids(rnd)
    add_response(db, part, group="self", scores=dict.fromkeys(ids, 4), grade=7)
    add_response(db, part, group="supervisor", scores=dict.fromkeys(ids, 3), grade=7)
    for _ in range(3):  # direct reports who only gave a grade: a column, never a bar
        add_response(db, part, group=DR, grade=6)
    view = report_view(builder.build_report(rnd.id, part.id, "en"), pdf=False)
    assert agg.DIRECT_REPORT in [c.key for c in view.columns]
    legend = [c.key for c in view.legend]
    assert agg.DIRECT_REPORT not in legend and "norm" not in legend  # no norm: one manager
    for key in legend:
        assert any(leg.group(key).visible for leg in view.report.legs), key
    html = render_report("reports/_legs_overview.html", view)
    assert "g-direct_report" not in html and "g-norm" not in html
    assert "swatch g-self" in html and "swatch g-supervisor" in html


def test_legend_shows_the_norm_when_one_is_drawn(world, db):  # noqa: F811
    rnd = db.session.get(Round, world.rounds["published"])
    rate(db, add_rated_participant(db, rnd), rnd)
    report = builder.build_report(rnd.id, world.ids["bert_published"], "en")
    assert "norm" in [c.key for c in report_view(report, pdf=False).legend]


# --- 5. The manager's own comments in their own box -------------------------------------------


def test_own_comments_apart_from_others(client, auth, db):
    anne = make_person(db, name="Anne Comments", role="manager", language="en")
    rnd = make_round(db, status=RoundStatus.PUBLISHED)
    part = add_participant(db, rnd, anne)
    ids = statement_ids(rnd)
    add_response(db, part, group="self", scores=dict.fromkeys(ids, 4), comments={"start": "Mine"})
    for n in range(4):
        add_response(db, part, group=DR, scores=dict.fromkeys(ids, 3), comments={"start": f"C{n}"})
    report = builder.build_report(rnd.id, part.id, "en")
    auth.login_as(make_user(db, role="manager", person=anne))
    html = unescape(client.get(f"/reports/{part.id}?tab=comments").get_data(as_text=True))
    own = section(html, '<aside class="own-comments">', "</aside>")
    assert "Your own comments" in own and "Mine" in own
    others = section(html, '<ul class="comments">', "</ul>")
    assert "Mine" not in others and "Self" not in others
    # others' comments keep the order select_comments gave them (their random ids)
    expected = [c.text for c in report.comments[0].comments if c.group != "self"]
    assert re.findall(r"<li>(C\d)", others) == expected


def test_no_own_box_without_own_comments(client, auth, world):  # noqa: F811
    html = page(client, auth, world, "bert", "bert_published", "comments")
    assert "own-comments" not in html and "Your own comments" not in html
    assert "Comment 2" in html


# --- 6. Change since the previous round --------------------------------------------------------


def two_rounds(db, before_scores, now_scores):
    """A manager rated by direct reports in an earlier and a later round (one list of scores
    per rater, every statement the same score)."""
    anne = make_person(db, name="Anne Trend", role="manager", language="en")
    earlier = make_round(
        db,
        name="Autumn 2025",
        status=RoundStatus.PUBLISHED,
        opens_on=date(2025, 9, 1),
        closes_on=date(2025, 9, 30),
    )
    later = make_round(
        db,
        name="Spring 2026",
        status=RoundStatus.PUBLISHED,
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 3, 31),
    )
    parts = {}
    for key, rnd, scores in (("before", earlier, before_scores), ("now", later, now_scores)):
        parts[key] = add_participant(db, rnd, anne)
        for score in scores:
            ids = statement_ids(rnd)
            add_response(db, parts[key], group=DR, scores=dict.fromkeys(ids, score))
    return anne, parts["now"]


def trend_html(client, auth, db, anne, now):
    auth.login_as(make_user(db, role="manager", person=anne))
    html = unescape(client.get(f"/reports/{now.id}").get_data(as_text=True))
    return " ".join(section(html, "Change since the previous round", "</table>").split())


def test_trend_no_comparison_when_the_groups_differ_by_one(client, auth, db):
    anne, now = two_rounds(db, [2, 3, 3], [4, 4, 5, 5])  # 3 raters, then 4
    html = trend_html(client, auth, db, anne, now)
    assert html.count("no comparison: the groups differ by one rater") == 6
    for figure in ("2.7", "4.5", "+1.8", "+1.9"):
        assert figure not in html
    legs = unescape(client.get(f"/reports/{now.id}?tab=legs").get_data(as_text=True))
    assert "no comparison: the groups differ by one rater" in legs and "2.7 →" not in legs


def test_trend_no_clear_change(client, auth, db):
    # before 1, 3, 5 (mean 3, sd 2), now 1, 3, 4, 5, 5 (mean 3.6, sd 1.67): 0.6 is noise
    anne, now = two_rounds(db, [1, 3, 5], [1, 3, 4, 5, 5])
    html = trend_html(client, auth, db, anne, now)
    assert html.count("no clear change</td>") == 6
    assert "3.0" in html and "3.6" in html and "+0.6" not in html


def test_trend_clear_change(client, auth, db):
    # before 2, 3, 3 (mean 2.67), now 4, 4, 5 (mean 4.33), sd 0.58 each: +1.7 is clear
    anne, now = two_rounds(db, [2, 3, 3], [4, 4, 5])
    html = trend_html(client, auth, db, anne, now)
    assert html.count('<td class="num delta-up">+1.7</td>') == 6
    assert "no clear change</td>" not in html
    assert "no comparison" not in html


def test_trend_names_the_previous_round_and_both_figures(client, auth, db):
    # all others per leg: before (2 + 3 + 3) / 3 = 2.67, now (3 + 4 + 4) / 3 = 3.67
    anne, now = two_rounds(db, [2, 3, 3], [3, 4, 4])
    auth.login_as(make_user(db, role="manager", person=anne))
    html = client.get(f"/reports/{now.id}").get_data(as_text=True)
    assert "Change since the previous round" in html and "Autumn 2025" in html
    assert "2.7" in html and "3.7" in html and "+1.0" in html


def test_radar_caption_names_the_norm_only_when_drawn(client, auth, world, db):  # noqa: F811
    html = page(client, auth, world, "bert", "bert_published", "overview")
    assert "the blue line how you see yourself. Further out" in html
    assert "dashed line the organisation norm" not in html
    rnd = db.session.get(Round, world.rounds["published"])
    rate(db, add_rated_participant(db, rnd), rnd)
    html = page(client, auth, world, "bert", "bert_published", "overview")
    assert "dashed line the organisation norm" in html
