"""Moving a round on (draft -> open -> closed -> published), and whether a step can go ahead.

Every move is one conditional UPDATE (`claim`): of two callers at the same moment exactly
one wins, the other is told why. Launch itself is in launch.py, what closing does to the
round's data in closing.py.
"""

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.admin import closing
from feedback.admin.labels import status_label
from feedback.admin.raters import rater_problems
from feedback.admin.rounds import AdminError, get_round
from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db
from feedback.models import Round, RoundStatus


def claim(
    round_id: int, source: str, target: str, stamp: str, refusal: Callable[[str], str]
) -> None:
    """Move the round from source to target with one conditional UPDATE, so that of two
    callers at the same moment exactly one wins; the other is told why (rolled back):
    `refusal(status)` is the message, given the round's state in words."""
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
            raise AdminError(_("This round does not exist."))
        raise AdminError(refusal(status_label(rnd.status)))


def _transition(
    round_id: int,
    source: RoundStatus,
    target: RoundStatus,
    stamp: str,
    refusal: Callable[[str], str],
) -> Round:
    begin_write()
    claim(round_id, source, target, stamp, refusal)
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
        lambda status: _(
            "Only a round that is open can be closed; this one is %(status)s.", status=status
        ),
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
    return _transition(
        round_id,
        RoundStatus.CLOSED,
        RoundStatus.PUBLISHED,
        "published_at",
        lambda status: _(
            "Only a round that is closed can be published; this one is %(status)s.", status=status
        ),
    )


def wrong_state(step: str, status: str) -> str:
    """Why `step` cannot be taken from the round's state (in words)."""
    status = status_label(status)
    if step == "launch":
        return _(
            "Only a round that is draft can be launched; this one is %(status)s.", status=status
        )
    if step == "close":
        return _("Only a round that is open can be closed; this one is %(status)s.", status=status)
    return _("Only a round that is closed can be published; this one is %(status)s.", status=status)


def step_problems(rnd: Round, step: str, source: RoundStatus) -> list[str]:
    """Why the confirm page of launch / close / publish cannot go ahead (empty: it can)."""
    if rnd.status != source:
        return [wrong_state(step, rnd.status)]
    if step == "launch":
        return rater_problems(rnd.id)
    return []


def step_message(step: str, result) -> str:
    if step == "launch":
        invitations = ngettext("%(num)d invitation", "%(num)d invitations", result.invitations)
        passwords = ngettext(
            "%(num)d set-password e-mail to managers",
            "%(num)d set-password e-mails to managers",
            result.password_mails,
        )
        if result.job_id:
            return _(
                "The round is open: %(invitations)s and %(passwords)s are being sent.",
                invitations=invitations,
                passwords=passwords,
            )
        return _(
            "The round is open: %(invitations)s and %(passwords)s sent.",
            invitations=invitations,
            passwords=passwords,
        )
    if step == "close":
        return _("The round is closed.")
    return _("The reports are published.")
