"""build_report end to end on the database, against hand-computed numbers."""

import dataclasses
import math
from datetime import date

import pytest
from flask_babel import force_locale

from feedback.models import RaterGroup, RoundStatus
from feedback.reports import builder, labels
from feedback.reports.model import ManagerReport
from feedback.reports.queries import RoundNorms
from tests.factories import (
    add_participant,
    add_rated_participant,
    add_response,
    make_rated_manager,
    make_round,
    statement_ids,
)

DR, PEER = RaterGroup.DIRECT_REPORT, RaterGroup.PEER


def plain_values(value):
    """Every leaf value in the report (dataclasses, tuples, dicts)."""
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from plain_values(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from plain_values(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from plain_values(item)
    else:
        yield value


def assert_absent(report: ManagerReport, *hidden: float):
    floats = [v for v in plain_values(report) if isinstance(v, float)]
    for value in hidden:
        assert not any(math.isclose(v, value, abs_tol=1e-9) for v in floats), value


def seed(db, participant, s1, s2, s3):
    add_response(
        db,
        participant,
        group="self",
        scores={s1: 4, s2: 5, s3: None},
        grade=8,
        comments={"continue": "I listen well"},
    )
    add_response(db, participant, group="supervisor", scores={s1: 3, s2: 3, s3: 3}, grade=7)
    add_response(
        db, participant, group=DR, scores={s1: 2, s2: 4, s3: None}, grade=6, comments={"start": "x"}
    )
    add_response(db, participant, group=DR, scores={s1: 4, s2: None, s3: None})
    add_response(db, participant, group=DR, scores={s1: 4, s2: 5, s3: 3}, grade=8)
    add_response(db, participant, group=DR, scores={s1: 5, s3: 1}, grade=9)
    add_response(
        db, participant, group=PEER, scores={s1: 1, s2: 2, s3: 3}, grade=5, comments={"stop": "y"}
    )
    add_response(db, participant, group=PEER, scores={s1: 5, s2: 5, s3: 5}, grade=7)


@pytest.fixture
def rated(db):
    rnd, participant, _links = make_rated_manager(db, status=RoundStatus.CLOSED)
    s1, s2, s3 = statement_ids(rnd)[:3]
    seed(db, participant, s1, s2, s3)
    other = add_rated_participant(db, rnd)
    for _ in range(3):
        add_response(db, other, group=DR, scores={s1: 1, s2: 1, s3: 1}, grade=2)
    return rnd, participant


def test_report_figures_by_hand(rated):
    rnd, participant = rated
    report = builder.build_report(rnd.id, participant.id, "en")
    assert report.manager_name == participant.person.name
    assert (report.round_name, report.threshold, report.lang) == (rnd.name, 3, "en")
    assert [leg.key for leg in report.legs] == [leg.key for leg in rnd.framework.legs]
    first = report.legs[0]
    assert first.name == rnd.framework.legs[0].name_en
    s1 = first.statements[0]
    assert s1.text == rnd.framework.legs[0].statements[0].text_en
    assert s1.group("self").mean == 4.0
    # Leg 1 has 4 statements; the direct report who answered only s1 (4, then "don't
    # know" twice) does not count for the leg, so not for s1 either: direct reports 2, 4, 5.
    # 3 direct reports and 2 peers: the direct reports are shown, the peers left out
    assert s1.group("direct_report").state == "visible"
    assert s1.group("direct_report").mean == pytest.approx(11 / 3)
    assert s1.group("peer").state == "suppressed" and s1.group("peer").mean is None
    assert s1.group("others").state == "not_applicable"
    # all_others = supervisor 3 + direct reports 2, 4, 5: n 4, mean 14/4 = 3.5
    assert s1.group("all_others").n == 4
    assert s1.group("all_others").mean == pytest.approx(3.5)
    assert s1.group("all_others").distribution == (0, 1, 1, 1, 1)
    assert s1.group("supervisor").distribution is None
    # s2: 2 direct reports and 2 peers: pooled, others = 4, 5, 2, 5: n 4, mean 4.0
    s2 = first.statements[1]
    assert s2.group("direct_report").state == "pooled"
    assert (s2.group("others").n, s2.group("others").mean) == (4, 4.0)
    s3 = first.statements[2]
    assert s3.group("self").state == "no_answers" and s3.group("self").n_dont_know == 1
    # s2 all_others: 3 + 4, 5 + 2, 5 = 19/5; s3: 3 + 3, 1 + 3, 5 = 15/5; s4: no answers.
    # leg: qualifying: supervisor, 3 direct reports (shown), 2 peers (left out): n 4; mean of
    # the visible statement means (3.5 + 3.8 + 3) / 3 = 10.3/3
    assert first.group("all_others").n == 4
    assert first.group("all_others").mean == pytest.approx(10.3 / 3)
    assert first.group("peer").state == "suppressed"
    assert first.group("self").mean == 4.5  # (4 + 5) / 2; s3 self only "don't know"
    assert report.legs[1].group("all_others").state == "no_answers"
    # grade: all_others (7 + 6 + 8 + 9) / 4 = 7.5 (the peers' 5 and 7 left out)
    assert report.grade_of("all_others").mean == pytest.approx(7.5)
    assert report.grade_of("self").mean == 8.0
    assert report.grade_of("direct_report").mean == pytest.approx(23 / 3)
    assert report.grade_of("peer").state == "suppressed"
    # hidden: the peers' grade 6.0, and every figure that would have included them
    # (s1 all_others 20/6; the grade all_others would be 7.0, also the supervisor's grade)
    assert_absent(report, 6.0, 20 / 6)


def test_derived_figures(rated):
    rnd, participant = rated
    report = builder.build_report(rnd.id, participant.id, "en")
    # all_others: s2 3.8, s1 3.5, s3 3.0 (3 visible statements, no overlap)
    assert [r.order for r in report.strengths] == [2, 1, 3]
    assert report.development_areas == ()
    # s2: self 5 - 3.8 = 1.2; leg 1: 4.5 - 10.3/3 = 1.07
    assert [(r.kind, r.order) for r in report.blind_spots] == [("statement", 2), ("leg", 1)]
    assert report.blind_spots[0].gap == pytest.approx(1.2)
    assert report.blind_spots[1].gap == pytest.approx(4.5 - 10.3 / 3)
    assert report.hidden_strengths == ()
    # SDs: s1 3,2,4,5: var (54 - 49) / 3 = 5/3, SD 1.291; s2 3,4,5,2,5: var
    # (79 - 72.2) / 4 = 1.7, SD 1.304; s3 3,3,1,3,5: var (53 - 45) / 4 = 2, SD 1.414;
    # leg: the mean of those SDs, 1.336 (over 1.2: a warning too)
    assert [(r.kind, r.order) for r in report.disagreements] == [
        ("statement", 1),
        ("statement", 2),
        ("statement", 3),
        ("leg", 1),
    ]
    leg_sd = (math.sqrt(5 / 3) + math.sqrt(1.7) + math.sqrt(2)) / 3
    assert report.legs[0].group("all_others").sd == pytest.approx(leg_sd)
    assert report.legs[0].statements[0].disagreement and report.legs[0].disagreement
    assert [p.leg_key for p in report.plan] == [rnd.framework.legs[0].key]
    assert report.plan[0].actions == tuple(rnd.framework.legs[0].actions_en)
    assert report.trend is None
    # two managers in the round: too few for a norm
    assert report.legs[0].statements[0].norm.mean is None


def test_cover_counts_comments_and_rules(rated):
    rnd, participant = rated
    report = builder.build_report(rnd.id, participant.id, "en")
    counts = {c.group: c for c in report.response_counts}
    assert (counts["self"].count, counts["supervisor"].count) == (1, 1)
    assert counts["direct_report"].count == 4 and not counts["direct_report"].left_out
    assert counts["peer"].count == 2 and counts["peer"].left_out
    assert "others" not in counts and counts["all_others"].count == 5
    sections = {s.question_key: s for s in report.comments}
    assert list(sections) == ["start", "stop", "continue"]
    assert sections["start"].question_text == rnd.framework.open_questions[0].text_en
    assert [(c.text, c.group) for c in sections["start"].comments] == [("x", "direct_report")]
    assert sections["stop"].comments == ()  # the left-out peers' comment is withheld
    assert [(c.text, c.group) for c in sections["continue"].comments] == [("I listen well", "self")]
    assert report.comments_withheld
    with force_locale("en"):
        rules = [labels.rule_text(rule) for rule in report.anonymity_rules]
    assert any(rule.startswith("Peers: fewer than 3 answered") for rule in rules)


def test_norms_passed_in_give_the_position(rated):
    rnd, participant = rated
    s1 = statement_ids(rnd)[0]
    leg = rnd.framework.legs[0]
    norms = RoundNorms(statements={s1: (3.0, 5)}, legs={leg.id: (3.5, 5)})
    report = builder.build_report(rnd.id, participant.id, "nl", norms=norms)
    norm = report.legs[0].statements[0].norm
    assert (norm.mean, norm.n_managers, norm.position) == (3.0, 5, "above")
    assert norm.difference == pytest.approx(3.5 - 3)
    assert report.legs[0].norm.position == "at"  # 10.3/3 - 3.5 = -0.07
    assert report.legs[0].name == leg.name_nl


def test_small_groups_are_suppressed_everywhere(db):
    rnd, participant, _links = make_rated_manager(db)
    s1, s2, s3 = statement_ids(rnd)[:3]
    add_response(db, participant, group="self", scores={s1: 3, s2: 3, s3: 3}, grade=7)
    add_response(db, participant, group="supervisor", scores={s1: 5, s2: 5, s3: 5}, grade=9)
    add_response(
        db, participant, group=DR, scores={s1: 1, s2: 1, s3: 2}, grade=4, comments={"stop": "a"}
    )
    add_response(
        db, participant, group=DR, scores={s1: 2, s2: 2, s3: 2}, grade=5, comments={"stop": "b"}
    )
    report = builder.build_report(rnd.id, participant.id, "nl")
    for item in (report.legs[0].statements[0], report.legs[0]):
        assert item.group("direct_report").state == "suppressed"
        assert item.group("all_others").state == "suppressed"
        assert item.group("supervisor").mean == 5.0
    assert report.grade_of("direct_report").state == "suppressed"
    # direct reports: 1.5 (s1, s2), s3 2, leg (1.5 + 1.5 + 2) / 3 = 5/3, grade 4.5;
    # all_others: s1 8/3, s2 8/3, s3 3, leg (8/3 + 8/3 + 3) / 3 = 25/9, grade 6.0
    assert_absent(report, 1.5, 5 / 3, 4.5, 8 / 3, 25 / 9, 6.0)
    counts = {c.group: c for c in report.response_counts}
    assert counts["direct_report"].count == 2 and counts["direct_report"].left_out
    assert report.comments_withheld
    assert all(not s.comments for s in report.comments)
    with force_locale("nl"):
        rules = [labels.rule_text(rule) for rule in report.anonymity_rules]
    assert any("weggelaten" in rule for rule in rules)
    assert report.strengths == () and report.blind_spots == () and report.plan == ()
    assert not any("2" in rule for rule in rules)


def test_trend_against_the_previous_matching_round(rated, db):
    rnd, participant = rated
    manager = participant.person
    earlier = make_round(
        db, status=RoundStatus.PUBLISHED, opens_on=date(2023, 1, 1), closes_on=date(2023, 2, 1)
    )
    prev_part = add_participant(db, earlier, manager)
    p1, p2, p3 = statement_ids(earlier)[:3]
    # Six then against four now: rater sets that differ by one would give no figures.
    for score in (1, 2, 2, 2, 2, 3):
        add_response(db, prev_part, group=DR, scores={p1: score, p2: score, p3: score})
    # a later closed round with other leg keys, and a later round still open: both skipped
    renamed = make_round(
        db, status=RoundStatus.CLOSED, opens_on=date(2024, 1, 1), closes_on=date(2024, 2, 1)
    )
    renamed.framework.legs[0].key = "renamed"
    db.session.commit()
    add_participant(db, renamed, manager)
    still_open = make_round(
        db, status=RoundStatus.OPEN, opens_on=date(2024, 3, 1), closes_on=date(2024, 4, 1)
    )
    add_participant(db, still_open, manager)

    report = builder.build_report(rnd.id, participant.id, "en")
    assert report.trend is not None
    assert report.trend.previous_round_id == earlier.id
    assert len(report.trend.legs) == 1  # the other legs had no answers in either round
    item = report.trend.legs[0]
    assert item.status == "change"  # the 90 % interval (0.25, 2.61) excludes zero
    assert (item.leg_key, item.previous_mean, item.previous_n) == ("teambuilder", 2.0, 6)
    assert item.current_mean == pytest.approx(10.3 / 3)
    assert item.delta == pytest.approx(10.3 / 3 - 2)


def test_bad_requests(rated, db):
    rnd, participant = rated
    other_rnd, _p, _links = make_rated_manager(db)
    with pytest.raises(builder.ReportNotFound):
        builder.build_report(other_rnd.id, participant.id, "en")
    with pytest.raises(ValueError):
        builder.build_report(rnd.id, participant.id, "de")


def test_report_holds_only_plain_values(rated):
    rnd, participant = rated
    report = builder.build_report(rnd.id, participant.id, "en")
    allowed = (str, int, float, bool, type(None), date)
    assert all(isinstance(v, allowed) for v in plain_values(report))


def test_empty_sections_say_why_on_the_page(db):
    rnd, participant, _links = make_rated_manager(db)
    s1, s2, s3 = statement_ids(rnd)[:3]
    add_response(db, participant, group="supervisor", scores={s1: 5, s2: 5, s3: 5}, grade=9)
    for score in (1, 2):
        add_response(db, participant, group=DR, scores={s1: score, s2: score, s3: score})
    report = builder.build_report(rnd.id, participant.id, "en")
    from feedback.reports.view import render_report, report_view

    html = render_report("reports/_highlights.html", report_view(report, pdf=False))
    assert "Too few answers to rank strengths: 2 of the 3 needed." in html
    assert "Too few answers to rank blind spots: 2 of the 3 needed." in html
    assert "None." not in html
    add_response(db, participant, group=DR, scores={s1: 3, s2: 3, s3: 3})
    with_others = builder.build_report(rnd.id, participant.id, "en")
    html = render_report("reports/_highlights.html", report_view(with_others, pdf=True))
    assert "No self-assessment: blind spots compare your view with others&#39;." in html
    assert "No self-assessment: hidden strengths compare" in html
    assert "None." not in html
