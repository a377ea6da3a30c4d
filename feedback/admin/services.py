"""HR's side of a feedback round: create, propose raters, launch, watch, close, publish.

Why this module is over 1,000 lines: it is still the catch-all of HR's round operations
(round list, creation, raters, launch with mail composition, dashboard, transitions,
outbox). Splitting it into focused modules is the restructuring issue's first item; closing
(feedback/admin/closing.py) and the counts (feedback/admin/participation.py) already left.

Every function that writes starts with `begin_write()` and commits or rolls back itself;
a refused action raises AdminError with a message for HR and changes nothing.

Anonymity: nothing here returns who has or has not answered. The response dashboard and
the rounds list read the counts per manager and rater group that
feedback/admin/participation.py keeps (counted at most once an hour, so a submit cannot be
timed); rater e-mails are only listed while a round is a draft (nobody can have answered
yet).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, render_template

from feedback.admin import closing, participation
from feedback.admin.completion import Rate, completion_view
from feedback.auth.services import ensure_manager_account, issue_password_link
from feedback.clock import utcnow
from feedback.db import begin_write, contains, paginate
from feedback.extensions import db
from feedback.frameworks import copy_framework, load_framework
from feedback.mail import (
    FAILED,
    KEPT,
    QUEUED,
    SENDING,
    SENT,
    MailError,
    blank_links,
    clean_address,
    queue_delivery,
    send_mail,
)
from feedback.models import (
    Invitation,
    OutboxMessage,
    Participant,
    Person,
    RaterGroup,
    Round,
    RoundStatus,
)
from feedback.survey.drafts import mint_link
from feedback.tokens import mentions_link, password_link, survey_link

MIN_THRESHOLD = 2
MAX_THRESHOLD = 50
ADDABLE_GROUPS = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.SUPERVISOR)
GROUP_ORDER = (
    RaterGroup.SELF,
    RaterGroup.SUPERVISOR,
    RaterGroup.DIRECT_REPORT,
    RaterGroup.PEER,
)
GROUP_LABELS = {
    RaterGroup.SELF: "Self",
    RaterGroup.SUPERVISOR: "Supervisor",
    RaterGroup.DIRECT_REPORT: "Direct reports",
    RaterGroup.PEER: "Peers",
}
SUBJECTS = {
    "invitation": {
        "nl": "Uw feedback over {manager} gevraagd: {round}",
        "en": "Your feedback on {manager} is requested: {round}",
    },
    "invitation_self": {
        "nl": "Uw zelfbeoordeling: {round}",
        "en": "Your self-assessment: {round}",
    },
    "password": {
        "nl": "Uw account voor feedbackrapporten",
        "en": "Your account for feedback reports",
    },
}


class AdminError(ValueError):
    """A refused action, with a message for HR."""


# --- rounds list -------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundRow:
    id: int
    name: str
    status: str
    opens_on: date
    closes_on: date
    managers: int
    rate: Rate  # as on the round's dashboard: managers with a hidden total are left out
    purged: bool = False  # invitations deleted after the retention period (counts stay)
    counted_at: datetime | None = None


def list_rounds() -> list[RoundRow]:
    """All rounds, newest first, with manager count and overall response rate.

    The rate is the round's total of the stored counts (feedback/admin/participation.py),
    the same figure as on its dashboard, never a live sum over the invitations.
    """
    managers = (
        sa.select(Participant.round_id, sa.func.count().label("n"))
        .group_by(Participant.round_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Round.id,
            Round.name,
            Round.status,
            Round.opens_on,
            Round.closes_on,
            sa.func.coalesce(managers.c.n, 0),
            Round.invitations_purged_at,
            Round.threshold,
        )
        .outerjoin(managers, managers.c.round_id == Round.id)
        .order_by(Round.opens_on.desc(), Round.id.desc())
    ).all()
    counts = participation.read_counts(r.id for r in rows)
    result = []
    for r in rows:
        rc = counts.get(r.id)
        rate = participation.round_total(rc, r.threshold).rate if rc else Rate(0, 0)
        result.append(
            RoundRow(
                id=r.id,
                name=r.name,
                status=r.status,
                opens_on=r.opens_on,
                closes_on=r.closes_on,
                managers=r[5],
                rate=rate,
                purged=r.invitations_purged_at is not None,
                counted_at=rc.counted_at if rc else None,
            )
        )
    return result


def get_round(round_id: int) -> Round | None:
    return db.session.get(Round, round_id)


# --- creating a round --------------------------------------------------------------------


@dataclass(frozen=True)
class RoundSettings:
    name: str
    opens_on: date
    closes_on: date
    threshold: int


def check_settings(settings: RoundSettings) -> list[str]:
    """Problems with a round's name, dates and threshold (empty when fine)."""
    problems = []
    if not settings.name.strip():
        problems.append("Give the round a name.")
    if len(settings.name) > 200:
        problems.append("The name is at most 200 characters.")
    if settings.closes_on <= settings.opens_on:
        problems.append("The close date must be after the open date.")
    if not MIN_THRESHOLD <= settings.threshold <= MAX_THRESHOLD:
        problems.append(
            f"The anonymity threshold must be a whole number from {MIN_THRESHOLD} "
            f"to {MAX_THRESHOLD}."
        )
    return problems


def _has_active_reports():
    report = so.aliased(Person)
    return (
        sa.select(report.id).where(report.manager_id == Person.id, report.active.is_(True)).exists()
    )


def eligible_managers(search: str | None = None) -> list[Person]:
    """Active people with at least one active direct report, optionally filtered."""
    query = sa.select(Person).where(Person.active.is_(True), _has_active_reports())
    search = (search or "").strip()
    if search:
        query = query.where(
            sa.or_(
                contains(Person.name, search),
                contains(Person.email, search),
                contains(sa.func.coalesce(Person.team, ""), search),
            )
        )
    return list(db.session.scalars(query.order_by(Person.name, Person.id)))


@dataclass(frozen=True)
class ManagerOption:
    id: int
    name: str
    email: str
    team: str | None
    reports: int
    checked: bool


@dataclass(frozen=True)
class ManagerPicker:
    shown: list[ManagerOption]
    hidden_selected: list[int]  # chosen, but not matching the filter: kept as hidden inputs
    selected_count: int
    total: int
    search: str


def manager_picker(
    search: str | None, selected_ids: list[int], action: str | None = None
) -> ManagerPicker:
    """The checkbox list of the new-round form: filter, select all shown, clear shown.

    Works the same for a plain form post and an htmx request, so choices survive filtering.
    """
    search = (search or "").strip()
    everyone = eligible_managers()
    shown = eligible_managers(search) if search else everyone
    valid = {p.id for p in everyone}
    selected = {i for i in selected_ids if i in valid}
    shown_ids = [p.id for p in shown]
    if action == "select_all":
        selected |= set(shown_ids)
    elif action == "select_none":
        selected -= set(shown_ids)
    reports = dict(
        db.session.execute(
            sa.select(Person.manager_id, sa.func.count())
            .where(Person.active.is_(True), Person.manager_id.is_not(None))
            .group_by(Person.manager_id)
        ).all()
    )
    return ManagerPicker(
        shown=[
            ManagerOption(
                id=p.id,
                name=p.name,
                email=p.email,
                team=p.team,
                reports=reports.get(p.id, 0),
                checked=p.id in selected,
            )
            for p in shown
        ],
        hidden_selected=sorted(selected - set(shown_ids)),
        selected_count=len(selected),
        total=len(everyone),
        search=search,
    )


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


def _invitation(participant: Participant, person: Person, group: RaterGroup) -> Invitation:
    return Invitation(
        round_id=participant.round_id,
        participant=participant,
        person=person,
        group=str(group),
        email=person.email,
        language=person.language if person.language in ("nl", "en") else "nl",
    )


def create_round(settings: RoundSettings, manager_ids: list[int]) -> Round:
    """A draft round with a copy of the framework and proposed raters per manager."""
    problems = check_settings(settings)
    if not manager_ids:
        problems.append("Choose at least one manager to rate.")
    if problems:
        raise AdminError(" ".join(problems))
    begin_write()
    wanted = set(manager_ids)
    managers = [p for p in eligible_managers() if p.id in wanted]
    if len(managers) != len(wanted):
        db.session.rollback()
        raise AdminError("Some chosen managers are not active managers with a team any more.")
    framework = copy_framework(load_framework())
    rnd = Round(
        name=settings.name.strip(),
        opens_on=settings.opens_on,
        closes_on=settings.closes_on,
        threshold=settings.threshold,
        status=RoundStatus.DRAFT,
        framework=framework,
    )
    db.session.add(rnd)
    db.session.flush()
    for manager in managers:
        participant = Participant(round=rnd, person=manager)
        db.session.add(participant)
        db.session.flush()
        for person, group in proposed_raters(manager):
            db.session.add(_invitation(participant, person, group))
    db.session.commit()
    return rnd


def update_round(round_id: int, settings: RoundSettings) -> Round:
    """Name, dates and threshold, while the round is a draft; the threshold until locked."""
    problems = check_settings(settings)
    if problems:
        raise AdminError(" ".join(problems))
    begin_write()
    rnd = _round_for_update(round_id)
    if rnd.status != RoundStatus.DRAFT:
        db.session.rollback()
        raise AdminError("Settings can only be changed before the round is launched.")
    if rnd.is_locked and settings.threshold != rnd.threshold:
        db.session.rollback()
        raise AdminError("The threshold is locked: answers have started to arrive.")
    rnd.name = settings.name.strip()
    rnd.opens_on = settings.opens_on
    rnd.closes_on = settings.closes_on
    rnd.threshold = settings.threshold
    db.session.commit()
    return rnd


@dataclass(frozen=True)
class SettingsLock:
    editable: bool
    threshold_locked: bool
    reason: str | None


ANSWERS_LOCK = (
    "The threshold and the framework are locked: answers have started to arrive. "
    "Changing them now would make earlier answers incomparable or could expose small groups."
)


def settings_lock(rnd: Round) -> SettingsLock:
    """What HR may still change about a round, and why not."""
    if rnd.status == RoundStatus.DRAFT:
        if rnd.is_locked:
            return SettingsLock(editable=True, threshold_locked=True, reason=ANSWERS_LOCK)
        return SettingsLock(editable=True, threshold_locked=False, reason=None)
    if rnd.is_locked:
        return SettingsLock(editable=False, threshold_locked=True, reason=ANSWERS_LOCK)
    return SettingsLock(
        editable=False,
        threshold_locked=False,
        reason="Settings are fixed once a round is launched: raters were told these dates.",
    )


def _round_for_update(round_id: int) -> Round:
    rnd = db.session.scalar(sa.select(Round).where(Round.id == round_id).with_for_update())
    if rnd is None:
        db.session.rollback()
        raise AdminError("This round does not exist.")
    return rnd


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
    groups = {g: GroupRaters(group=str(g), label=GROUP_LABELS[g]) for g in GROUP_ORDER}
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
        raise AdminError("Type the e-mail address or the name of the rater.")
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
            raise AdminError(f"More than one person is called {query!r}: use the e-mail address.")
        person = people[0] if people else None
    if person is None:
        raise AdminError(f"Nobody in the organisation matches {query!r}.")
    if not person.active:
        raise AdminError(f"{person.name} is not active in the organisation.")
    return person


def add_rater(round_id: int, participant_id: int, who: str, group: str) -> Invitation:
    """Add a rater to a draft round's manager. Refuses duplicates and a second self."""
    if group not in {str(g) for g in ADDABLE_GROUPS}:
        raise AdminError("Choose the rater's group: peer, direct report or supervisor.")
    begin_write()
    try:
        rnd = _round_for_update(round_id)
        if rnd.status != RoundStatus.DRAFT:
            raise AdminError("Raters can only be changed before the round is launched.")
        participant = get_participant(round_id, participant_id)
        if participant is None:
            raise AdminError("This manager is not part of the round.")
        person = find_person(who)
        if person.id == participant.person_id:
            raise AdminError(
                f"{person.name} is the manager being rated: they take part only as self."
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
                f"{person.name} already rates {participant.person.name} "
                f"({GROUP_LABELS[RaterGroup(taken)].lower()})."
            )
    except AdminError:
        db.session.rollback()
        raise
    invitation = _invitation(participant, person, RaterGroup(group))
    db.session.add(invitation)
    db.session.commit()
    return invitation


def remove_rater(round_id: int, participant_id: int, invitation_id: int) -> Participant:
    """Remove a proposed rater from a draft round; self stays. Returns the participant."""
    begin_write()
    try:
        rnd = _round_for_update(round_id)
        if rnd.status != RoundStatus.DRAFT:
            raise AdminError("Raters can only be changed before the round is launched.")
        invitation = db.session.scalar(
            sa.select(Invitation).where(
                Invitation.id == invitation_id,
                Invitation.round_id == round_id,
                Invitation.participant_id == participant_id,
            )
        )
        if invitation is None:
            raise AdminError("This rater is not in the round (any more).")
        if invitation.group == RaterGroup.SELF:
            raise AdminError("The manager's self-assessment cannot be removed.")
    except AdminError:
        db.session.rollback()
        raise
    participant = invitation.participant
    db.session.delete(invitation)
    db.session.commit()
    return participant


# --- launch --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaunchResult:
    invitations: int
    password_mails: int
    job_id: str | None = None  # the background job delivering the mail (SMTP only)


def launch_problems(round_id: int) -> list[str]:
    """Why a round cannot be launched (empty when it can); read-only."""
    rnd = get_round(round_id)
    if rnd is None:
        return ["This round does not exist."]
    if rnd.status != RoundStatus.DRAFT:
        return [f"This round was already launched (it is {rnd.status})."]
    return _rater_problems(round_id)


def _rater_problems(round_id: int) -> list[str]:
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
        return ["The round has no managers to rate."]
    problems = []
    for name, selves, others in counts:
        if (selves or 0) != 1:
            problems.append(f"{name} needs exactly one self-assessment.")
        if not others:
            problems.append(f"{name} has no raters besides themself.")
    return problems


def launch_round(round_id: int) -> LaunchResult:
    """Open a draft round: a token per invitation (only its hash is kept), invitation
    mails in each rater's language, manager accounts with set-password mails.

    One transaction: all of it happens or none. A second call is refused and sends nothing.
    """
    begin_write()
    # Claim the round first: only one caller can move it out of draft.
    _claim(
        round_id,
        RoundStatus.DRAFT,
        RoundStatus.OPEN,
        "launched_at",
        "This round was already launched (it is {status}): nothing was sent again.",
    )
    problems = _rater_problems(round_id)
    if problems:
        db.session.rollback()
        raise AdminError("The round cannot be launched yet: " + " ".join(problems))
    rnd = db.session.get(Round, round_id)
    db.session.refresh(rnd)
    try:
        invitations = _send_invitations(rnd)
        password_mails = _ensure_manager_accounts(rnd)
    except MailError as error:
        db.session.rollback()
        raise AdminError(f"Nothing was sent: {error}") from error
    db.session.commit()
    # With SMTP the mails are queued (committed above, with their tokens); a background
    # job delivers them, so a round of 2,000 raters does not wait on the mail server here.
    job = queue_delivery(round_id)
    return LaunchResult(
        invitations=invitations,
        password_mails=password_mails,
        job_id=job.id if job is not None else None,
    )


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
        lang = invitation.language if invitation.language in ("nl", "en") else "nl"
        is_self = invitation.group == RaterGroup.SELF
        context = {
            "round": rnd,
            "manager_name": invitation.participant.person.name,
            "group": invitation.group,
            "is_self": is_self,
            "link": survey_link(token),
            "closes_on": rnd.closes_on,
        }
        subject_key = "invitation_self" if is_self else "invitation"
        send_mail(
            invitation.email,
            SUBJECTS[subject_key][lang].format(
                round=rnd.name, manager=invitation.participant.person.name
            ),
            render_template(f"mail/invitation_{lang}.txt", **context),
            render_template(f"mail/invitation_{lang}.html", **context),
            kind="invitation",
            round_id=rnd.id,
        )
    return len(invitations)


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
        lang = person.language if person.language in ("nl", "en") else "nl"
        context = {
            "name": person.name,
            "link": password_link(token),
            "hours": current_app.config["PASSWORD_LINK_HOURS"],
            "round": rnd,
        }
        send_mail(
            user.email,
            SUBJECTS["password"][lang],
            render_template(f"mail/set_password_{lang}.txt", **context),
            render_template(f"mail/set_password_{lang}.html", **context),
            kind="password",
            round_id=rnd.id,
        )
        sent += 1
    return sent


# --- response dashboard --------------------------------------------------------------------


SHOWN = "shown"
POOLED = "pooled"
NONE = "none"
OMITTED = "omitted"  # never totalled over the round (self, supervisor)
# A round-level total of these moves exactly when one manager (self) or one director
# (supervisor) answers: the "All managers" row never has them.
NOT_TOTALLED = (RaterGroup.SELF, RaterGroup.SUPERVISOR)


@dataclass(frozen=True)
class GroupCount:
    group: str
    label: str
    state: str  # SHOWN (rate set), POOLED (under "other raters" or hidden), NONE (no invites)
    rate: Rate | None


@dataclass(frozen=True)
class ManagerCounts:
    participant_id: int
    name: str
    groups: list[GroupCount]
    others: Rate | None
    total: Rate | None


@dataclass(frozen=True)
class Dashboard:
    """The response counts HR sees of a round.

    by_group, others and total are the "All managers" row: each the sum of the figures
    shown above it (so it tells nothing the rows do not), with self and supervisor never
    totalled (OMITTED). total leaves out the managers whose counts are hidden.
    """

    managers: list[ManagerCounts]
    by_group: list[GroupCount]
    others: Rate | None
    total: Rate | None
    invited: int  # how many invitations (not who answered): always shown
    threshold: int
    purged: bool = False
    hidden_managers: int = 0  # managers with fewer invitations than the threshold
    counted_at: datetime | None = None  # None: nothing counted (a draft, or never kept)
    next_count_after: datetime | None = None  # open rounds: the next read after it counts
    final: bool = False  # a closed round's counts, which never change again


def _group_counts(rates: dict[str, Rate], view) -> list[GroupCount]:
    counts = []
    for g in GROUP_ORDER:
        rate = view.groups.get(str(g))
        if rate is not None:
            state = SHOWN
        elif rates.get(str(g), Rate(0, 0)).invited:
            state = POOLED
        else:
            state = NONE
        counts.append(GroupCount(group=str(g), label=GROUP_LABELS[g], state=state, rate=rate))
    return counts


def _sum(rates) -> Rate | None:
    rates = [r for r in rates if r is not None]
    if not rates:
        return None
    return Rate(sum(r.answered for r in rates), sum(r.invited for r in rates))


def _round_row(managers: list[ManagerCounts]) -> list[GroupCount]:
    """The "All managers" row: per group the sum of the figures shown for it above."""
    row = []
    for i, g in enumerate(GROUP_ORDER):
        cells = [m.groups[i] for m in managers]
        if g in NOT_TOTALLED:
            state, rate = OMITTED, None
        else:
            rate = _sum(c.rate for c in cells if c.state == SHOWN)
            if rate is not None:
                state = SHOWN
            elif any(c.state == POOLED for c in cells):
                state = POOLED
            else:
                state = NONE
        row.append(GroupCount(group=str(g), label=GROUP_LABELS[g], state=state, rate=rate))
    return row


def response_dashboard(round_id: int) -> Dashboard:
    """Answered / invited per manager and rater group: counts only, never who.

    The counts are the stored ones (feedback/admin/participation.py: counted at most once
    an hour while the round is open, final once it is closed); what may be shown of each
    manager is decided by `completion_view` (groups under the threshold are pooled or
    hidden), and the round's row only adds up what is shown.
    """
    rnd = get_round(round_id)
    threshold = rnd.threshold if rnd is not None else 1
    purged = rnd is not None and rnd.invitations_purged_at is not None
    counts = participation.round_counts(round_id)
    if counts is None:
        return Dashboard(
            managers=[], by_group=[], others=None, total=None, invited=0, threshold=threshold
        )
    names = dict(
        db.session.execute(
            sa.select(Participant.id, Person.name)
            .join(Person, Person.id == Participant.person_id)
            .where(Participant.round_id == round_id)
        ).all()
    )
    order = [str(g) for g in GROUP_ORDER]
    managers = []
    for participant_id, rates in counts.rates().items():
        view = completion_view(rates, threshold, order)
        managers.append(
            ManagerCounts(
                participant_id=participant_id,
                name=names.get(participant_id, ""),
                groups=_group_counts(rates, view),
                others=view.others,
                total=view.total,
            )
        )
    managers.sort(key=lambda m: (m.name.lower(), m.participant_id))
    total = participation.round_total(counts, threshold)
    return Dashboard(
        managers=managers,
        by_group=_round_row(managers),
        others=_sum(m.others for m in managers),
        total=total.rate if total.rate.invited else None,
        invited=sum(c.invited for c in counts.counts),
        threshold=threshold,
        purged=purged,
        hidden_managers=total.hidden_managers,
        counted_at=counts.counted_at,
        next_count_after=counts.next_count_after,
        final=counts.final,
    )


# --- close and publish ---------------------------------------------------------------------


def _claim(round_id: int, source: str, target: str, stamp: str, refusal: str) -> None:
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
    _claim(
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
    _claim(
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
        return _rater_problems(rnd.id)
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


# --- outbox --------------------------------------------------------------------------------

HIDDEN_KINDS = ("reminder",)
LINKS_NOTE = (
    "Personal links are never stored or shown here: a survey link would let its holder "
    "answer as the rater, a set-password link would let its holder log in as the manager."
)
LINK_FATE = {
    KEPT: "Without a mail server this e-mail was not sent and its link was not kept: "
    "nobody has it.",
    QUEUED: "It is sealed until delivery; the e-mail itself will carry the working link.",
    SENDING: "It is sealed until delivery; the e-mail itself will carry the working link.",
    SENT: "The delivered e-mail carried the working link; this copy never did.",
    FAILED: "The e-mail was not delivered and its sealed link is erased.",
}


@dataclass(frozen=True)
class OutboxRow:
    id: int
    created_at: object
    to: str | None  # None: hidden
    subject: str
    kind: str
    status: str


@dataclass(frozen=True)
class OutboxDetail(OutboxRow):
    text: str | None  # None: hidden
    note: str | None


def _recipient(msg: OutboxMessage) -> str | None:
    # A reminder goes only to raters who have not answered: its recipient must not show.
    return None if msg.kind in HIDDEN_KINDS else msg.to


HIDDEN_SUBJECT = "Reminder (subject hidden)"


def _subject(msg: OutboxMessage) -> str:
    # Its language alone could point at the one English-speaking rater who has not answered.
    return HIDDEN_SUBJECT if msg.kind in HIDDEN_KINDS else msg.subject


def list_outbox(page: int = 1, per_page: int = 100) -> tuple[list[OutboxRow], bool]:
    """Newest first; returns the page and whether there is a next one."""
    pagination = paginate(
        sa.select(OutboxMessage)
        .options(
            so.load_only(
                OutboxMessage.created_at,
                OutboxMessage.to,
                OutboxMessage.subject,
                OutboxMessage.kind,
                OutboxMessage.status,
            )
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page,
        per_page,
    )
    rows = [
        OutboxRow(
            id=m.id,
            created_at=m.created_at,
            to=_recipient(m),
            subject=blank_links(_subject(m)),
            kind=m.kind,
            status=m.status,
        )
        for m in pagination.items
    ]
    return rows, pagination.has_next


def outbox_detail(message_id: int) -> OutboxDetail | None:
    msg = db.session.get(OutboxMessage, message_id)
    if msg is None:
        return None
    if msg.kind in HIDDEN_KINDS:
        text, note = None, "Reminders are hidden: they would show who has not answered yet."
    else:
        # Stored bodies hold no working link (feedback/mail.py); redacting again here also
        # covers a mail stored before that was so.
        text = blank_links(msg.body_text)
        note = None
        if mentions_link(msg.body_text):
            note = f"{LINKS_NOTE} {LINK_FATE.get(msg.status, '')}".strip()
    return OutboxDetail(
        id=msg.id,
        created_at=msg.created_at,
        to=_recipient(msg),
        subject=blank_links(_subject(msg)),
        kind=msg.kind,
        status=msg.status,
        text=text,
        note=note,
    )


# --- reminders, retention and mail of a round (the round page) ---------------------------------


@dataclass(frozen=True)
class RoundOperations:
    reminders: object  # reminders.ReminderOverview, or None once the round is finished
    retention: object  # retention.RetentionView
    mail: object  # feedback.mail.MailCounts
    pending: int | None  # not answered at the last count (round level, never who)
    smtp: bool


def round_operations(rnd: Round) -> RoundOperations:
    from feedback.admin import reminders, retention
    from feedback.mail import backend_name, mail_counts

    return RoundOperations(
        reminders=reminders.reminder_overview(rnd)
        if rnd.status in (RoundStatus.DRAFT, RoundStatus.OPEN)
        else None,
        retention=retention.retention_view(rnd),
        mail=mail_counts(rnd.id),
        pending=reminders.pending_count(rnd.id) if rnd.status == RoundStatus.OPEN else 0,
        smtp=backend_name() == "smtp",
    )
