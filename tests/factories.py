"""Factories: build what a test needs in one call (CTFd gen_* / Indico create_* style).

All take the Flask-SQLAlchemy `db` and commit, so data is visible to other connections.
"""

import functools
import itertools
from datetime import date, timedelta

import sqlalchemy as sa

from feedback.auth import passwords
from feedback.extensions import db as _db
from feedback.frameworks import copy_framework, load_framework
from feedback.models import (
    Invitation,
    Participant,
    Person,
    RaterGroup,
    Round,
    RoundStatus,
    User,
)
from feedback.survey.drafts import mint_link

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def login(client, user):
    """Log `client` in as `user` (an account made by `make_user`) through the login form;
    the client. The `auth` fixture's `login_as` does the same for the test's own client."""
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def make_person(
    db=_db,
    *,
    name=None,
    email=None,
    language="nl",
    manager=None,
    role="rep",
    team=None,
    commit=True,
) -> Person:
    n = next(_counter)
    person = Person(
        name=name or f"Person {n}",
        email=email or f"person{n}@example.test",
        language=language,
        manager=manager,
        role=role,
        team=team,
    )
    db.session.add(person)
    if commit:
        db.session.commit()
    return person


@functools.cache
def _argon2_hash_of(password: str) -> str:
    """The real Argon2id hash (the app's parameters), computed once per test process: an
    account needs one, and hashing costs as much as a login's verification."""
    return passwords.hash_password(password)


def make_user(db=_db, *, role="hr", email=None, person=None, password=PASSWORD) -> User:
    n = next(_counter)
    user = User(
        email=email or (person.email if person else f"user{n}@example.test"),
        role=role,
        person=person,
    )
    user.password_hash = _argon2_hash_of(password)  # as set_password would, hashed once
    db.session.add(user)
    db.session.commit()
    return user


def make_team(db=_db, *, size=5, language="nl", director=None):
    """A manager with `size` direct reports (and a director above, made if not given)."""
    director = director or make_person(db, role="director", name="Director")
    manager = make_person(db, role="manager", manager=director, language=language)
    reps = [make_person(db, manager=manager, language=language, commit=False) for _ in range(size)]
    db.session.commit()
    return manager, reps, director


def make_round(
    db=_db, *, name="Round", threshold=3, status=RoundStatus.OPEN, opens_on=None, closes_on=None
) -> Round:
    template = load_framework()
    framework = copy_framework(template)
    opens_on = opens_on or date.today() - timedelta(days=1)
    closes_on = closes_on or date.today() + timedelta(days=14)
    rnd = Round(
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        threshold=threshold,
        status=status,
        framework=framework,
    )
    db.session.add(rnd)
    db.session.commit()
    return rnd


def add_participant(db=_db, rnd=None, manager=None) -> Participant:
    participant = Participant(round=rnd, person=manager)
    db.session.add(participant)
    db.session.commit()
    return participant


def make_invitation(
    db=_db, participant=None, *, group=RaterGroup.DIRECT_REPORT, person=None, language="nl"
) -> tuple[Invitation, str]:
    """An invitation with a live personal link; returns it and the plain token."""
    n = next(_counter)
    invitation = Invitation(
        round_id=participant.round_id,
        participant=participant,
        person=person,
        group=str(group),
        email=person.email if person else f"rater{n}@example.test",
        language=language,
    )
    db.session.add(invitation)
    token = mint_link(invitation)
    db.session.commit()
    return invitation, token


def make_rated_manager(db=_db, *, reports=5, threshold=3, status=RoundStatus.OPEN):
    """An open round with one manager, a self invitation, a supervisor and direct reports.

    Returns (round, participant, {group: [(invitation, token), ...]}).
    """
    manager, reps, director = make_team(db, size=reports)
    rnd = make_round(db, threshold=threshold, status=status)
    participant = add_participant(db, rnd, manager)
    links = {
        RaterGroup.SELF: [make_invitation(db, participant, group=RaterGroup.SELF, person=manager)],
        RaterGroup.SUPERVISOR: [
            make_invitation(db, participant, group=RaterGroup.SUPERVISOR, person=director)
        ],
        RaterGroup.DIRECT_REPORT: [
            make_invitation(db, participant, group=RaterGroup.DIRECT_REPORT, person=rep)
            for rep in reps
        ],
    }
    return rnd, participant, links


# --- Reports: submitted responses written directly (no survey, no invitation) ---------------


def statement_ids(rnd) -> list[int]:
    """The round's statement ids in report order (leg by leg)."""
    return [st.id for leg in rnd.framework.legs for st in leg.statements]


def add_response(db=_db, participant=None, *, group, scores=None, grade=None, comments=None):
    """A submitted response: scores maps statement id -> 1..5 or None ("don't know"); a
    statement left out has no answer row. comments maps question key -> text."""
    from feedback.models import Answer, Comment, Response

    response = Response(
        round_id=participant.round_id,
        participant_id=participant.id,
        group=str(group),
        grade=grade,
    )
    response.answers = [
        Answer(statement_id=sid, score=score) for sid, score in (scores or {}).items()
    ]
    response.comments = [
        Comment(question_key=key, text=text) for key, text in (comments or {}).items()
    ]
    db.session.add(response)
    db.session.commit()
    return response


def add_rated_participant(db=_db, rnd=None, *, name=None):
    """Another manager (with their own director) rated in an existing round."""
    manager, _reps, _director = make_team(db, size=0)
    if name:
        manager.name = name
        db.session.commit()
    return add_participant(db, rnd, manager)


# --- The survey's sealed storage, opened the way only the app (with its keys) can ---------


def sealed_answers(db=_db, round_id=None) -> list:
    """The answers in the envelopes of an open round (or of every round), opened with the
    instance key: what closing the round will write as responses."""
    from feedback import envelopes, sealing
    from feedback.models import SealedResponse

    query = sa.select(SealedResponse.round_id, SealedResponse.sealed)
    if round_id is not None:
        query = query.where(SealedResponse.round_id == round_id)
    return [
        envelopes.open_answers(rid, blob, sealing.unseal) for rid, blob in db.session.execute(query)
    ]


def draft_of(db=_db, invitation_id=None) -> dict[str, str]:
    """An invitation's draft, opened through its sealed draft key ({} when there is none)."""
    from feedback.models import Invitation
    from feedback.survey.drafts import decrypt_draft, open_link

    row = db.session.execute(
        sa.select(Invitation.draft, Invitation.draft_key_sealed).where(
            Invitation.id == invitation_id
        )
    ).one()
    if row.draft is None:
        return {}
    return decrypt_draft(open_link(invitation_id, "", None, row.draft_key_sealed), row.draft)


def drafts_stored(db=_db) -> int:
    from feedback.models import Invitation

    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Invitation).where(Invitation.draft.is_not(None))
    )
