"""The raters of a round's managers: who is proposed, adding and removing them while the
round is a draft, and the rule that every manager has one self and another rater.

Anonymity: rater e-mails are only listed while a round is a draft (nobody can have
answered yet).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.admin.rounds import AdminError, get_round, round_for_update
from feedback.db import begin_write
from feedback.extensions import db
from feedback.mail import MailError, clean_address
from feedback.models import Invitation, Participant, Person, RaterGroup, RoundStatus
from feedback.reports.labels import GROUP_NAMES

ADDABLE_GROUPS = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.SUPERVISOR)
GROUP_ORDER = (
    RaterGroup.SELF,
    RaterGroup.SUPERVISOR,
    RaterGroup.DIRECT_REPORT,
    RaterGroup.PEER,
)
# Each group by its one name (the report's): reports/labels.py holds them.
GROUP_LABELS = {group: GROUP_NAMES[str(group)] for group in GROUP_ORDER}
# "Anna already rates Bob (as a peer).": the group as part of a sentence
AS_GROUP = {
    RaterGroup.SELF: _l("as self"),
    RaterGroup.SUPERVISOR: _l("as supervisor"),
    RaterGroup.DIRECT_REPORT: _l("as a direct report"),
    RaterGroup.PEER: _l("as a peer"),
}


# --- who is proposed -------------------------------------------------------------------------


def proposed_raters(manager: Person) -> list[tuple[Person, RaterGroup]]:
    """Self, active direct reports, and the active own manager as supervisor."""
    raters: list[tuple[Person, RaterGroup]] = [(manager, RaterGroup.SELF)]
    raters += [
        (rep, RaterGroup.DIRECT_REPORT)
        for rep in sorted(manager.reports, key=lambda p: (p.name, p.id))
        if rep.active and rep.id != manager.id
    ]
    boss = manager.manager
    if boss is not None and boss.active and boss.id != manager.id:
        raters.append((boss, RaterGroup.SUPERVISOR))
    return raters


def new_invitation(participant: Participant, person: Person, group: RaterGroup) -> Invitation:
    """An invitation of person to rate participant, in the person's language."""
    return Invitation(
        round_id=participant.round_id,
        participant=participant,
        person=person,
        group=str(group),
        email=person.email,
        language=person.language if person.language in ("nl", "en") else "nl",
    )


# --- raters of a draft round ---------------------------------------------------------------


@dataclass(frozen=True)
class RaterRow:
    invitation_id: int
    name: str
    email: str
    removable: bool


@dataclass
class GroupRaters:
    group: str
    label: str
    raters: list[RaterRow] = field(default_factory=list)


@dataclass
class ParticipantRaters:
    id: int
    name: str
    email: str
    groups: list[GroupRaters]
    count_besides_self: int
    self_count: int

    @property
    def ready(self) -> bool:
        return self.self_count == 1 and self.count_besides_self >= 1


def _participant_raters(participant: Participant) -> ParticipantRaters:
    groups = {g: GroupRaters(group=str(g), label=str(GROUP_LABELS[g])) for g in GROUP_ORDER}
    for inv in participant.invitations:
        name = inv.person.name if inv.person else inv.email
        groups[RaterGroup(inv.group)].raters.append(
            RaterRow(
                invitation_id=inv.id,
                name=name,
                email=inv.email,
                removable=inv.group != RaterGroup.SELF,
            )
        )
    for g in groups.values():
        g.raters.sort(key=lambda r: (r.name.lower(), r.email))
    self_count = len(groups[RaterGroup.SELF].raters)
    return ParticipantRaters(
        id=participant.id,
        name=participant.person.name,
        email=participant.person.email,
        groups=list(groups.values()),
        count_besides_self=len(participant.invitations) - self_count,
        self_count=self_count,
    )


def draft_raters(round_id: int) -> list[ParticipantRaters]:
    """Per manager the proposed raters by group. Only for a draft round."""
    rnd = get_round(round_id)
    if rnd is None or rnd.status != RoundStatus.DRAFT:
        return []
    participants = db.session.scalars(
        sa.select(Participant)
        .join(Participant.person)
        .where(Participant.round_id == round_id)
        .options(
            so.contains_eager(Participant.person),
            so.selectinload(Participant.invitations).joinedload(Invitation.person),
        )
        .order_by(Person.name, Participant.id)
    )
    return [_participant_raters(p) for p in participants]


def participant_raters(participant: Participant) -> ParticipantRaters:
    return _participant_raters(participant)


def get_participant(round_id: int, participant_id: int) -> Participant | None:
    return db.session.scalar(
        sa.select(Participant).where(
            Participant.id == participant_id, Participant.round_id == round_id
        )
    )


def find_person(query: str) -> Person:
    """An active person by exact e-mail, else by a name that matches exactly one person."""
    query = (query or "").strip()
    if not query:
        raise AdminError(_("Type the e-mail address or the name of the rater."))
    person = db.session.scalar(
        sa.select(Person).where(sa.func.lower(Person.email) == query.lower())
    )
    if person is None:
        people = list(
            db.session.scalars(
                sa.select(Person).where(sa.func.lower(Person.name) == query.lower()).limit(2)
            )
        )
        if len(people) > 1:
            raise AdminError(
                _("More than one person is called '%(name)s': use the e-mail address.", name=query)
            )
        person = people[0] if people else None
    if person is None:
        raise AdminError(_("Nobody in the organisation matches '%(query)s'.", query=query))
    if not person.active:
        raise AdminError(_("%(name)s is not active in the organisation.", name=person.name))
    return person


def add_rater(round_id: int, participant_id: int, who: str, group: str) -> Invitation:
    """Add a rater to a draft round's manager. Refuses duplicates and a second self."""
    if group not in {str(g) for g in ADDABLE_GROUPS}:
        raise AdminError(_("Choose the rater's group: peer, direct report or supervisor."))
    begin_write()
    try:
        rnd = round_for_update(round_id)
        if rnd.status != RoundStatus.DRAFT:
            raise AdminError(_("Raters can only be changed before the round is launched."))
        participant = get_participant(round_id, participant_id)
        if participant is None:
            raise AdminError(_("This manager is not part of the round."))
        person = find_person(who)
        if person.id == participant.person_id:
            raise AdminError(
                _(
                    "%(name)s is the manager being rated: they take part only as self.",
                    name=person.name,
                )
            )
        try:
            email = clean_address(person.email)
        except MailError as error:
            raise AdminError(str(error)) from error
        taken = db.session.scalar(
            sa.select(Invitation.group).where(
                Invitation.participant_id == participant.id,
                sa.or_(
                    Invitation.person_id == person.id,
                    sa.func.lower(Invitation.email) == email.lower(),
                ),
            )
        )
        if taken is not None:
            raise AdminError(
                _(
                    "%(name)s already rates %(manager)s (%(group)s).",
                    name=person.name,
                    manager=participant.person.name,
                    group=AS_GROUP[RaterGroup(taken)],
                )
            )
    except AdminError:
        db.session.rollback()
        raise
    invitation = new_invitation(participant, person, RaterGroup(group))
    db.session.add(invitation)
    db.session.commit()
    return invitation


def remove_rater(round_id: int, participant_id: int, invitation_id: int) -> Participant:
    """Remove a proposed rater from a draft round; self stays. Returns the participant."""
    begin_write()
    try:
        rnd = round_for_update(round_id)
        if rnd.status != RoundStatus.DRAFT:
            raise AdminError(_("Raters can only be changed before the round is launched."))
        invitation = db.session.scalar(
            sa.select(Invitation).where(
                Invitation.id == invitation_id,
                Invitation.round_id == round_id,
                Invitation.participant_id == participant_id,
            )
        )
        if invitation is None:
            raise AdminError(_("This rater is not in the round (any more)."))
        if invitation.group == RaterGroup.SELF:
            raise AdminError(_("The manager's self-assessment cannot be removed."))
    except AdminError:
        db.session.rollback()
        raise
    participant = invitation.participant
    db.session.delete(invitation)
    db.session.commit()
    return participant


# --- ready to launch? ----------------------------------------------------------------------


def rater_problems(round_id: int) -> list[str]:
    """Every manager needs exactly one self and at least one other rater."""
    counts = db.session.execute(
        sa.select(
            Person.name,
            sa.func.sum(sa.case((Invitation.group == RaterGroup.SELF, 1), else_=0)),
            sa.func.sum(sa.case((Invitation.group != RaterGroup.SELF, 1), else_=0)),
        )
        .select_from(Participant)
        .join(Person, Person.id == Participant.person_id)
        .outerjoin(Invitation, Invitation.participant_id == Participant.id)
        .where(Participant.round_id == round_id)
        .group_by(Participant.id, Person.name)
        .order_by(Person.name)
    ).all()
    if not counts:
        return [_("The round has no managers to rate.")]
    problems = []
    for name, selves, others in counts:
        if (selves or 0) != 1:
            problems.append(_("%(name)s needs exactly one self-assessment.", name=name))
        if not others:
            problems.append(_("%(name)s has no raters besides themself.", name=name))
    return problems
