"""The survey's SQL, built once per process.

A rater's requests are small and many (an autosave per click), and building a SQLAlchemy
statement costs far more than running it: the invitation's query with its four joins took
about 0.5 ms to build, wrap and execute through the ORM against 0.07 ms as a Core statement
built once (SQLAlchemy keeps a built statement's cache key and compiled form). So the
survey's statements are module constants on the tables, with named parameters; services.py
and drafts.py run them. Locking (FOR SHARE, FOR UPDATE) compiles per dialect: SQLite,
which has one write lock for the whole database, leaves it out.
"""

import sqlalchemy as sa

from feedback.models import (
    Invitation,
    InvitationToken,
    Participant,
    Person,
    Round,
    RoundStatus,
    SealedResponse,
)

_invitation = Invitation.__table__
_token = InvitationToken.__table__
_participant = Participant.__table__
_person = Person.__table__
_round = Round.__table__

INVITATION_ID = sa.bindparam("invitation_id")
ROUND_ID = sa.bindparam("round_id")

#: A visit by its link: the invitation, its manager, round and draft, by the token's hash.
VISIT = (
    sa.select(
        _invitation.c.id,
        _invitation.c.round_id,
        _invitation.c.participant_id,
        _invitation.c.group,
        _invitation.c.language,
        _invitation.c.submitted,
        _invitation.c.declined_reason,
        _invitation.c.draft_key_sealed,
        _invitation.c.draft,
        _token.c.wrapped_key,
        _participant.c.person_id,
        _person.c.name,
        _round.c.status,
        _round.c.closes_on,
        _round.c.threshold,
        _round.c.answers_started,
        _round.c.framework_id,
    )
    .join(_token, _token.c.invitation_id == _invitation.c.id)
    .join(_participant, _participant.c.id == _invitation.c.participant_id)
    .join(_person, _person.c.id == _participant.c.person_id)
    .join(_round, _round.c.id == _participant.c.round_id)
    .where(_token.c.token_hash == sa.bindparam("token_hash"))
)

#: The language of a link's invitation and whether its round takes answers (errors.py).
LINK_LANGUAGE = (
    sa.select(_invitation.c.language, _round.c.status, _round.c.closes_on)
    .join(_token, _token.c.invitation_id == _invitation.c.id)
    .join(_round, _round.c.id == _invitation.c.round_id)
    .where(_token.c.token_hash == sa.bindparam("token_hash"))
)

DECLINED_REASON = sa.select(_invitation.c.declined_reason).where(_invitation.c.id == INVITATION_ID)

INVITATION_ROUND = sa.select(_invitation.c.round_id).where(_invitation.c.id == INVITATION_ID)

#: The round's first answer freezes its framework and threshold (services._lock_open_invitation).
FREEZE_ROUND = (
    sa.update(_round)
    .where(
        _round.c.id == ROUND_ID,
        _round.c.answers_started.is_(False),
        _round.c.status == RoundStatus.OPEN,
    )
    .values(answers_started=True)
)

#: A write's locks, in one round trip and in the order every writer takes them: the round
#: FOR SHARE first (closing it waits for a submit in flight; a submit after the close sees
#: it closed), then the invitation FOR UPDATE with its draft as it is now. The round is
#: locked in a CTE that PostgreSQL materialises: the join, and so the invitation's lock
#: above it, gets no row before the round's lock is held. No row: the round or the
#: invitation is gone. SQLite, which holds its one write lock already, gets no locks.
_LOCKED_ROUND = (
    sa.select(_round.c.status, _round.c.closes_on)
    .where(_round.c.id == ROUND_ID)
    .with_for_update(read=True)
    .cte("locked_round")
    .prefix_with("MATERIALIZED")
)
ROUND_AND_INVITATION_LOCKED = (
    sa.select(
        _LOCKED_ROUND.c.status,
        _LOCKED_ROUND.c.closes_on,
        _invitation.c.submitted,
        _invitation.c.draft,
    )
    .select_from(_LOCKED_ROUND)
    .join(_invitation, sa.true())
    .where(_invitation.c.id == INVITATION_ID)
    .with_for_update(of=_invitation)
)

DRAFT = sa.select(_invitation.c.draft).where(_invitation.c.id == INVITATION_ID)

WRITE_DRAFT = (
    sa.update(_invitation)
    .where(_invitation.c.id == INVITATION_ID)
    .values(draft=sa.bindparam("draft"))
)

SET_LANGUAGE = (
    sa.update(_invitation)
    .where(_invitation.c.id == INVITATION_ID)
    .values(language=sa.bindparam("language"))
)

#: Submit and decline: whoever changes the row wins, and its draft and key go with it.
CLAIM = (
    sa.update(_invitation)
    .where(_invitation.c.id == INVITATION_ID, _invitation.c.submitted.is_(False))
    .values(
        submitted=True,
        declined_reason=sa.bindparam("declined_reason"),
        draft=None,
        draft_key_sealed=None,
    )
)

INVITATION_ENVELOPE = sa.select(
    _invitation.c.round_id, _invitation.c.participant_id, _invitation.c.group
).where(_invitation.c.id == INVITATION_ID)

STORE_ENVELOPE = sa.insert(SealedResponse.__table__)
