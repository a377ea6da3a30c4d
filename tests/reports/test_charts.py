"""The SVG charts: well-formed, accessible, escaped, deterministic, and drawing the data."""

import base64
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from flask_babel import force_locale

from feedback.reports import charts
from feedback.reports.view import chart_text

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"

ROWS = [
    ("self", "Self", 4.0, 1),
    ("supervisor", "Supervisor", 3.5, 1),
    ("direct_report", "Direct reports", 3.62, 7),
    ("peer", "Peers", 2.25, 4),
]
LEGS = ["Teambuilder", "Decisive", "Politician", "Coach", "Numbers", "Achiever"]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own output)


def texts(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}text")


def all_charts(label: str = "Coach") -> list[str]:
    return [
        charts.leg_bars([("peer", label, 3.0, 5)], norm=3.2, title=label),
        charts.radar([label, "B", "C"], {"self": [3, 4, 5]}, title=label),
        charts.distribution([1, 2, 3, 4, 5, 1], title=label),
        charts.trend(3.0, 4.0, title=label),
    ]


@pytest.mark.parametrize("index", range(4))
def test_every_chart_is_accessible_svg(index):
    svg = all_charts()[index]
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox"))
    assert root.get("role") == "img"
    assert "Coach" in root.get("aria-label")
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == root.get("aria-label")
    assert " id=" not in svg  # several charts share one page


@pytest.mark.parametrize("index", range(4))
def test_markup_in_labels_is_escaped(index):
    svg = all_charts(EVIL)[index]
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    assert "<script>" in root.get("aria-label")  # the text survives as text


def test_invalid_xml_characters_are_dropped():
    svg = charts.leg_bars([("peer", "Pe\x00e\x1bs", 3.0, 5)], title='a"b\x0c')
    root = parse(svg)
    assert 'a"b' in root.get("aria-label")


def test_charts_are_deterministic():
    assert all_charts() == all_charts()


@pytest.fixture
def dutch(app_ctx):
    """The charts' words and numbers as a Dutch report gets them (view.chart_text)."""
    with force_locale("nl"):
        return chart_text()


def test_leg_bars_one_bar_per_group_with_n_and_mean(dutch):
    svg = charts.leg_bars(ROWS, norm=3.4, title="Coach", text=dutch)
    root = parse(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") in charts.PALETTE.values()]
    assert [b.get("fill") for b in bars] == [charts.PALETTE[k] for k, *_ in ROWS]
    words = "".join(root.itertext())
    for n in ("n=1", "n=7", "n=4"):
        assert n in words
    assert "3,6" in words and "2,3" in words  # means rounded half up, Dutch decimal comma
    assert "norm 3,4" in root.get("aria-label")
    assert root.get("aria-label").endswith("(schaal 1 tot 5)")
    assert "scale" not in root.get("aria-label")
    # Longer mean, longer bar (scale 1..5 starts at the left edge).
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] > widths[2] > widths[1] > widths[3]
    assert widths[0] / widths[2] == pytest.approx((4.0 - 1) / (3.62 - 1), rel=0.01)
    # Few text elements: one label and one value per bar plus five axis numbers.
    assert len(texts(root)) == 2 * len(ROWS) + 5


def test_leg_bars_norm_marker_and_norm_row():
    with_kw = charts.leg_bars(ROWS[:1], norm=3.0)
    with_row = charts.leg_bars([*ROWS[:1], ("norm", "Norm", 3.0, 120)])
    without = charts.leg_bars(ROWS[:1])
    assert with_kw == with_row
    assert "stroke-dasharray" in with_kw and "stroke-dasharray" not in without
    assert "Norm" not in "".join(parse(with_row).itertext()).replace("norm 3.0", "")


def test_leg_bars_without_labels_or_axis_has_fewer_texts():
    root = parse(charts.leg_bars(ROWS, show_labels=False))
    assert len(texts(root)) == len(ROWS) + 5
    root = parse(charts.leg_bars(ROWS, show_labels=False, axis=False))
    assert [t.text for t in texts(root)] == ["4.0  n=1", "3.5  n=1", "3.6  n=7", "2.3  n=4"]


@pytest.mark.parametrize("mean", [0.5, 5.01, float("nan"), "4"])
def test_leg_bars_refuses_means_off_the_scale(mean):
    with pytest.raises(ValueError):
        charts.leg_bars([("peer", "Peers", mean, 3)])


def test_leg_bars_empty_is_still_a_chart():
    root = parse(charts.leg_bars([], title="Coach"))
    assert "no groups" in root.get("aria-label")


def test_radar_draws_the_series_it_gets():
    svg = charts.radar(
        LEGS,
        {"self": [4, 4, 3, 5, 2, 3], "all_others": [3.5] * 6, "norm": [3.2] * 6},
        series_labels={"self": "Self", "all_others": "All others", "norm": "Norm"},
    )
    root = parse(svg)
    assert [t.text for t in texts(root)] == LEGS
    polygons = root.findall(f"{SVG}polygon")
    strokes = [p.get("stroke") for p in polygons]
    for key in ("self", "all_others", "norm"):
        assert charts.PALETTE[key] in strokes
    assert "Self: Teambuilder 4.0" in root.get("aria-label")

    only_self = parse(charts.radar(LEGS, {"self": [3] * 6}))
    strokes = [p.get("stroke") for p in only_self.findall(f"{SVG}polygon")]
    assert charts.PALETTE["all_others"] not in strokes
    assert charts.PALETTE["norm"] not in strokes


def test_radar_wraps_long_leg_names_only_when_asked():
    legs = ["Teambuilder", "Doortastend persoon", "Coach"]
    plain = parse(charts.radar(legs, {"self": [3, 4, 5]}))
    assert [t.text for t in texts(plain)] == legs
    wrapped = parse(charts.radar(legs, {"self": [3, 4, 5]}, wrap=14))
    assert [t.text for t in texts(wrapped)] == ["Teambuilder", None, "Coach"]
    lines = [span.text for span in texts(wrapped)[1].findall(f"{SVG}tspan")]
    assert lines == ["Doortastend", "persoon"]


def test_radar_series_with_a_gap_is_dots_only():
    root = parse(charts.radar(LEGS, {"self": [4, None, 3, 5, 2, 3]}))
    strokes = [p.get("stroke") for p in root.findall(f"{SVG}polygon")]
    assert charts.PALETTE["self"] not in strokes
    assert len([c for c in root.iter(f"{SVG}circle")]) == 5
    assert "Decisive -" in root.get("aria-label")


def test_radar_checks_its_input():
    with pytest.raises(ValueError):
        charts.radar(LEGS, {"self": [3, 3]})
    with pytest.raises(ValueError):
        charts.radar(LEGS[:2], {"self": [3, 3]})
    with pytest.raises(ValueError):
        charts.radar(LEGS, {"self": [3, 3, 3, 3, 3, 6]})


def test_distribution_has_no_text_and_proportional_segments():
    svg = charts.distribution({1: 0, "2": 2, 3: 2, 4: 4, 5: 0, "dk": 0}, title="Stmt")
    root = parse(svg)
    assert texts(root) == []
    label = root.get("aria-label")
    assert "1: 0, 2: 2, 3: 2, 4: 4, 5: 0, don't know: 0 (total 8)" in label
    segments = {
        r.get("fill"): float(r.get("width"))
        for r in root.iter(f"{SVG}rect")
        if r.get("fill") in set(charts.ANSWER_COLOURS.values()) - {"#FFFFFF"}
    }
    assert set(segments) == {charts.ANSWER_COLOURS[k] for k in ("2", "3", "4")}
    assert segments[charts.ANSWER_COLOURS["4"]] == pytest.approx(
        2 * segments[charts.ANSWER_COLOURS["2"]], abs=0.02
    )


def test_distribution_sequence_and_empty_input():
    assert "total 15" in charts.distribution([1, 2, 3, 4, 5])
    empty = parse(charts.distribution([0, 0, 0, 0, 0, 0]))
    assert len(list(empty.iter(f"{SVG}rect"))) == 1  # the frame only
    with pytest.raises(ValueError):
        charts.distribution([1, 2])
    with pytest.raises(ValueError):
        charts.distribution([1, 2, 3, 4, 5, -1])


def test_fmt_rounds_half_up():
    assert charts.fmt(2.25) == "2.3"
    assert charts.fmt(2.35) == "2.4"
    assert charts.fmt(4.0) == "4.0"


def test_english_charts_by_default():
    label = parse(charts.leg_bars(ROWS, norm=3.4, title="Coach")).get("aria-label")
    assert "Peers 2.3 (n=4)" in label and label.endswith("(scale 1 to 5)")
    label = parse(charts.radar(LEGS[:3], {"self": [3, 4, 5]})).get("aria-label")
    assert label.endswith("(scale 1 to 5)") and "Teambuilder 3.0" in label


def test_dutch_radar_and_spread(dutch):
    label = parse(charts.radar(LEGS[:3], {"self": [3.25, 4, 5]}, text=dutch)).get("aria-label")
    assert "Teambuilder 3,3" in label and label.endswith("(schaal 1 tot 5)")
    label = parse(charts.distribution([1, 2, 3, 4, 5, 1], text=dutch)).get("aria-label")
    assert "weet ik niet: 1 (totaal 16)" in label and "total" not in label


def test_trend_before_after(dutch):
    up = parse(charts.trend(3.0, 4.0, text=dutch))
    assert "vorige ronde 3,0, nu 4,0 (+1,0)" in up.get("aria-label")
    circles = list(up.iter(f"{SVG}circle"))
    assert float(circles[0].get("cx")) < float(circles[1].get("cx"))  # prev left of now
    assert up.find(f"{SVG}path") is not None  # the arrow head
    assert texts(up) == []

    down = parse(charts.trend(4.0, 3.0))
    assert "previous round 4.0, now 3.0 (-1.0)" in down.get("aria-label")
    assert charts.PALETTE["supervisor"] in charts.trend(4.0, 3.0)

    first = parse(charts.trend(None, 3.5))
    assert len(list(first.iter(f"{SVG}circle"))) == 1
    assert "no previous round" in first.get("aria-label")


def test_svg_data_uri_round_trip():
    svg = all_charts(EVIL)[0]
    uri = charts.svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg


def test_palette_covers_every_group_and_differs_in_grayscale():
    groups = ["self", "supervisor", "direct_report", "peer", "others", "all_others", "norm"]
    assert set(charts.PALETTE) == set(groups)

    def luma(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    lumas = sorted(luma(charts.PALETTE[g]) for g in groups)
    assert min(b - a for a, b in pairwise(lumas)) >= 10
    answers = sorted(luma(c) for c in charts.ANSWER_COLOURS.values())
    assert min(b - a for a, b in pairwise(answers)) >= 10
