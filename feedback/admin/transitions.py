"""Moving a round on (draft -> open -> closed -> published), and whether a step can go ahead.

Every move is one conditional UPDATE (`claim`): of two callers at the same moment exactly
one wins, the other is told why. Launch itself is in launch.py, what closing does to the
round's data in closing.py.
"""

import sqlalchemy as sa

from feedback.admin import closing
from feedback.admin.raters import rater_problems
from feedback.admin.rounds import AdminError, get_round
from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db
from feedback.models import Round, RoundStatus


def claim(round_id: int, source: str, target: str, stamp: str, refusal: str) -> None:
    """Move the round from source to target with one conditional UPDATE, so that of two
    callers at the same moment exactly one wins; the other is told why (rolled back)."""
    moved = db.session.execute(
        sa.update(Round)
        .where(Round.id == round_id, Round.status == source)
        .values({"status": target, stamp: utcnow()})
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.rollback()
        rnd = get_round(round_id)
        if rnd is None:
            raise AdminError("This round does not exist.")
        raise AdminError(refusal.format(status=rnd.status))


def _transition(round_id: int, source: RoundStatus, target: RoundStatus, stamp: str) -> Round:
    begin_write()
    claim(
        round_id,
        source,
        target,
        stamp,
        f"Only a round that is {source} can become {target}; this one is {{status}}.",
    )
    db.session.commit()
    rnd = db.session.get(Round, round_id)
    db.session.refresh(rnd)
    return rnd


def close_round(round_id: int) -> Round:
    """open -> closed, in one transaction with opening the round's envelopes and erasing
    who took part (feedback/admin/closing.py); then the storage is cleaned."""
    begin_write()
    claim(
        round_id,
        RoundStatus.OPEN,
        RoundStatus.CLOSED,
        "closed_at",
        "Only a round that is open can become closed; this one is {status}.",
    )
    try:
        closing.close_in_transaction(round_id)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    closing.clean_after_close(round_id)
    rnd = db.session.get(Round, round_id)
    db.session.refresh(rnd)
    return rnd


def publish_round(round_id: int) -> Round:
    """closed -> published. Final: there is no way back."""
    return _transition(round_id, RoundStatus.CLOSED, RoundStatus.PUBLISHED, "published_at")


def step_problems(rnd: Round, step: str, source: RoundStatus) -> list[str]:
    """Why the confirm page of launch / close / publish cannot go ahead (empty: it can)."""
    if rnd.status != source:
        return [f"Only a round that is {source} can be {_DONE[step]}; this one is {rnd.status}."]
    if step == "launch":
        return rater_problems(rnd.id)
    return []


_DONE = {"launch": "launched", "close": "closed", "publish": "published"}


def step_message(step: str, result) -> str:
    if step == "launch":
        verb = "are being sent" if result.job_id else "sent"
        return (
            f"The round is open: {result.invitations} invitations "
            f"and {result.password_mails} set-password e-mails to managers {verb}."
        )
    if step == "close":
        return "The round is closed."
    return "The reports are published."
