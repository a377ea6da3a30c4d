"""The counts HR sees move at most once an hour: a submit cannot be timed (DESIGN rule 5).

The clock is moved with monkeypatch on feedback.clock; the rater submits through the survey
link, as a browser would, and HR looks through every page that shows a count.
"""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback import clock
from feedback.admin import participation
from feedback.admin.dashboard import OMITTED, response_dashboard
from feedback.admin.rounds import list_rounds
from feedback.extensions import db as _db
from feedback.models import Invitation, ParticipationCount, RaterGroup, RoundStatus
from tests import factories
from tests.admin.admin_helpers import hr_time, reload_round

HX = {"HX-Request": "true"}
FINGERPRINT = re.compile(r'id="draft-fingerprint"[^>]*value="([^"]*)"')


@pytest.fixture
def now(monkeypatch):
    """The one clock, frozen at five past the current hour; move it with now.move(minutes)."""

    class Now:
        value = clock.utcnow().replace(minute=5, second=0, microsecond=0)

        def move(self, minutes: int) -> None:
            self.value += timedelta(minutes=minutes)

    frozen = Now()
    monkeypatch.setattr(clock, "utcnow", lambda: frozen.value)
    return frozen


def open_round(db, managers=4, reports=3, supervisors=1, peers=0, threshold=3):
    """An open round; every manager rated by self, supervisor(s), direct reports and peers.

    Returns (round, {manager name: {group: [token, ...]}}).
    """
    rnd = factories.make_round(db, threshold=threshold, status=RoundStatus.OPEN)
    links = {}
    for m in range(managers):
        manager, reps, director = factories.make_team(db, size=reports)
        manager.name = f"Manager {m + 1}"
        participant = factories.add_participant(db, rnd, manager)
        bosses = [director] + [factories.make_person(db) for _ in range(supervisors - 1)]
        groups = {
            RaterGroup.SELF: [manager],
            RaterGroup.SUPERVISOR: bosses,
            RaterGroup.DIRECT_REPORT: reps,
            RaterGroup.PEER: [factories.make_person(db) for _ in range(peers)],
        }
        links[manager.name] = {
            str(group): [
                factories.make_invitation(db, participant, group=group, person=person)[1]
                for person in people
            ]
            for group, people in groups.items()
        }
    db.session.commit()
    return rnd, links


def submit(app, rnd, token):
    """The rater opens their link and submits one answer and a grade."""
    rater = app.test_client()
    page = rater.get(f"/s/{token}")
    assert page.status_code == 200
    fingerprint = FINGERPRINT.search(page.text).group(1)
    statement = factories.statement_ids(rnd)[0]
    response = rater.post(
        f"/s/{token}",
        data={
            "action": "submit",
            f"s{statement}": "4",
            "grade": "7",
            "draft_fingerprint": fingerprint,
        },
    )
    assert response.status_code == 200


def section(html: str, start: str, end: str) -> str:
    found = re.search(re.escape(start) + ".*?" + re.escape(end), html, re.S)
    assert found, start
    return found.group(0)


def what_hr_sees(client, round_id: int) -> dict[str, str]:
    """Every fragment of HR's pages that holds a count of this round."""
    page = client.get(f"/admin/rounds/{round_id}").text
    partial = client.get(f"/admin/rounds/{round_id}/dashboard", headers=HX).text
    rounds = client.get("/admin/").text
    return {
        "round page: dashboard": section(page, '<section class="card dashboard"', "</section>"),
        "round page: reminders": section(
            page, '<section class="card" id="reminders"', "</section>"
        ),
        "htmx partial": partial,
        "rounds list": section(rounds, '<table class="rounds">', "</table>"),
    }


def manager_row(html: str, name: str) -> str:
    return section(html, f"<td>{name}</td>", "</tr>")


def submitted() -> int:
    _db.session.expire_all()
    return _db.session.scalar(sa.select(sa.func.count()).where(Invitation.submitted.is_(True)))


def test_a_self_assessment_submit_moves_no_number_hr_sees_within_the_hour(app, db, hr_client, now):
    rnd, links = open_round(db)
    seen = what_hr_sees(hr_client, rnd.id)  # HR looks at 10:05: the counts are taken
    assert "0 / 5" in manager_row(seen["round page: dashboard"], "Manager 2")
    assert "20 raters had not answered yet" in seen["round page: reminders"]

    now.move(10)  # 10:15: Manager 2 submits their self-assessment
    submit(app, rnd, links["Manager 2"]["self"][0])
    assert submitted() == 1

    # 10:15, 10:55, and 11:04: a new clock hour, but counts are always an hour apart (else
    # looks at 10:59 and 11:00 would time a submit to the minute).
    for minutes in (0, 40, 9):
        now.move(minutes)
        assert what_hr_sees(hr_client, rnd.id) == seen, f"moved at {now.value:%H:%M}"
        assert response_dashboard(rnd.id).managers[1].total.answered == 0

    now.move(1)  # 11:05: an hour since the last count, whatever HR opens counts again
    later = what_hr_sees(hr_client, rnd.id)
    for name, fragment in later.items():
        assert fragment != seen[name], name
    assert "1 / 5" in manager_row(later["round page: dashboard"], "Manager 2")
    assert "19 raters had not answered yet" in later["round page: reminders"]
    assert "5%" in later["rounds list"] and "(1 / 20)" in later["rounds list"]
    assert f"Counted at {hr_time(now.value)}." in later["htmx partial"]


def test_the_dashboard_polls_rarely_and_says_when_it_was_counted(db, hr_client, now):
    rnd, _ = open_round(db, managers=1)
    page = hr_client.get(f"/admin/rounds/{rnd.id}").text
    assert 'hx-trigger="every 10m"' in page and "every 10s" not in page
    counted = hr_time(now.value)
    again = hr_time(now.value + timedelta(hours=1))
    assert f"Counted at {counted}. The counts are updated at most once an hour" in page
    assert f"the first time they are looked at after {again}" in page


def footer_cells(html: str) -> list[str]:
    tfoot = section(html, "<tfoot>", "</tfoot>")
    return re.findall(r'<th class="num">(.*?)</th>', tfoot, re.S)


@pytest.mark.parametrize("supervisors", [1, 3])
def test_the_round_row_has_no_self_or_supervisor_total(app, db, hr_client, now, supervisors):
    # Four managers: a round-level self group of 4 invitations would pass the threshold.
    # Two peers each: self and peers make a pool of their own, the other groups are shown.
    rnd, links = open_round(db, managers=4, supervisors=supervisors, peers=2)
    for name in ("Manager 1", "Manager 3"):
        submit(app, rnd, links[name]["self"][0])
        submit(app, rnd, links[name]["supervisor"][0])
    dashboard = response_dashboard(rnd.id)
    by_group = {g.group: g for g in dashboard.by_group}
    for group in ("self", "supervisor"):
        assert by_group[group].state == OMITTED and by_group[group].rate is None
    if supervisors == 3:  # three supervisors each: shown per manager, still not totalled
        assert dashboard.managers[0].groups[1].rate.invited == 3
    page = hr_client.get(f"/admin/rounds/{rnd.id}").text
    self_cell, supervisor_cell, reports_cell, *_ = footer_cells(page)
    for cell in (self_cell, supervisor_cell):
        assert "not totalled" in cell and not re.search(r"\d", cell)
    assert "0 / 12" in reports_cell  # direct reports: the sum of the cells above
    assert "never totalled" in page


def test_a_manager_with_hidden_counts_is_left_out_of_the_round_total(db, now):
    rnd, _ = open_round(db, managers=2)
    small, small_reps, _ = factories.make_team(db, size=1)
    participant = factories.add_participant(db, rnd, small)
    factories.make_invitation(db, participant, group=RaterGroup.SELF, person=small)
    rep, _token = factories.make_invitation(db, participant, person=small_reps[0])
    rep.submitted = True
    db.session.commit()
    dashboard = response_dashboard(rnd.id)
    # 2 invitations < threshold 3: hidden, and the total (10) does not include it, else
    # the total minus the other managers would be its count.
    assert dashboard.hidden_managers == 1 and dashboard.invited == 12
    assert (dashboard.total.answered, dashboard.total.invited) == (0, 10)
    row = list_rounds()[0]
    assert (row.rate.answered, row.rate.invited) == (0, 10)


# --- refresh_counts and the reader -----------------------------------------------------------


def stored(round_id):
    _db.session.expire_all()
    return {
        (c.participant_id, c.group): (c.invited, c.answered, c.counted_at)
        for c in _db.session.scalars(
            sa.select(ParticipationCount).where(ParticipationCount.round_id == round_id)
        )
    }


def mark_submitted(round_id, n):
    invitations = _db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.round_id == round_id, Invitation.submitted.is_(False))
        .order_by(Invitation.id)
        .limit(n)
    ).all()
    for invitation in invitations:
        invitation.submitted = True
    _db.session.commit()


def test_refresh_counts_once_an_hour_or_when_forced(db, now):
    rnd, _ = open_round(db, managers=2)
    assert participation.refresh_counts(rnd.id) is True  # nothing stored yet
    db.session.commit()
    first = stored(rnd.id)
    assert len(first) == 6 and {v[2] for v in first.values()} == {now.value}
    mark_submitted(rnd.id, 2)
    now.move(59)
    assert participation.refresh_counts(rnd.id) is False
    db.session.rollback()
    assert stored(rnd.id) == first
    now.move(1)
    assert participation.refresh_counts(rnd.id) is True
    db.session.commit()
    assert sum(v[1] for v in stored(rnd.id).values()) == 2
    mark_submitted(rnd.id, 1)
    assert participation.refresh_counts(rnd.id, force=True) is True  # as the close does
    db.session.commit()
    assert sum(v[1] for v in stored(rnd.id).values()) == 3
    assert participation.refresh_counts(12345, force=True) is False


def test_a_draft_is_never_stored_and_counts_its_invitations_live(db, now):
    rnd, _ = open_round(db, managers=1)
    rnd.status = RoundStatus.DRAFT
    db.session.commit()
    assert participation.refresh_counts(rnd.id, force=True) is False
    counts = participation.round_counts(rnd.id)
    assert counts.counted_at is None and sum(c.invited for c in counts.counts) == 5
    assert stored(rnd.id) == {}


def test_closed_counts_are_final_and_survive_erasure_and_purge(db, now):
    rnd, _ = open_round(db, managers=2)
    mark_submitted(rnd.id, 3)
    participation.round_counts(rnd.id)  # counted while open
    mark_submitted(rnd.id, 1)
    # The close, in one transaction: the final count, then who submitted is erased.
    rnd = reload_round(rnd.id)
    rnd.status = RoundStatus.CLOSED
    assert participation.refresh_counts(rnd.id, force=True) is True
    db.session.execute(
        sa.update(Invitation).where(Invitation.round_id == rnd.id).values(submitted=None)
    )
    db.session.commit()
    final = stored(rnd.id)
    assert sum(v[1] for v in final.values()) == 4

    now.move(24 * 60)
    counts = participation.round_counts(rnd.id)
    assert counts.final and counts.next_count_after is None
    assert sum(c.answered for c in counts.counts) == 4
    # Forced again (a second close, by mistake): the erased invitations are not counted.
    assert participation.refresh_counts(rnd.id, force=True) is False
    db.session.commit()
    assert stored(rnd.id) == final

    # The purge deletes the invitations; the counts stay, and the dashboard shows them.
    db.session.execute(sa.delete(Invitation).where(Invitation.round_id == rnd.id))
    rnd = reload_round(rnd.id)
    rnd.invitations_purged_at = now.value
    db.session.commit()
    assert participation.refresh_counts(rnd.id, force=True) is False
    db.session.commit()
    assert stored(rnd.id) == final
    dashboard = response_dashboard(rnd.id)
    assert dashboard.final and dashboard.purged and dashboard.invited == 10
    assert (dashboard.total.answered, dashboard.total.invited) == (4, 10)


def test_a_round_closed_before_counts_were_kept_is_counted_once(db, now):
    rnd, _ = open_round(db, managers=2)
    mark_submitted(rnd.id, 2)
    rnd = reload_round(rnd.id)
    rnd.status = RoundStatus.CLOSED
    db.session.commit()
    counts = participation.round_counts(rnd.id)
    assert counts.final and sum(c.answered for c in counts.counts) == 2
    mark_submitted(rnd.id, 1)  # cannot happen after close; if it did, nothing recounts
    now.move(120)
    assert sum(c.answered for c in participation.round_counts(rnd.id).counts) == 2


def statements_of(action):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.strip().upper())

    sa.event.listen(_db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", record)
    return statements


WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


def test_a_read_takes_the_write_lock_only_when_the_counts_are_due(db, now):
    rnd, _ = open_round(db, managers=2)
    first = statements_of(lambda: participation.round_counts(rnd.id))
    assert any(s.startswith("INSERT") for s in first)
    db.session.rollback()
    now.move(30)
    later = statements_of(lambda: (participation.round_counts(rnd.id), list_rounds()))
    assert not [s for s in later if s.startswith(WRITES)]
    # A closed round without counts whose invitations no longer say who answered: nothing
    # to count, and the reads do not try again and again under the lock.
    other, _ = open_round(db, managers=1)
    other.status = RoundStatus.CLOSED
    db.session.execute(
        sa.update(Invitation).where(Invitation.round_id == other.id).values(submitted=None)
    )
    db.session.commit()
    reads = statements_of(lambda: participation.round_counts(other.id))
    assert not [s for s in reads if s.startswith(WRITES)]
    assert participation.round_counts(other.id).counted_at is None


def test_two_workers_that_find_the_counts_due_count_once(app, db, now, monkeypatch):
    rnd, _ = open_round(db, managers=2)
    participation.round_counts(rnd.id)
    mark_submitted(rnd.id, 1)
    now.move(61)
    round_id, at = rnd.id, now.value
    _db.session.rollback()  # the test's own session holds nothing while the workers run
    both_see_due = threading.Barrier(2, timeout=10)
    due_rounds = participation._due_rounds
    refresh = participation.refresh_counts
    refreshed, errors = [], []

    def due_then_wait(*args):
        due = due_rounds(*args)
        both_see_due.wait()  # both have read "due" before either takes the lock
        return due

    def recording_refresh(*args, **kwargs):
        done = refresh(*args, **kwargs)
        refreshed.append(done)
        return done

    monkeypatch.setattr(participation, "_due_rounds", due_then_wait)
    monkeypatch.setattr(participation, "refresh_counts", recording_refresh)

    def worker():
        try:
            with app.app_context():
                counts = participation.round_counts(round_id, now=at)
                assert sum(c.answered for c in counts.counts) == 1
                _db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(refreshed) == [False, True]
    assert {v[2] for v in stored(round_id).values()} == {at}


# --- what the survey promises ----------------------------------------------------------------


def test_the_survey_promises_what_the_code_does(app, db):
    rnd, links = open_round(db, managers=1)
    page = app.test_client().get(f"/s/{links['Manager 1']['direct_report'][0]}").text
    assert "Niemand ziet wanneer" not in page
    assert (
        "HR ziet alleen hoeveel mensen hebben geantwoord, geteld in groepen van minstens 3 "
        "uitgenodigde beoordelaars en hoogstens één keer per uur" in page
    )
    assert "het wordt gewist zodra de ronde sluit" in page
