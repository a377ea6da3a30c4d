"""Launching a round: whether it can go ahead, then the links and the mails it sends
(invitations to raters, set-password mails to managers without a password)."""

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import gettext as _

from feedback.admin.labels import status_label
from feedback.admin.raters import rater_problems
from feedback.admin.rounds import AdminError, get_round
from feedback.admin.transitions import claim
from feedback.auth.services import ensure_manager_account, issue_password_link
from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db
from feedback.mail import MailError, queue_delivery, send_mail
from feedback.mail_texts import compose
from feedback.models import Invitation, Participant, Person, RaterGroup, Round, RoundStatus
from feedback.survey.drafts import mint_link
from feedback.tokens import password_link, survey_link


@dataclass(frozen=True)
class LaunchResult:
    invitations: int
    password_mails: int
    job_id: str | None = None  # the background job delivering the mail (SMTP only)


def launch_problems(round_id: int) -> list[str]:
    """Why a round cannot be launched (empty when it can); read-only."""
    rnd = get_round(round_id)
    if rnd is None:
        return [_("This round does not exist.")]
    if rnd.status != RoundStatus.DRAFT:
        return [
            _(
                "This round was already launched (it is %(status)s).",
                status=status_label(rnd.status),
            )
        ]
    return rater_problems(round_id)


def launch_round(round_id: int) -> LaunchResult:
    """Open a draft round: a token per invitation (only its hash is kept), invitation
    mails in each rater's language, manager accounts with set-password mails.

    One transaction: all of it happens or none. A second call is refused and sends nothing.
    """
    begin_write()
    # Claim the round first: only one caller can move it out of draft.
    claim(
        round_id,
        RoundStatus.DRAFT,
        RoundStatus.OPEN,
        "launched_at",
        lambda status: _(
            "This round was already launched (it is %(status)s): nothing was sent again.",
            status=status,
        ),
    )
    problems = rater_problems(round_id)
    if problems:
        db.session.rollback()
        raise AdminError(
            _("The round cannot be launched yet: %(problems)s", problems=" ".join(problems))
        )
    rnd = db.session.get(Round, round_id)
    db.session.refresh(rnd)
    try:
        invitations = _send_invitations(rnd)
        password_mails = _ensure_manager_accounts(rnd)
    except MailError as error:
        db.session.rollback()
        raise AdminError(_("Nothing was sent: %(error)s", error=error)) from error
    db.session.commit()
    # With SMTP the mails are queued (committed above, with their tokens); a background
    # job delivers them, so a round of 2,000 raters does not wait on the mail server here.
    job = queue_delivery(round_id)
    return LaunchResult(
        invitations=invitations,
        password_mails=password_mails,
        job_id=job.id if job is not None else None,
    )


# --- the mails -------------------------------------------------------------------------------


def _send_invitations(rnd: Round) -> int:
    invitations = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.round_id == rnd.id)
        .options(so.joinedload(Invitation.participant).joinedload(Participant.person))
        .order_by(Invitation.id)
    ).all()
    now = utcnow()
    for invitation in invitations:
        token = mint_link(invitation)
        invitation.sent_at = now
        send_invitation_mail(rnd, invitation, token)
    return len(invitations)


def send_invitation_mail(rnd: Round, invitation: Invitation, token: str) -> None:
    """Queue the invitation mail with the link `token`, in the rater's language, to the
    invitation's address (in the caller's transaction). Also sends the link again to a
    rater whose address changed (feedback/people/editing.py)."""
    mail = compose(
        "invitation",
        invitation.language,
        round=rnd,
        manager_name=invitation.participant.person.name,
        group=invitation.group,
        is_self=invitation.group == RaterGroup.SELF,
        link=survey_link(token),
        closes_on=rnd.closes_on,
    )
    send_mail(
        invitation.email, mail.subject, mail.text, mail.html, kind="invitation", round_id=rnd.id
    )


def _ensure_manager_accounts(rnd: Round) -> int:
    sent = 0
    managers = db.session.scalars(
        sa.select(Person)
        .join(Participant, Participant.person_id == Person.id)
        .where(Participant.round_id == rnd.id)
        .order_by(Person.id)
    ).all()
    for person in managers:
        user = ensure_manager_account(person)
        if user.password_hash or not user.active:
            continue
        token = issue_password_link(user)
        mail = compose(
            "set_password",
            person.language,
            name=person.name,
            link=password_link(token),
            hours=current_app.config["PASSWORD_LINK_HOURS"],
            round=rnd,
        )
        send_mail(user.email, mail.subject, mail.text, mail.html, kind="password", round_id=rnd.id)
        sent += 1
    return sent
