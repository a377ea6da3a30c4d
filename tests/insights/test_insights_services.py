"""The round-wide figures against build_report, the heat map, the development-area rule."""

import math

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from feedback.insights import figures, overview
from feedback.reports import aggregation as agg
from feedback.reports import numbers, queries
from feedback.reports.builder import build_report
from tests.factories import add_rated_participant, add_response


def _reports(rnd, lang="nl"):
    norms = queries.round_norms(rnd.id, rnd.framework_id, rnd.threshold)
    return {
        p.id: build_report(rnd.id, p.id, lang, norms=norms)
        for p in rnd.participants  # the five managers
    }


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_figure_equals_build_report(seeded, lang):
    """Same GroupStats (state, n, mean, sd, distribution) for every leg, statement and group,
    and the same norms: the exports and the overview cannot drift from the reports."""
    results = figures.round_results(seeded.rnd, lang, with_statements=True)
    reports = _reports(seeded.rnd, lang)
    assert [m.name for m in results.managers] == [
        "Anna Alpha",
        "Bert Beta",
        "Cees Gamma",
        "Dirk Delta",
        "Eva Epsilon",
    ]
    for manager in results.managers:
        report = reports[manager.participant_id]
        for leg in report.legs:
            assert manager.legs[leg.key] == leg.groups
            assert results.leg_norms[leg.key] == leg.norm.mean
            for st in leg.statements:
                assert manager.statements[st.id] == st.groups
                assert results.statement_norms[st.id] == st.norm.mean


def test_hand_computed_figures(seeded):
    results = figures.round_results(seeded.rnd, "nl")
    by_name = {m.name: m for m in results.managers}
    leg1, leg2 = seeded.leg1.key, seeded.leg2.key

    anna = by_name["Anna Alpha"]
    assert agg.stat_of(anna.legs[leg1], "all_others").mean == pytest.approx(3.0)
    assert agg.stat_of(anna.legs[leg1], "all_others").n == 4
    assert agg.stat_of(anna.legs[leg2], "direct_report").mean == pytest.approx(13 / 3)
    assert agg.stat_of(anna.legs[leg1], "self").mean == pytest.approx(5.0)

    bert = by_name["Bert Beta"]
    assert agg.stat_of(bert.legs[leg1], "all_others").state == agg.SUPPRESSED
    assert agg.stat_of(bert.legs[leg1], "direct_report").mean is None
    assert agg.stat_of(bert.legs[leg1], "supervisor").mean == pytest.approx(2.0)

    cees = by_name["Cees Gamma"]
    assert agg.stat_of(cees.legs[leg1], "all_others").n == 3  # one rater did too little

    eva = by_name["Eva Epsilon"]
    assert agg.stat_of(eva.legs[leg1], "peer").state == agg.POOLED
    assert agg.stat_of(eva.legs[leg1], "others").mean == pytest.approx(2.5)

    assert results.leg_norms[leg1] == pytest.approx(3.625)
    assert results.leg_norms[leg2] is None  # one manager: no norm


def _queries_for_results(db, round_id) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        rnd = figures.results_round(round_id)
        figures.round_results(rnd, "nl", with_statements=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_managers(seeded, db):
    before = _queries_for_results(db, seeded.rnd.id)
    for n in range(4):
        extra = add_rated_participant(db, seeded.rnd, name=f"Extra {n}")
        for _ in range(3):
            add_response(db, extra, group="direct_report", scores={seeded.leg1.statements[0].id: 4})
    assert _queries_for_results(db, seeded.rnd.id) == before


def _overview(seeded, **options):
    results = figures.round_results(seeded.rnd, "nl")
    with force_locale("nl"):  # HR's language: the request's (here none, so forced)
        return overview.build_overview(results, overview.OverviewOptions(**options))


def test_heat_map_cells_match_build_report(seeded):
    view = _overview(seeded)
    reports = _reports(seeded.rnd)
    assert len(view.rows) == 5
    for row in view.rows:
        report = reports[row.participant_id]
        assert [c.leg_key for c in row.cells] == [leg.key for leg in report.legs]
        for cell, leg in zip(row.cells, report.legs, strict=True):
            stat = leg.group("all_others")
            if stat.visible:
                assert cell.mean == stat.mean
                with force_locale("nl"):
                    assert cell.text == numbers.decimal(stat.mean)
                assert cell.n == stat.n
            else:
                assert cell.mean is None and cell.n is None
                assert cell.text == "—"
                assert cell.css == "heat-hidden"


def test_heat_map_text_and_colours(seeded):
    view = _overview(seeded)
    rows = {r.name: r for r in view.rows}
    anna = rows["Anna Alpha"].cells
    assert (anna[0].text, anna[1].text) == ("3,0", "4,0")
    assert (anna[0].css, anna[1].css) == ("heat-3", "heat-5")
    assert rows["Eva Epsilon"].cells[0].css == "heat-2"  # 2.5 starts the second band
    assert rows["Dirk Delta"].cells[0].css == "heat-6"
    assert [c.text for c in rows["Bert Beta"].cells] == ["—"] * 6
    assert "minder dan 3 beoordelaars" in rows["Bert Beta"].cells[0].title


def test_sort_by_leg_lowest_first_hidden_last(seeded):
    leg1 = seeded.leg1.key
    names = [r.name for r in _overview(seeded, sort=leg1).rows]
    assert names == ["Eva Epsilon", "Anna Alpha", "Cees Gamma", "Dirk Delta", "Bert Beta"]
    names = [r.name for r in _overview(seeded, sort=leg1, descending=True).rows]
    assert names == ["Dirk Delta", "Cees Gamma", "Anna Alpha", "Eva Epsilon", "Bert Beta"]


def test_team_filter(seeded):
    view = _overview(seeded, team="Zuid")
    assert [r.name for r in view.rows] == ["Cees Gamma", "Eva Epsilon"]
    leg1 = view.by_leg[0]
    assert leg1.mean == pytest.approx((4.0 + 2.5) / 2)


def test_weakest_legs_and_development_counts(seeded):
    view = _overview(seeded)
    leg1, leg2 = view.by_leg[0], view.by_leg[1]
    assert leg1.mean == pytest.approx((3.0 + 4.0 + 5.0 + 2.5) / 4)
    assert (leg1.managers, leg1.hidden) == (4, 1)
    assert leg2.mean == pytest.approx(4.0)
    assert (leg2.managers, leg2.hidden) == (1, 4)
    assert all(s.mean is None for s in view.by_leg[2:])
    assert [s.key for s in view.weakest[:2]] == [seeded.leg1.key, seeded.leg2.key]
    # Every manager with a visible leg 1 has it among their two weakest legs.
    assert [e.name for e in leg1.development] == [
        "Eva Epsilon",
        "Anna Alpha",
        "Cees Gamma",
        "Dirk Delta",
    ]
    reasons = {e.name: e.reasons for e in leg1.development}
    assert reasons["Eva Epsilon"] == ("below_cut", "two_weakest")
    assert reasons["Anna Alpha"] == ("two_weakest", "blind_spot")  # self 5 vs 3.0
    assert reasons["Dirk Delta"] == ("two_weakest",)
    assert [e.name for e in leg2.development] == ["Anna Alpha"]
    assert all(not s.development for s in view.by_leg[2:])


def test_cut_is_configurable(seeded):
    view = _overview(seeded, cut=3.5)
    reasons = {e.name: e.reasons for e in view.by_leg[0].development}
    assert reasons["Anna Alpha"] == ("below_cut", "two_weakest", "blind_spot")
    assert reasons["Cees Gamma"] == ("two_weakest",)


# --- The development-area rule, without a database ----------------------------------------


def _stats(**groups):
    """figure stats from {group: [scores]} (each score one rater), threshold 3."""
    tallies = {
        g: agg.Tally(n=len(v), total=float(sum(v)), total_sq=float(sum(x * x for x in v)))
        for g, v in groups.items()
    }
    return agg.figure_stats(tallies, 3)


def test_development_legs_rule():
    legs = {
        "a": _stats(direct_report=[2, 3, 3]),  # 2.67: below the cut
        "b": _stats(direct_report=[4, 4, 4], self=[5]),  # 4.0, self 5: blind spot (1.0)
        "c": _stats(direct_report=[3, 3, 3]),  # 3.0: not below 3.0, but second weakest
        "d": _stats(direct_report=[1, 1]),  # hidden: never a development area
        "e": _stats(direct_report=[5, 5, 5], self=[5]),
    }
    result = overview.development_legs(legs, ["a", "b", "c", "d", "e"], cut=3.0)
    assert result == {
        "a": ("below_cut", "two_weakest"),
        "b": ("blind_spot",),
        "c": ("two_weakest",),
    }


def test_development_legs_ties_go_to_the_first_leg():
    legs = {key: _stats(direct_report=[4, 4, 4]) for key in "xyz"}
    assert overview.development_legs(legs, ["x", "y", "z"]) == {
        "x": ("two_weakest",),
        "y": ("two_weakest",),
    }


def test_heat_class_bounds():
    assert overview.heat_class(None) == "heat-hidden"
    assert overview.heat_class(2.49) == "heat-1"
    assert overview.heat_class(2.5) == "heat-2"
    assert overview.heat_class(4.5) == "heat-6"
    assert overview.heat_class(5.0) == "heat-6"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"cut": "abc"}, "The cut must be a number"),
        ({"cut": "9"}, "The cut must be a number"),
        ({"cut": "nan"}, "The cut must be a number"),
        ({"sort": "nope"}, "Unknown column"),
        ({"team": "Mars"}, "Unknown team"),
    ],
)
def test_bad_options_fall_back_with_a_message(args, message):
    options, messages = overview.parse_options(args, ["coach"], ["Zuid"])
    assert options == overview.OverviewOptions()
    assert len(messages) == 1 and messages[0].startswith(message)


def test_good_options():
    options, messages = overview.parse_options(
        {"cut": "3,5", "sort": "coach", "order": "desc", "team": "Zuid", "lang": "fr"},
        ["coach"],
        ["Zuid"],
    )
    assert messages == []  # the language is the request's, not an option of the page
    assert options == overview.OverviewOptions("coach", True, "Zuid", 3.5)
    assert math.isclose(options.cut, 3.5)
