"""Can it go ahead: the rules behind the confirm pages of a round's actions (no database).

Launch, close and publish: feedback/admin/transitions.py (`step_problems`, launch's raters
rule in feedback/admin/raters.py); reminders: feedback/admin/reminders.py; the purge:
feedback/admin/retention.py.
"""

from datetime import datetime

import pytest

from feedback.admin.reminders import reminder_problems
from feedback.admin.retention import purge_problems
from feedback.admin.transitions import step_problems
from feedback.models import Round, RoundStatus

NOW = datetime(2027, 3, 10, 12, 0)


@pytest.mark.parametrize("status", ["draft", "closed", "published"])
def test_reminders_are_sent_only_while_the_round_is_open(status):
    assert reminder_problems(Round(status=status), NOW) == [
        "Reminders can only be sent while the round is open."
    ]


def test_reminders_of_an_open_round_never_reminded_can_go_ahead():
    assert reminder_problems(Round(status="open"), NOW) == []


def test_reminders_wait_an_hour_after_the_last_ones(app_ctx):
    # Stored times are UTC; HR reads them on the organisation's clock (Europe/Amsterdam,
    # UTC+1 in March): 11:30 UTC + 1 hour is 13:30 there. The message needs a locale: app_ctx.
    rnd = Round(status="open", last_reminder_at=datetime(2027, 3, 10, 11, 30))
    assert reminder_problems(rnd, NOW) == [
        "Reminders were sent less than an hour ago. You can send them again from 13:30."
    ]
    assert reminder_problems(rnd, datetime(2027, 3, 10, 12, 29, 59)) != []
    assert reminder_problems(rnd, datetime(2027, 3, 10, 12, 30)) == []


@pytest.mark.parametrize("status", ["closed", "published"])
def test_a_finished_round_can_be_purged(status):
    assert purge_problems(Round(status=status)) == []


@pytest.mark.parametrize("status", ["draft", "open"])
def test_a_round_that_is_not_finished_cannot_be_purged(status):
    assert purge_problems(Round(status=status)) == [
        "Only a closed or published round can be purged."
    ]


def test_a_purged_round_is_not_purged_again():
    rnd = Round(status="published", invitations_purged_at=datetime(2027, 6, 1))
    assert purge_problems(rnd) == ["This round's invitations were purged already."]


@pytest.mark.parametrize(
    ("step", "source", "done"),
    [
        ("launch", RoundStatus.DRAFT, "launched"),
        ("close", RoundStatus.OPEN, "closed"),
        ("publish", RoundStatus.CLOSED, "published"),
    ],
)
def test_a_step_needs_the_round_in_its_source_status(step, source, done):
    wrong = RoundStatus.PUBLISHED
    assert step_problems(Round(status=wrong), step, source) == [
        f"Only a round that is {source} can be {done}; this one is published."
    ]


@pytest.mark.parametrize(
    ("step", "source"), [("close", RoundStatus.OPEN), ("publish", RoundStatus.CLOSED)]
)
def test_close_and_publish_go_ahead_from_their_source_status(step, source):
    assert step_problems(Round(status=source), step, source) == []
