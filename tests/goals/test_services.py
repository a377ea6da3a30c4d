"""Goals without HTTP: checking input, the choices, saving, sharing, counting."""

from datetime import date, timedelta

import pytest

from feedback.goals import services
from feedback.goals.models import Goal
from feedback.goals.services import GoalInput
from feedback.models import Participant
from feedback.reports.builder import participant_report

TODAY = date(2027, 3, 1)
ALLOWED = {"statement:7", "leg:2"}


def check(target="statement:7", text="Coach weekly", when="2027-06-01", shared=False):
    return services.check_goal(GoalInput(target, text, when, shared), ALLOWED, TODAY)


def test_a_good_goal_has_no_errors():
    errors, clean = check(text="  Coach   weekly ")
    assert errors == {}
    assert clean == {
        "shared": False,
        "statement_id": 7,
        "text": "Coach weekly",
        "target_date": date(2027, 6, 1),
    }
    assert check(target="leg:2")[1]["leg_id"] == 2


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("target", {"target": "statement:8"}),
        ("target", {"target": ""}),
        ("text", {"text": "   "}),
        ("text", {"text": "x" * 1001}),
        ("target_date", {"when": "morgen"}),
        ("target_date", {"when": ""}),
        ("target_date", {"when": "2027-03-01"}),  # today
        ("target_date", {"when": "2027-02-01"}),  # the past
        ("target_date", {"when": (TODAY + timedelta(days=731)).isoformat()}),
    ],
)
def test_bad_input_is_named(field, kwargs):
    errors, _clean = check(**kwargs)
    assert list(errors) == [field]


def test_two_years_ahead_is_allowed():
    assert check(when=(TODAY + timedelta(days=730)).isoformat())[0] == {}


def test_the_targets_are_the_weakest_statements_and_legs(world, db):
    report = participant_report(db.session.get(Participant, world.anne))
    found = services.targets(report)
    kinds = {t.kind for t in found}
    assert kinds == {"statement", "leg"}
    first_leg = report.legs[0]
    assert f"leg:{first_leg.id}" in {t.value for t in found}
    assert all(t.suggestion for t in found)  # each starts with a suggested action


def test_save_edit_share_delete(world, db):
    part = db.session.get(Participant, world.anne)
    report = participant_report(part)
    target = services.targets(report)[0]
    allowed = {target.value}
    data = GoalInput(target.value, "Plan one-to-ones", world.soon, False)
    assert services.save_goal(part, data, allowed) == {}
    (goal,) = services.goals_of(part.id)
    assert (goal.round_id, goal.participant_id) == (part.round_id, part.id)
    assert (goal.statement_id or goal.leg_id) == target.id
    before = services.fingerprint(part.id)
    edited = GoalInput(target.value, "Plan one-to-ones every week", world.soon, True)
    assert services.save_goal(part, edited, allowed, goal=goal) == {}
    assert goal.text == "Plan one-to-ones every week" and goal.shared
    assert services.fingerprint(part.id) != before
    services.delete_goal(goal)
    assert services.goals_of(part.id) == []


def test_bad_input_changes_nothing(world, db):
    part = db.session.get(Participant, world.anne)
    target = services.targets(participant_report(part))[0]
    allowed = {target.value}
    assert (
        services.save_goal(part, GoalInput(target.value, "Keep", world.soon, False), allowed) == {}
    )
    (goal,) = services.goals_of(part.id)
    errors = services.save_goal(
        part, GoalInput(target.value, "Changed", "2000-01-01", True), allowed, goal=goal
    )
    assert list(errors) == ["target_date"]
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Goal, goal.id).text == "Keep"
    assert not db.session.get(Goal, goal.id).shared


def test_at_most_three_goals(world, db):
    part = db.session.get(Participant, world.anne)
    target = services.targets(participant_report(part))[0]
    allowed = {target.value}
    for n in range(3):
        assert (
            services.save_goal(part, GoalInput(target.value, f"G{n}", world.soon, False), allowed)
            == {}
        )
    errors = services.save_goal(part, GoalInput(target.value, "G4", world.soon, False), allowed)
    assert list(errors) == ["target"]
    assert len(services.goals_of(part.id)) == 3


def test_shared_goals_reach_only_the_own_supervisor(world, db):
    anne = db.session.get(Participant, world.anne)
    bert = db.session.get(Participant, world.bert)
    for part, shared in ((anne, True), (bert, False)):
        target = services.targets(participant_report(part))[0]
        data = GoalInput(target.value, f"Goal of {part.person.name}", world.soon, shared)
        assert services.save_goal(part, data, {target.value}) == {}
    groups = services.shared_with(world.users["director"], "en")
    assert [(g.manager_name, [x.text for x in g.goals]) for g in groups] == [
        ("Anne Manager", ["Goal of Anne Manager"])
    ]
    assert services.shared_with(world.users["other"], "en") == []
    assert services.shared_with(world.users["anne"], "en") == []
    assert services.shared_with(world.users["hr"], "en") == []
    assert services.managers_with_goals(world.round.id) == 2
