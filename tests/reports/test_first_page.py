"""The report's summary in one minute (first_page.py): the strongest and weakest leg by all
others' view, the largest blind spot or why there is none, and who answered of how many
invited, but an invited count only beside a group's own visible count.

Numbers by hand (threshold 3). Leg 1: direct reports and supervisor all 5; leg 6: all 1;
the legs between: 3. Self gives 5 everywhere. So all others (supervisor + 4 direct reports
= 5) is 5.0 on leg 1 and 1.0 on leg 6; the largest blind spot is a statement of leg 6, self
5 against others 1 (gap 4.0, the first such statement). Two peers answered (left out: below
the threshold, nobody to pool with), 3 peers and 6 direct reports invited.
"""

from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from feedback.models import Participant, RaterGroup, RoundStatus
from feedback.reports import aggregation as agg
from feedback.reports.builder import participant_report
from feedback.reports.first_page import one_minute, one_minute_text
from feedback.reports.model import GroupStat, ResponseCount
from tests.factories import (
    add_participant,
    add_response,
    make_invitation,
    make_person,
    make_round,
    make_user,
)

DR, PEER = RaterGroup.DIRECT_REPORT, RaterGroup.PEER


# --- The rule, on plain data ------------------------------------------------------------------


def test_invited_only_beside_a_named_groups_own_count():
    counts = {"self": 1, "supervisor": 1, "direct_report": 2, "peer": 2}
    invited = {"self": 1, "supervisor": 1, "direct_report": 4, "peer": 2}
    rows = {r.group: r for r in agg.response_counts(counts, 3, invited)}
    # the two small groups are pooled into "others" (4): neither count, nor their invited
    # counts, nor an invited total for "others" or "all_others" (2 of 2 peers answered
    # would tell the pooled peers' count)
    assert rows["direct_report"].count is None and rows["direct_report"].invited is None
    assert rows["peer"].count is None and rows["peer"].invited is None
    assert rows["others"].count == 4 and rows["others"].invited is None
    assert rows["all_others"].invited is None
    assert (rows["self"].count, rows["self"].invited) == (1, 1)
    assert (rows["supervisor"].count, rows["supervisor"].invited) == (1, 1)
    # without invitations (purged, or not asked for): no invited figure anywhere
    assert all(r.invited is None for r in agg.response_counts(counts, 3))


def test_left_out_group_shows_its_invited_count_too():
    counts = {"self": 1, "direct_report": 4, "peer": 2}
    rows = {r.group: r for r in agg.response_counts(counts, 3, {"direct_report": 6, "peer": 3})}
    assert rows["peer"].left_out and (rows["peer"].count, rows["peer"].invited) == (2, 3)
    assert (rows["direct_report"].count, rows["direct_report"].invited) == (4, 6)
    assert rows["self"].invited == 0  # nobody invited shows as 0, never as a guess


def _leg(name, mean, n=5, state=agg.VISIBLE):
    stat = GroupStat("all_others", state, n if state == agg.VISIBLE else None, mean)
    return SimpleNamespace(name=name, group=lambda key, stat=stat: stat)


def _report(legs, blind_spots=(), empty=None, counts=()):
    return SimpleNamespace(
        legs=legs,
        blind_spots=blind_spots,
        empty_reasons=empty or {},
        threshold=3,
        blind_spot_gap=1.0,
        response_counts=counts,
    )


def test_strongest_and_weakest_leg_ties_go_to_the_first():
    data = one_minute(_report([_leg("A", 3.0), _leg("B", 4.5), _leg("C", 4.5), _leg("D", 2.0)]))
    assert (data.strongest.name, data.weakest.name) == ("B", "D")
    assert data.hidden_reason is None


def test_legs_level_as_written_name_no_strongest_or_weakest(app_ctx):
    data = one_minute(_report([_leg("A", 3.36), _leg("B", 3.44), _leg("C", 3.40)]))
    assert data.level and data.weakest is None
    with force_locale("nl"):
        picture = one_minute_text(data)["picture"]
    assert picture[0] == "Zoals anderen je zien, liggen je poten gelijk: elk op 3,4."
    apart = one_minute(_report([_leg("A", 3.34), _leg("B", 3.46)]))
    assert not apart.level and (apart.strongest.name, apart.weakest.name) == ("B", "A")


def test_all_others_hidden_says_why_and_names_no_leg():
    hidden = [_leg("A", None, state=agg.SUPPRESSED), _leg("B", None, state=agg.SUPPRESSED)]
    empty = {
        agg.STRENGTHS: agg.Rule("too_few", {"section": "strengths", "n": 2, "t": 3}),
        agg.BLIND_SPOTS: agg.Rule("too_few", {"section": "blind_spots", "n": 2, "t": 3}),
    }
    data = one_minute(_report(hidden, empty=empty))
    assert data.strongest is None and data.weakest is None
    assert data.hidden_reason == "too_few" and data.blind_spot is None


def test_one_visible_leg_is_only_the_strongest():
    data = one_minute(_report([_leg("A", 3.0), _leg("B", None, state=agg.SUPPRESSED)]))
    assert data.strongest.name == "A" and data.weakest is None


def test_no_blind_spot_gives_the_sections_reason():
    empty = {agg.BLIND_SPOTS: agg.Rule("no_self", {"section": "blind_spots"})}
    assert one_minute(_report([_leg("A", 3.0)], empty=empty)).no_blind_spot == "no_self"


def test_sentences_keep_hidden_counts_hidden(app):
    counts = (
        ResponseCount("self", agg.VISIBLE, 1, False, invited=1),
        ResponseCount("direct_report", agg.POOLED, None, True),
        ResponseCount("peer", agg.POOLED, None, False),
        ResponseCount("others", agg.VISIBLE, 4, False),
        ResponseCount("supervisor", agg.NO_ANSWERS, 0, False, invited=0),
    )
    with app.test_request_context(), force_locale("en"):
        text = one_minute_text(one_minute(_report([_leg("A", 3.0)], counts=counts)))
    assert text["answered"] == (
        "Self: 1 of 1 invited",
        "Direct reports: fewer than 3",
        "Peers: included in Others",
        "Others: 4",
        "Supervisor: none invited",
    )


def test_hidden_all_others_in_plain_words(app):
    legs = [_leg("A", None, state=agg.SUPPRESSED)]
    empty = {agg.STRENGTHS: agg.Rule("too_few", {"section": "strengths", "n": 2, "t": 3})}
    with app.test_request_context(), force_locale("en"):
        text = one_minute_text(one_minute(_report(legs, empty=empty)))
    assert text["picture"] == (
        "How all others see you cannot be shown: fewer than 3 direct reports and peers"
        " answered, so their scores would not be anonymous.",
        "No blind spot can be shown: too few answers from others.",
    )


# --- Built from the database, seen through the web page in both languages ----------------------


@pytest.fixture
def rated(db):
    rnd = make_round(db, name="Voorjaar Test", status=RoundStatus.PUBLISHED, threshold=3)
    managers = {}
    for lang in ("nl", "en"):
        person = make_person(db, name=f"Manager {lang}", role="manager", language=lang)
        part = add_participant(db, rnd, person)
        legs = rnd.framework.legs
        first, last = legs[0], legs[-1]

        score = {leg.id: 3 for leg in legs} | {first.id: 5, last.id: 1}
        others = {st.id: score[leg.id] for leg in legs for st in leg.statements}
        own = {st.id: 5 for leg in legs for st in leg.statements}
        add_response(db, part, group="self", scores=own, grade=8)
        add_response(db, part, group="supervisor", scores=others, grade=7)
        for _ in range(4):
            add_response(db, part, group=DR, scores=others, grade=6)
        for _ in range(2):
            add_response(db, part, group=PEER, scores=others, grade=6)
        for group, n in (("self", 1), ("supervisor", 1), (DR, 6), (PEER, 3)):
            for _ in range(n):
                make_invitation(db, part, group=group)
        managers[lang] = SimpleNamespace(
            id=part.id,
            user=make_user(db, role="manager", person=person),
            first=first.name(lang),
            last=last.name(lang),
            spot=last.statements[0].text(lang),
        )
    return managers


def test_report_picks_the_legs_the_gap_and_the_counts(db, rated):
    report = participant_report(db.session.get(Participant, rated["nl"].id))
    data = one_minute(report)
    assert (data.strongest.name, data.strongest.mean, data.strongest.n) == (
        rated["nl"].first,
        5.0,
        5,
    )
    assert (data.weakest.name, data.weakest.mean) == (rated["nl"].last, 1.0)
    assert data.blind_spot.text == rated["nl"].spot
    assert (data.blind_spot.self_mean, data.blind_spot.all_others_mean) == (5.0, 1.0)
    counts = {c.group: (c.count, c.invited) for c in report.response_counts}
    assert counts == {
        "self": (1, 1),
        "supervisor": (1, 1),
        "direct_report": (4, 6),
        "peer": (2, 3),  # left out of the figures; its count is on the cover anyway
        "all_others": (5, None),
    }


EXPECTED = {
    "nl": (
        "Je rapport in één minuut",
        "Je sterkste poot volgens anderen: {first} (5,0, n=5).",
        "Je zwakste poot volgens anderen: {last} (1,0, n=5).",
        "Je grootste blinde vlek: “{spot}” – je geeft jezelf een 5,0, anderen geven je een 1,0.",
        "Medewerkers: 4 van 6 uitgenodigd",
        "Collega's: 2 van 3 uitgenodigd (te weinig om apart te tonen)",
        "Alle anderen: 5",
    ),
    "en": (
        "Your report in one minute",
        "Your strongest leg as others see you: {first} (5.0, n=5).",
        "Your weakest leg as others see you: {last} (1.0, n=5).",
        "Your largest blind spot: “{spot}” – you give yourself 5.0, others give you 1.0.",
        "Direct reports: 4 of 6 invited",
        "Peers: 2 of 3 invited (too few to show separately)",
        "All others: 5",
    ),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_overview_tab_opens_with_the_summary(client, auth, rated, lang):
    import html

    m = rated[lang]
    auth.login_as(m.user)
    page = html.unescape(client.get(f"/reports/{m.id}?tab=overview").get_data(as_text=True))
    start = page.index('class="one-minute"')
    assert start < page.index('class="report-table counts"')  # before the detail
    summary = page[start : page.index("</section>", start)]
    for sentence in EXPECTED[lang]:
        assert sentence.format(first=m.first, last=m.last, spot=m.spot) in summary
