"""The demo organisation: `flask demo [--if-empty]`."""

import re
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from feedback import demo
from feedback.clock import today
from feedback.extensions import db
from feedback.models import (
    Answer,
    Comment,
    Invitation,
    InvitationToken,
    Leg,
    Participant,
    ParticipationCount,
    Person,
    Response,
    Round,
    RoundStatus,
    SealedResponse,
    Statement,
    User,
)
from feedback.tokens import hash_token
from tests.factories import sealed_answers

COUNTED = (
    Person,
    User,
    Round,
    Participant,
    Invitation,
    InvitationToken,
    Response,
    Answer,
    Comment,
    SealedResponse,
)


@pytest.fixture
def loaded(app_ctx, runner):
    """The demo, loaded through the CLI (commands run inside the test's app context)."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in COUNTED
        }


def _round(name: str) -> Round:
    return db.session.scalar(sa.select(Round).where(Round.name == name))


def _group_counts(round_name: str) -> list[tuple[str, str, int]]:
    """(manager name, group, responses) for every group with answers in the round."""
    rows = db.session.execute(
        sa.select(Person.name, Response.group, sa.func.count())
        .join(Participant, Participant.id == Response.participant_id)
        .join(Person, Person.id == Participant.person_id)
        .join(Round, Round.id == Response.round_id)
        .where(Round.name == round_name)
        .group_by(Person.name, Response.group)
    )
    return [tuple(row) for row in rows]


def test_twelve_managers_under_one_director_with_teams_of_four_to_nine(app, loaded):
    with app.app_context():
        managers = db.session.scalars(sa.select(Person).where(Person.role == "manager")).all()
        assert len(managers) == 12
        directors = {m.manager.email for m in managers}
        assert directors == {demo.email_for(demo.DIRECTOR_NAME)}
        sizes = [len(m.reports) for m in managers]
        assert all(4 <= size <= 9 for size in sizes)
        assert len(set(sizes)) >= 4  # the teams differ in size
        assert all(rep.team == m.team for m in managers for rep in m.reports)
        assert len({m.team for m in managers}) == 12
        emails = db.session.scalars(sa.select(Person.email)).all()
        assert all(email.endswith("@voorbeeld.nl") for email in emails)
        english = db.session.scalar(
            sa.select(sa.func.count()).select_from(Person).where(Person.language == "en")
        )
        assert 3 <= english <= 10


def test_one_published_and_one_open_round(app, loaded):
    with app.app_context():
        rounds = {r.name: r for r in db.session.scalars(sa.select(Round))}
        assert set(rounds) == {"Voorjaar 2026", "Najaar 2026"}
        spring, autumn = rounds["Voorjaar 2026"], rounds["Najaar 2026"]
        assert spring.status == RoundStatus.PUBLISHED
        assert spring.threshold == 3
        assert date(2026, 3, 1) <= spring.opens_on < spring.closes_on <= date(2026, 6, 21)
        assert spring.published_at is not None
        assert autumn.status == RoundStatus.OPEN
        assert autumn.opens_on <= today() < autumn.closes_on
        assert 10 <= (autumn.closes_on - today()).days <= 16
        # Each round rates the same managers on its own copy of the framework.
        assert spring.framework_id != autumn.framework_id
        assert not spring.framework.is_template and not autumn.framework.is_template
        for rnd in (spring, autumn):
            assert len(rnd.participants) == 12
            assert len(rnd.framework.legs) == 6


def test_hr_and_manager_logins_work(app, client, loaded):
    assert "hr@voorbeeld.nl" in loaded and demo.DEMO_PASSWORD in loaded
    shown = re.findall(r"Sales manager:\s+(\S+@voorbeeld\.nl)", loaded)
    assert 2 <= len(shown) <= 3
    for email in ["hr@voorbeeld.nl", *shown]:
        response = client.post("/auth/login", data={"email": email, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post("/auth/logout")
    wrong = client.post("/auth/login", data={"email": shown[0], "password": "not-the-password"})
    assert wrong.status_code == 200
    with app.app_context():
        accounts = db.session.scalars(sa.select(User).where(User.role == "manager")).all()
        assert len(accounts) == 12
        assert all(a.person is not None and a.person.role == "manager" for a in accounts)
        assert all(a.check_password(demo.DEMO_PASSWORD) for a in accounts[:2])
        hr = db.session.scalar(sa.select(User).where(User.role == "hr"))
        assert hr.email == "hr@voorbeeld.nl" and hr.person_id is None


def test_running_twice_changes_nothing(app, runner, loaded):
    before = _counts(app)
    assert before["Response"] > 60 and before["Comment"] > 25 and before["SealedResponse"] > 20
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    assert "/s/" not in result.output
    assert _counts(app) == before


def test_if_empty_does_nothing_on_a_loaded_database(app, runner, loaded):
    before = _counts(app)
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert _counts(app) == before


def test_if_empty_loads_an_empty_database(app, app_ctx, runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert _counts(app)["Person"] == 1 + 12 + 75


def test_if_empty_skips_when_any_person_exists(app, app_ctx, runner):
    with app.app_context():
        db.session.add(Person(name="Iemand", email="iemand@example.test"))
        db.session.commit()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    counts = _counts(app)
    assert counts["Person"] == 1 and counts["Round"] == 0 and counts["User"] == 0


def test_published_round_has_groups_below_the_threshold(app, loaded):
    with app.app_context():
        groups = _group_counts("Voorjaar 2026")
        small_teams = [(m, n) for m, g, n in groups if g == "direct_report" and n <= 2]
        assert len(small_teams) >= 2
        small_peer_groups = [m for m, g, n in groups if g == "peer" and n < 3]
        assert small_peer_groups
        # Most managers did a self-assessment and got a supervisor rating.
        assert sum(1 for _m, g, _n in groups if g == "self") >= 9
        assert sum(1 for _m, g, _n in groups if g == "supervisor") >= 10


def test_spring_response_rates_per_team(app, loaded):
    with app.app_context():
        spring = _round("Voorjaar 2026")
        # Closed: only the counts per manager and group are left of who answered.
        rows = db.session.execute(
            sa.select(ParticipationCount.invited, ParticipationCount.answered).where(
                ParticipationCount.round_id == spring.id,
                ParticipationCount.group == "direct_report",
            )
        ).all()
        rates = sorted(answered / invited for invited, answered in rows)
        assert len(rates) == 12
        assert rates[0] < 0.7  # the small teams that stay under the threshold
        assert all(0.6 <= rate <= 0.95 for rate in rates[2:])


def test_responses_match_submitted_invitations_and_nothing_else(app, loaded):
    """A response knows its round, manager and group only; counts line up per group."""
    with app.app_context():
        assert {c.name for c in Response.__table__.columns} == {
            "id",
            "round_id",
            "participant_id",
            "group",
            "grade",
        }
        spring, autumn = _round("Voorjaar 2026"), _round("Najaar 2026")
        # The published round: its envelopes were opened at close; the counts agree.
        responses = db.session.execute(
            sa.select(Response.participant_id, Response.group, sa.func.count())
            .where(Response.round_id == spring.id)
            .group_by(Response.participant_id, Response.group)
        ).all()
        counted = db.session.execute(
            sa.select(
                ParticipationCount.participant_id,
                ParticipationCount.group,
                ParticipationCount.answered,
            ).where(ParticipationCount.round_id == spring.id, ParticipationCount.answered > 0)
        ).all()
        assert sorted(map(tuple, responses)) == sorted(map(tuple, counted))
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(
                    Invitation.round_id == spring.id, Invitation.submitted.is_not(None)
                )
            )
            == 0
        )
        # The open round: sealed envelopes, one per submitted invitation.
        sealed = Counter((a.participant_id, a.group) for a in sealed_answers(db, autumn.id))
        submitted = db.session.execute(
            sa.select(Invitation.participant_id, Invitation.group, sa.func.count())
            .where(Invitation.round_id == autumn.id, Invitation.submitted.is_(True))
            .group_by(Invitation.participant_id, Invitation.group)
        ).all()
        assert sorted((p, g, n) for (p, g), n in sealed.items()) == sorted(map(tuple, submitted))
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Response.round_id == autumn.id)) == 0
        )
        # Every response answers every statement of its round's framework.
        per_response = db.session.execute(
            sa.select(sa.func.count()).select_from(Answer).group_by(Answer.response_id)
        ).scalars()
        assert set(per_response) == {24}
        grades = db.session.execute(
            sa.select(sa.func.min(Response.grade), sa.func.max(Response.grade))
        ).one()
        assert grades[0] >= 5 and grades[1] <= 9


def test_dont_know_answers_exist_mostly_on_numbers_and_politician(app, loaded):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Leg.key, sa.func.count())
            .select_from(Answer)
            .join(Statement, Statement.id == Answer.statement_id)
            .join(Leg, Leg.id == Statement.leg_id)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.score.is_(None), Response.group == "direct_report")
            .group_by(Leg.key)
        ).all()
        nulls = dict(rows)
        assert sum(nulls.values()) > 30
        assert nulls["politician"] > nulls.get("coach", 0)
        assert nulls["numbers"] > nulls.get("teambuilder", 0)
        self_nulls = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.score.is_(None), Response.group == "self")
        )
        assert self_nulls == 0


def _leg_mean(manager: str, group: str) -> float:
    return float(
        db.session.scalar(
            sa.select(sa.func.avg(Answer.score))
            .join(Response, Response.id == Answer.response_id)
            .join(Participant, Participant.id == Response.participant_id)
            .join(Person, Person.id == Participant.person_id)
            .join(Round, Round.id == Response.round_id)
            .where(Round.name == "Voorjaar 2026", Person.name == manager, Response.group == group)
        )
    )


def test_managers_differ_with_blind_spots_and_hidden_strengths(app, loaded):
    with app.app_context():
        blind = [s.name for s in demo.MANAGERS if s.self_view == "blind" and s.self_in_spring]
        modest = [s.name for s in demo.MANAGERS if s.self_view == "modest" and s.self_in_spring]
        assert blind and modest
        for name in blind:
            assert _leg_mean(name, "self") > _leg_mean(name, "direct_report") + 0.3, name
        for name in modest:
            assert _leg_mean(name, "self") < _leg_mean(name, "direct_report") - 0.3, name
        team_means = [_leg_mean(s.name, "direct_report") for s in demo.MANAGERS]
        assert max(team_means) - min(team_means) > 0.5


def test_comments_are_varied_and_left_by_some_respondents(app, loaded):
    for pool in (demo.START, demo.STOP, demo.CONTINUE):
        texts = [text for _leg, text in pool]
        assert len(set(texts)) == len(texts) >= 40
        assert {leg for leg, _text in pool} >= set(demo.LEGS)
    with app.app_context():
        responses = db.session.scalar(sa.select(sa.func.count()).select_from(Response))
        commenting = db.session.scalar(sa.select(sa.func.count(sa.distinct(Comment.response_id))))
        assert 0.3 <= commenting / responses <= 0.6
        keys = set(db.session.scalars(sa.select(Comment.question_key).distinct()))
        assert keys == {"start", "stop", "continue"}
        spring = _round("Voorjaar 2026")
        texts = db.session.scalars(
            sa.select(Comment.text)
            .join(Response, Response.id == Comment.response_id)
            .where(Response.round_id == spring.id, Response.group == "direct_report")
        ).all()
        # Drawn without repetition within a round while the pools last.
        assert len(texts) > 25 and len(set(texts)) == len(texts)


def test_open_round_has_tokens_a_third_done_and_printed_links_work(app, client, loaded):
    links = re.findall(r"http\S+/s/([A-Za-z0-9_-]+)", loaded)
    assert 2 <= len(links) <= 3
    with app.app_context():
        autumn = _round("Najaar 2026")
        invitations = db.session.scalars(
            sa.select(Invitation).where(Invitation.round_id == autumn.id)
        ).all()
        assert all(len(inv.tokens) == 1 and inv.sent_at for inv in invitations)
        done = sum(inv.submitted for inv in invitations) / len(invitations)
        assert 0.2 <= done <= 0.45
        for token in links:
            token_row = db.session.get(InvitationToken, hash_token(token))
            assert token_row is not None
            assert token_row.invitation.round_id == autumn.id
            assert not token_row.invitation.submitted
        # The plain tokens are nowhere in the database.
        stored = db.session.scalars(sa.select(InvitationToken.token_hash)).all()
        assert not set(links) & set(stored)
        sealed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SealedResponse)
            .where(SealedResponse.round_id == autumn.id)
        )
        assert sealed == sum(inv.submitted for inv in invitations)
        # Printed, never mailed or stored: no row of any table holds one (text or bytes).
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                values = [v for v in row if isinstance(v, str | bytes)]
                for token in links:
                    assert not any(
                        (token if isinstance(v, str) else token.encode()) in v for v in values
                    ), table.name
    for token in links:
        assert client.get(f"/s/{token}").status_code == 200


def test_the_organisation_is_the_same_every_time():
    first, second = demo.build_organisation(), demo.build_organisation()
    assert [p.email for p in first.people] == [p.email for p in second.people]
    emails = [p.email for p in first.people]
    assert len(emails) == len(set(emails)) == 1 + 12 + 75
