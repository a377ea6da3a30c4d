"""Scripted rounds: `flask --app wsgi rounds create ...` and `rounds launch ROUND_ID`, with the
rules and messages of HR's new-round page and launch button."""

import sqlalchemy as sa

from feedback.extensions import db as _db
from feedback.models import Invitation, OutboxMessage, Participant, Round, RoundStatus
from tests.admin.admin_helpers import reload_round

DATES = ["--opens", "2027-03-01", "--closes", "2027-03-21"]


def rounds(runner, *args, lang="en", **kwargs):
    return runner.invoke(args=["rounds", *args, "--lang", lang], **kwargs)


def _only_round() -> Round:
    return _db.session.scalars(sa.select(Round)).one()


def _managers(rnd: Round) -> set[str]:
    return {p.person.name for p in _db.session.scalars(sa.select(Participant))}


def test_create_for_all_managers_then_launch(runner, org):
    result = rounds(runner, "create", "Spring", *DATES, "--all-managers")
    assert result.exit_code == 0, result.output
    rnd = _only_round()
    assert result.output.splitlines() == [
        f"Round {rnd.id} (Spring) created as a draft with 3 managers.",
        f"Check the raters, then launch it: flask --app wsgi rounds launch {rnd.id}",
    ]
    assert rnd.status == RoundStatus.DRAFT and rnd.threshold == 3
    # every active manager with an active team, as the page offers (not the inactive one)
    assert _managers(rnd) == {"Anna Manager", "Bob Manager", "Dora Director"}
    invitations = _db.session.scalar(sa.select(sa.func.count()).select_from(Invitation))
    assert invitations > 8  # the raters the page proposes: self, own manager, active reports

    launched = rounds(runner, "launch", str(rnd.id))
    assert launched.exit_code == 0, launched.output
    assert launched.output.startswith(
        f"Round {rnd.id} (Spring): The round is open: {invitations} invitations"
    )
    assert reload_round(rnd.id).status == RoundStatus.OPEN
    kinds = _db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert kinds.count("invitation") == invitations

    again = rounds(runner, "launch", str(rnd.id))
    assert again.exit_code == 0
    assert again.output == f"Round {rnd.id} (Spring) is already open: nothing was changed.\n"
    assert (
        _db.session.scalars(sa.select(OutboxMessage.kind)).all().count("invitation") == invitations
    )


def test_create_from_a_file_of_addresses_with_a_threshold(runner, org, tmp_path):
    listing = tmp_path / "managers.txt"
    listing.write_text(f"# spring round\n{org['anna'].email.upper()}\n\n", encoding="utf-8")
    result = rounds(
        runner, "create", "Spring", *DATES, "--managers", str(listing), "--threshold", "4"
    )
    assert result.exit_code == 0, result.output
    rnd = _only_round()
    assert "with 1 manager." in result.output
    assert rnd.threshold == 4 and _managers(rnd) == {"Anna Manager"}


def test_create_refuses_what_the_page_refuses_and_creates_nothing(runner, org, tmp_path):
    listing = tmp_path / "managers.txt"
    listing.write_text(f"{org['anna'].email}\n{org['gone'].email}\nnobody@x.test\n")
    result = rounds(runner, "create", "Spring", *DATES, "--managers", str(listing))
    assert result.exit_code == 1
    assert f"Not an active manager with a team: {org['gone'].email}, nobody@x.test." in (
        result.output
    )

    result = rounds(runner, "create", "Spring", "--opens", "2027-03-21", "--closes", "2027-03-01",
                    "--all-managers", "--threshold", "1")  # fmt: skip
    assert result.exit_code == 1
    assert "The close date must be after the open date." in result.output
    assert "The anonymity threshold must be a whole number from 2 to 50." in result.output

    result = rounds(runner, "create", "Spring", *DATES)
    assert result.exit_code == 2
    assert "Choose the managers with either --all-managers or --managers FILE." in result.output
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 0


def test_messages_in_dutch(runner, org):
    result = rounds(runner, "create", "Lente", *DATES, "--all-managers", lang="nl")
    assert result.exit_code == 0, result.output
    assert "als concept" in result.output
    rnd = _only_round()
    result = rounds(runner, "launch", str(rnd.id + 1), lang="nl")
    assert result.exit_code == 1 and "bestaat niet" in result.output


def test_launch_refuses_a_round_the_button_refuses(runner, org):
    result = rounds(runner, "create", "Spring", *DATES, "--all-managers")
    rnd = _only_round()
    _db.session.execute(
        sa.delete(Invitation)
        .where(Invitation.group == "self")
        .execution_options(synchronize_session=False)
    )
    _db.session.commit()
    result = rounds(runner, "launch", str(rnd.id))
    assert result.exit_code == 1
    assert "The round cannot be launched yet:" in result.output
    assert "Anna Manager needs exactly one self-assessment." in result.output
    assert reload_round(rnd.id).status == RoundStatus.DRAFT
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
