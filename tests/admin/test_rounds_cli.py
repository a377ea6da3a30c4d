"""`flask --app wsgi rounds list | close ROUND_ID | publish ROUND_ID`, for cron and operators."""

import re

import sqlalchemy as sa

from feedback.admin import transitions
from feedback.admin.creation import create_round
from feedback.admin.dashboard import response_dashboard
from feedback.admin.launch import launch_round
from feedback.extensions import db as _db
from feedback.models import Invitation, RaterGroup, RoundStatus
from tests import factories
from tests.admin.admin_helpers import reload_round, settings

FINGERPRINT = re.compile(r'id="draft-fingerprint"[^>]*value="([^"]*)"')


def launched(org, *names):
    rnd = create_round(settings(), [org[n].id for n in names or ("anna", "bob")])
    launch_round(rnd.id)
    return rnd.id


def rounds(runner, *args):
    return runner.invoke(args=["rounds", *args, "--lang", "en"])


def test_list_without_rounds(runner, db):
    result = rounds(runner, "list")
    assert result.exit_code == 0 and result.output == "No rounds yet.\n"


def test_list_shows_each_round_with_the_rate_hr_sees(runner, org):
    rid = launched(org)
    draft = create_round(settings(name="Autumn"), [org["anna"].id]).id
    result = rounds(runner, "list")
    assert result.exit_code == 0
    header, *lines = result.output.splitlines()
    assert header.split() == ["ID", "STATUS", "OPENS", "CLOSES", "MANAGERS", "RESPONSES", "NAME"]
    assert len(lines) == 2
    by_id = {int(line.split()[0]): line for line in lines}
    assert by_id[rid].split()[1:5] == ["open", "2027-03-01", "2027-03-21", "2"]
    assert "0% (0 / 8)" in by_id[rid] and by_id[rid].endswith("Spring")
    assert "draft" in by_id[draft] and "not launched" in by_id[draft]
    assert by_id[draft].endswith("Autumn")


def test_close_then_publish_each_safe_to_run_twice(runner, org):
    rid = launched(org)
    closed = rounds(runner, "close", str(rid))
    assert closed.exit_code == 0, closed.output
    assert closed.output == f"Round {rid} (Spring): The round is closed.\n"
    assert reload_round(rid).status == RoundStatus.CLOSED

    again = rounds(runner, "close", str(rid))
    assert again.exit_code == 0
    assert again.output == f"Round {rid} (Spring) is already closed: nothing was changed.\n"

    published = rounds(runner, "publish", str(rid))
    assert published.exit_code == 0
    assert published.output == f"Round {rid} (Spring): The reports are published.\n"
    for step in ("publish", "close"):
        result = rounds(runner, step, str(rid))
        assert result.exit_code == 0
        assert "is already published: nothing was changed." in result.output
    assert reload_round(rid).status == RoundStatus.PUBLISHED


def test_a_step_the_web_refuses_is_refused_with_its_message(runner, org):
    draft = create_round(settings(), [org["anna"].id]).id
    result = rounds(runner, "close", str(draft))
    assert result.exit_code == 1
    assert "Only a round that is open can be closed; this one is draft." in result.output
    result = rounds(runner, "publish", str(draft))
    assert result.exit_code == 1
    assert "Only a round that is closed can be published; this one is draft." in result.output
    assert reload_round(draft).status == RoundStatus.DRAFT

    rid = launched(org, "bob")
    result = rounds(runner, "publish", str(rid))
    assert result.exit_code == 1
    assert "Only a round that is closed can be published; this one is open." in result.output
    assert reload_round(rid).status == RoundStatus.OPEN


def test_an_unknown_round_is_an_error(runner, db):
    for step in ("close", "publish"):
        result = rounds(runner, step, "999")
        assert result.exit_code == 1
        assert "Round 999 does not exist" in result.output
    result = rounds(runner, "close", "spring")
    assert result.exit_code == 2 and "is not a valid integer" in result.output


def test_a_run_that_loses_the_race_says_already_closed(runner, org, monkeypatch):
    rid = launched(org)
    close_round = transitions.close_round

    def another_run_first(round_id):
        close_round(round_id)  # the other run wins between our check and our close
        return close_round(round_id)

    monkeypatch.setattr(transitions, "close_round", another_run_first)
    result = rounds(runner, "close", str(rid))
    assert result.exit_code == 0
    assert result.output == f"Round {rid} (Spring) is already closed: nothing was changed.\n"


def test_closing_from_the_command_line_keeps_the_final_counts(app, runner, db):
    rnd, participant, links = factories.make_rated_manager(db, reports=3)
    (_invitation, token), *_ = links[RaterGroup.DIRECT_REPORT]
    rater = app.test_client()
    fingerprint = FINGERPRINT.search(rater.get(f"/s/{token}").text).group(1)
    statement = factories.statement_ids(rnd)[0]
    response = rater.post(
        f"/s/{token}",
        data={"action": "submit", f"s{statement}": "4", "draft_fingerprint": fingerprint},
    )
    assert response.status_code == 200
    rid = rnd.id
    assert rounds(runner, "close", str(rid)).exit_code == 0
    _db.session.expire_all()
    # Who submitted is gone; how many answered stays, final.
    assert (
        _db.session.scalars(sa.select(Invitation.submitted).where(Invitation.round_id == rid)).all()
        == [None] * 5
    )
    dashboard = response_dashboard(rid)
    assert dashboard.final and (dashboard.total.answered, dashboard.total.invited) == (1, 5)
    listed = rounds(runner, "list").output
    assert "20% (1 / 5)" in listed and "closed" in listed
