"""Can a manager (or HR) learn a hidden group's figure, or one rater's answer, from any
rendering of the results: web report and its tabs, PDF, heat map, CSV/XLSX exports?

The strongest form of the rule: answers that the threshold hides must not change a single
byte of what anyone sees. Two managers are rated identically except for those answers;
every output for one must equal the output for the other.
"""

import io
import re

import pytest
from pypdf import PdfReader

from feedback.models import RaterGroup, RoundStatus
from feedback.reports.builder import build_report
from tests.factories import add_participant, add_response, login, make_round, make_team, make_user

TABS = ("overview", "legs", "comments", "plan")


def _manager(db, rnd, name):
    person, _reps, _director = make_team(db, size=0)
    person.name = name
    db.session.commit()
    return add_participant(db, rnd, person)


def _ids(rnd):
    return [st.id for leg in rnd.framework.legs for st in leg.statements]


def _rate_common(db, part, ids):
    """What both managers get: a self-assessment and a supervisor, both named groups."""
    add_response(
        db,
        part,
        group=RaterGroup.SELF,
        scores={i: 4 for i in ids},
        grade=7,
        comments={"start": "self says"},
    )
    add_response(db, part, group=RaterGroup.SUPERVISOR, scores={i: 3 for i in ids}, grade=6)


def _normalise(text: str, part) -> str:
    text = re.sub(rf"/reports/{part.id}\b", "/reports/ID", text)
    text = re.sub(r'name="csrf_token" [^>]*>', "", text)
    return re.sub(r'"csrf-token"[^>]*>|X-CSRFToken":\s*"[^"]*"', "", text)


def _web_outputs(client, part) -> list[str]:
    pages = []
    for tab in TABS:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(f"/reports/{part.id}?tab={tab}", headers=headers)
            assert response.status_code == 200
            pages.append(_normalise(response.get_data(as_text=True), part))
    return pages


def _pdf_text(client, part) -> str:
    response = client.get(f"/reports/{part.id}.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _export_rows(client, rnd, name) -> list[list[str]]:
    """The lines of every CSV export and the heat map's cells that mention the manager."""
    rows = []
    for url in (
        f"/insights/rounds/{rnd.id}/results-legs.csv",
        f"/insights/rounds/{rnd.id}/results-statements.csv",
        f"/insights/rounds/{rnd.id}/development.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        rows.append(sorted(line.replace(name, "M") for line in text.splitlines() if name in line))
    page = client.get(f"/insights/rounds/{rnd.id}").get_data(as_text=True)
    rows.append(
        [
            re.sub(r"\s+", " ", row.replace(name, "M"))
            for row in re.findall(r"<tr.*?</tr>", page, re.S)
            if name in row
        ]
    )
    return rows


@pytest.fixture
def twins(db):
    """A published round, threshold 3, with two managers who differ only in what two
    direct reports said (two is under the threshold: those answers must stay invisible)."""
    rnd = make_round(db, name="Spring", threshold=3, status=RoundStatus.PUBLISHED)
    ids = _ids(rnd)
    first = _manager(db, rnd, "Twin One")
    second = _manager(db, rnd, "Twin Two")
    for part, low in ((first, 1), (second, 5)):
        _rate_common(db, part, ids)
        for _ in range(2):
            add_response(
                db,
                part,
                group=RaterGroup.DIRECT_REPORT,
                scores={i: low for i in ids},
                grade=2 * low,
                comments={"start": f"direct report says {low}"},
            )
    # Three more managers with enough raters, so the norm and the heat map have content.
    for k in range(3):
        other = _manager(db, rnd, f"Other {k}")
        _rate_common(db, other, ids)
        for score in (2, 3, 4):
            add_response(
                db, other, group=RaterGroup.DIRECT_REPORT, scores={i: score for i in ids}, grade=6
            )
    return rnd, first, second


def test_hidden_answers_change_nothing_in_the_web_report(db, client, twins):
    _rnd, first, second = twins
    login(client, make_user(db, role="hr"))
    one = [p.replace("Twin One", "M").replace("twin-one", "m") for p in _web_outputs(client, first)]
    two = [
        p.replace("Twin Two", "M").replace("twin-two", "m") for p in _web_outputs(client, second)
    ]
    assert one == two


def test_hidden_answers_change_nothing_in_the_pdf(db, client, twins):
    _rnd, first, second = twins
    login(client, make_user(db, role="hr"))
    one = _pdf_text(client, first).replace("Twin One", "M")
    two = _pdf_text(client, second).replace("Twin Two", "M")
    assert one == two


def test_hidden_answers_change_nothing_in_exports_and_heat_map(db, client, twins):
    rnd, _first, _second = twins
    login(client, make_user(db, role="hr"))
    assert _export_rows(client, rnd, "Twin One") == _export_rows(client, rnd, "Twin Two")


def _all_others(groups):
    stat = next(g for g in groups if g.group == "all_others")
    return stat.mean if stat.state == "visible" else None


def test_statement_figures_and_leg_figure_do_not_give_away_one_peer(db, twins):
    """Per-figure differencing: three direct reports answer every statement; one peer
    answers only the first statement of a leg and "don't know" to the rest.

    The attack: if the peer counted in statement 1 but not in the leg, and the leg mean were
    the mean of the raters' leg scores, then leg mean = mean of the direct reports'
    statement means, and the peer's single answer = 4 * s1 - 3 * (4 * leg - s2 - s3 - s4).
    Now the peer (1 of 4 answered) counts neither for the leg nor for any of its
    statements, and the leg mean is the mean of the statement means shown.
    """
    rnd, _first, _second = twins
    part = _manager(db, rnd, "Small peer group")
    leg = rnd.framework.legs[0]
    leg_ids = [st.id for st in leg.statements]
    assert len(leg_ids) == 4
    ids = _ids(rnd)
    for scores in ((5, 4, 2, 3), (4, 4, 3, 5), (3, 5, 4, 4)):
        answer = dict(zip(leg_ids, scores, strict=True))
        add_response(
            db, part, group=RaterGroup.DIRECT_REPORT, scores={i: answer.get(i, 3) for i in ids}
        )
    peer_answer = 1
    add_response(
        db,
        part,
        group=RaterGroup.PEER,
        scores={leg_ids[0]: peer_answer, **{i: None for i in leg_ids[1:]}},
    )

    report = build_report(rnd.id, part.id, "en")
    leg_report = report.legs[0]
    leg_mean = _all_others(leg_report.groups)
    statement_means = [_all_others(st.groups) for st in leg_report.statements]
    # every figure the attack needs is shown: the attack is really tried
    assert leg_mean is not None and None not in statement_means
    direct_s1 = 4 * leg_mean - sum(statement_means[1:])
    derived_peer = 4 * statement_means[0] - 3 * direct_s1
    assert abs(derived_peer - peer_answer) > 0.5, "one peer's answer is derivable"
    # statement 1 counts the three direct reports only: (5 + 4 + 3) / 3
    s1 = next(g for g in leg_report.statements[0].groups if g.group == "all_others")
    assert (s1.n, s1.mean) == (3, 4.0)


def test_a_peer_who_answered_half_the_leg_cannot_be_recovered(db, twins):
    """The same attack when the peer answers 2 of the leg's 4 statements (1 and 1) and says
    "don't know" to the others: the peer counts for the leg and for statements 1 and 2.

    If the peer were pooled with the three direct reports, then with the leg mean the mean
    of the raters' leg scores (the peer's being (p1 + p2) / 2), T = 4 * s1 + 4 * s2 + 3 * s3
    + 3 * s4 and 16 * leg = (the direct reports' total) + 2 * (p1 + p2), the peer's sum would
    be p1 + p2 = 16 * leg - T. Now the peer, one rater beside a group that meets the
    threshold, is left out of every figure: the direct reports stay visible, and a twin
    whose peer answered 5 and 5 gets the very same figures.
    """
    rnd, _first, _second = twins
    leg = rnd.framework.legs[0]
    leg_ids = [st.id for st in leg.statements]
    assert len(leg_ids) == 4
    ids = _ids(rnd)

    def manager(name, peer_answers):
        part = _manager(db, rnd, name)
        for scores in ((5, 4, 4, 5), (4, 4, 5, 4), (3, 5, 4, 4)):
            answer = dict(zip(leg_ids, scores, strict=True))
            add_response(
                db, part, group=RaterGroup.DIRECT_REPORT, scores={i: answer.get(i, 3) for i in ids}
            )
        add_response(
            db,
            part,
            group=RaterGroup.PEER,
            scores={
                leg_ids[0]: peer_answers[0],
                leg_ids[1]: peer_answers[1],
                leg_ids[2]: None,
                leg_ids[3]: None,
            },
        )
        return part

    part = manager("Half a peer", (1, 1))
    twin = manager("Half a peer's twin", (5, 5))
    report = build_report(rnd.id, part.id, "en")
    leg_report = report.legs[0]
    statements = [
        next(g for g in st.groups if g.group == "all_others") for st in leg_report.statements
    ]
    # the peer is left out: all others is the three direct reports on every statement
    assert [st.n for st in statements] == [3, 3, 3, 3]
    assert [st.mean for st in statements] == pytest.approx([4.0, 13 / 3, 13 / 3, 13 / 3])
    leg_mean = _all_others(leg_report.groups)
    assert leg_mean is not None and all(st.state == "visible" for st in statements)
    # the leg figure holds nothing but the statement figures: their unweighted mean
    assert leg_mean == pytest.approx(sum(st.mean for st in statements) / 4)
    for figure in (leg_report, *leg_report.statements):
        assert figure.group("direct_report").state == "visible"
        assert figure.group("others").state == "not_applicable"
    peer = [figure.group("peer").state for figure in (leg_report, *leg_report.statements)]
    assert peer == ["suppressed", "suppressed", "suppressed", "no_answers", "no_answers"]
    cover = {row.group: row for row in report.response_counts}
    assert cover["peer"].left_out and cover["peer"].count == 1
    # nothing shown moves with the peer's answers
    twin_leg = build_report(rnd.id, twin.id, "en").legs[0]
    assert twin_leg.groups == leg_report.groups
    assert [st.groups for st in twin_leg.statements] == [st.groups for st in leg_report.statements]
