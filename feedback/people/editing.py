"""HR edits one person: name, e-mail, language, role, team, manager, active or left.

Changes apply to rounds set up from now on. A round already launched keeps its invitations
as they are (address and language included); when a person's address changed, HR may send
the survey link of their invitations in open rounds again, to the new address
(`resend_links`). Invitations of rounds not launched yet are proposals made from the
person, so they follow the new address and language.

Which raters have answered is never shown or used here: a link goes again to every
invitation of the person in an open round, answered or not (DESIGN.md, "Anonymity").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from feedback.db import begin_write
from feedback.extensions import db
from feedback.models import Invitation, Participant, Person, Round, RoundStatus, User
from feedback.people.importing import LANGUAGES, MAX_LENGTH, normalise_email
from feedback.people.labels import ROLE_LABELS
from feedback.text import has_control_character, strip_bidi

# ---------------------------------------------------------------------------- the loop rule


def reporting_loop(
    person_id: int, manager_id: int | None, manager_of: Mapping[int, int | None]
) -> list[int] | None:
    """The loop that giving `person_id` the manager `manager_id` would close, as the ids
    from the person up their new line and back to them ([a, b, c, a]); None when there is
    none. `manager_of` maps each person to their manager as things are now (the person's own
    entry is ignored: it is what changes). A person as their own manager is the loop [a, a].

    A loop elsewhere in older data that does not pass through the person is not theirs
    to fix here, and does not refuse the change.
    """
    if manager_id is None:
        return None
    chain = [person_id]
    seen = {person_id}
    node: int | None = manager_id
    while node is not None:
        chain.append(node)
        if node == person_id:
            return chain
        if node in seen:
            return None
        seen.add(node)
        node = manager_of.get(node)
    return None


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class RoundInvitations:
    """The invitations of the person in one round, as HR may see them (no answered/not)."""

    round_id: int
    round_name: str
    count: int
    old_addresses: list[str]  # the addresses they go to that are not the person's now


@dataclass
class PersonPage:
    person: Person
    reports: list[Person]
    open_rounds: list[RoundInvitations]
    has_account: bool

    @property
    def outdated(self) -> list[RoundInvitations]:
        """Open rounds whose invitations still go to an older address of the person."""
        return [r for r in self.open_rounds if r.old_addresses]


def get_person(person_id: int) -> Person | None:
    return db.session.scalar(
        sa.select(Person).options(so.joinedload(Person.manager)).where(Person.id == person_id)
    )


def person_page(person: Person) -> PersonPage:
    reports = list(
        db.session.scalars(
            sa.select(Person)
            .where(Person.manager_id == person.id, Person.id != person.id)
            .order_by(sa.func.lower(Person.name), Person.id)
        )
    )
    rows = db.session.execute(
        sa.select(Round.id, Round.name, Invitation.email)
        .join(Invitation, Invitation.round_id == Round.id)
        .where(Invitation.person_id == person.id, Round.status == RoundStatus.OPEN)
        .order_by(Round.id, Invitation.id)
    ).all()
    counts: dict[int, int] = {}
    names: dict[int, str] = {}
    old: dict[int, list[str]] = {}
    for round_id, round_name, email in rows:
        names[round_id] = round_name
        counts[round_id] = counts.get(round_id, 0) + 1
        addresses = old.setdefault(round_id, [])
        if email.lower() != person.email.lower() and email not in addresses:
            addresses.append(email)
    rounds = [RoundInvitations(i, names[i], counts[i], old[i]) for i in names]
    has_account = db.session.scalar(sa.select(User.id).where(User.person_id == person.id))
    return PersonPage(person, reports, rounds, has_account is not None)


def role_choices(current: str | None) -> list[str]:
    """The roles HR can pick: the known ones, and a person's own wording from an import."""
    roles = list(ROLE_LABELS)
    if current and current not in roles:
        roles.append(current)
    return roles


def manager_suggestions() -> list[tuple[str, str]]:
    """(e-mail, name) of active people who manage someone or have a manager's role."""
    report = so.aliased(Person)
    return [
        (email, name)
        for email, name in db.session.execute(
            sa.select(Person.email, Person.name)
            .where(
                Person.active.is_(True),
                sa.or_(
                    Person.role.in_(("manager", "director")),
                    sa.exists().where(report.manager_id == Person.id),
                ),
            )
            .order_by(sa.func.lower(Person.name))
        )
    ]


# ---------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class PersonEdit:
    """What HR typed (raw form values)."""

    name: str = ""
    email: str = ""
    language: str = ""
    role: str = ""
    team: str = ""
    manager_email: str = ""
    active: bool = True


class PersonInvalid(ValueError):
    """The edit was refused; `errors` has one message per field, for HR."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class EditResult:
    changed: list[str] = field(default_factory=list)  # field names
    email_changed: bool = False


def _clean_text(value: str, limit: int) -> tuple[str, str | None]:
    """Spaces tidied and bidi controls removed; the problem: "control" or "long"."""
    text = " ".join(strip_bidi(value or "").split())
    if text and has_control_character(text):
        return text, "control"
    if len(text) > limit:
        return text, "long"
    return text, None


def check_edit(person: Person, edit: PersonEdit) -> tuple[dict, dict[str, str]]:
    """The values to store and the errors (field -> message); reads, never writes."""
    errors: dict[str, str] = {}
    name, problem = _clean_text(edit.name, MAX_LENGTH["name"])
    if problem == "control":
        errors["name"] = _("The name contains a control character.")
    elif problem == "long":
        errors["name"] = _("A name can be at most %(num)d characters.", num=MAX_LENGTH["name"])
    elif not name:
        errors["name"] = _("Fill in a name.")
    team, problem = _clean_text(edit.team, MAX_LENGTH["team"])
    if problem == "control":
        errors["team"] = _("The team contains a control character.")
    elif problem == "long":
        errors["team"] = _("A team can be at most %(num)d characters.", num=MAX_LENGTH["team"])

    raw_email = strip_bidi(edit.email or "").strip()
    email = normalise_email(raw_email) if raw_email else None
    if not raw_email:
        errors["email"] = _("Fill in an e-mail address.")
    elif email is None or len(email) > MAX_LENGTH["email"]:
        errors["email"] = _("%(value)s is not a valid e-mail address.", value=raw_email)
    else:
        other = db.session.scalar(
            sa.select(Person).where(sa.func.lower(Person.email) == email, Person.id != person.id)
        )
        account = db.session.scalar(
            sa.select(User).where(
                sa.func.lower(User.email) == email,
                sa.or_(User.person_id.is_(None), User.person_id != person.id),
            )
        )
        if other is not None:
            errors["email"] = _(
                "%(email)s is already the address of %(name)s.", email=email, name=other.name
            )
        elif account is not None:
            errors["email"] = _("%(email)s is already the address of another account.", email=email)

    language = (edit.language or "").strip().lower()
    if language not in LANGUAGES:
        errors["language"] = _("Choose Dutch or English.")
    role = (edit.role or "").strip()
    if role not in role_choices(person.role):
        errors["role"] = _("Choose one of the roles in the list.")

    manager_id = None
    raw_manager = strip_bidi(edit.manager_email or "").strip()
    if raw_manager:
        manager_email = normalise_email(raw_manager)
        manager = (
            db.session.scalar(sa.select(Person).where(sa.func.lower(Person.email) == manager_email))
            if manager_email
            else None
        )
        if manager_email is None:
            errors["manager_email"] = _(
                "%(value)s is not a valid e-mail address.", value=raw_manager
            )
        elif manager is None:
            errors["manager_email"] = _(
                "Nobody in the organisation has the address %(email)s.", email=manager_email
            )
        elif manager.id == person.id:
            errors["manager_email"] = _("A person cannot be their own manager.")
        else:
            manager_of = dict(db.session.execute(sa.select(Person.id, Person.manager_id)).all())
            loop = reporting_loop(person.id, manager.id, manager_of)
            if loop:
                names = dict(
                    db.session.execute(
                        sa.select(Person.id, Person.name).where(Person.id.in_(loop))
                    ).all()
                )
                errors["manager_email"] = _(
                    "%(name)s reports to %(person)s, directly or through others, so cannot be "
                    "their manager: %(chain)s.",
                    name=manager.name,
                    person=person.name,
                    chain=" → ".join(names[i] for i in loop),
                )
            manager_id = manager.id
    values = {
        "name": name,
        "email": email,
        "language": language,
        "role": role,
        "team": team or None,
        "manager_id": manager_id,
        "active": bool(edit.active),
    }
    return values, errors


def update_person(person_id: int, edit: PersonEdit) -> EditResult:
    """Save HR's edit in one transaction, or refuse it whole (PersonInvalid)."""
    begin_write()
    try:
        person = db.session.get(Person, person_id)
        if person is None:
            raise LookupError(person_id)
        values, errors = check_edit(person, edit)
        if errors:
            raise PersonInvalid(errors)
        changed = [key for key, value in values.items() if getattr(person, key) != value]
        email_changed = "email" in changed
        for key in changed:
            setattr(person, key, values[key])
        if email_changed or "language" in changed:
            _update_unlaunched_invitations(person)
        account = db.session.scalar(sa.select(User).where(User.person_id == person.id))
        if account is not None:
            if email_changed:
                account.email = person.email
            if "active" in changed:
                account.active = person.active
                if not person.active:  # their open sessions end, and stay ended if they return
                    account.end_sessions()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return EditResult(changed=changed, email_changed=email_changed)


def _update_unlaunched_invitations(person: Person) -> None:
    """Invitations of rounds not launched yet follow the person's address and language,
    except where the manager rated already has an invitation to the new address."""
    other = so.aliased(Invitation)
    draft_rounds = sa.select(Round.id).where(Round.status == RoundStatus.DRAFT)
    db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.person_id == person.id,
            Invitation.round_id.in_(draft_rounds),
            ~sa.exists().where(
                other.participant_id == Invitation.participant_id,
                sa.func.lower(other.email) == person.email.lower(),
                other.id != Invitation.id,
            ),
        )
        .values(email=person.email, language=person.language)
        .execution_options(synchronize_session=False)
    )


def resend_links(person_id: int) -> int:
    """Send the survey link again, to the person's address now, for each of their
    invitations in an open round that still goes to another address. A new link is minted
    (the old ones keep working, as after a reminder) and the invitation mail is queued as
    at launch. Returns how many mails were queued."""
    from feedback.admin.launch import send_invitation_mail
    from feedback.mail import queue_delivery
    from feedback.survey.drafts import mint_link

    begin_write()
    try:
        person = db.session.get(Person, person_id)
        if person is None:
            raise LookupError(person_id)
        invitations = db.session.scalars(
            sa.select(Invitation)
            .join(Round, Round.id == Invitation.round_id)
            .where(
                Invitation.person_id == person.id,
                Round.status == RoundStatus.OPEN,
                sa.func.lower(Invitation.email) != person.email.lower(),
            )
            .options(so.joinedload(Invitation.participant).joinedload(Participant.person))
            .order_by(Invitation.id)
        ).all()
        rounds: set[int] = set()
        for invitation in invitations:
            invitation.email = person.email
            answered = invitation.submitted
            token = mint_link(invitation)
            if answered:  # as submitting left it: no draft key (the link says it was sent)
                invitation.draft_key_sealed = None
            send_invitation_mail(db.session.get(Round, invitation.round_id), invitation, token)
            rounds.add(invitation.round_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for round_id in sorted(rounds):
        queue_delivery(round_id)
    return len(invitations)
