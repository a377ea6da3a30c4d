"""Closing a round: open the envelopes, forget who took part, clean the storage.

SECURITY.md, "After close". In the close transaction (with the status change):

1. every sealed envelope of the round is opened and its answers are written as response,
   answer and comment rows, each table in a random order, with fresh random ids and no
   time at all; the envelopes are deleted; the round's report figures (tallies per
   manager, statement and group, and the organisation norms) are computed and kept;
2. the counts per manager and rater group are written once more, final (they are all that
   remains of who took part), then the per-person state is erased: whether each invitation
   was submitted or declined, its reminders, its draft and draft key, its links, and the round's
   reminder mails.

Then, outside it:

3. the invitation-side rows are rewritten in a transaction of their own, so that on
   PostgreSQL no invitation-side row carries the transaction id (xmin) of the response
   rows;
4. the storage is cleaned: on PostgreSQL the touched tables are vacuumed (the ones that
   lost rows with VACUUM FULL, so no dead version of a row stays in a page), on SQLite
   (secure_delete is always on: freed space is zeroed) the WAL is checkpointed into the
   database file and truncated.

Steps 3 and 4 change no data; if they are interrupted they can be run again
(`clean_after_close`), and until then the only link left is that every invitation of the
round shares one transaction with every response of the round, which tells nothing.
"""

import logging
import secrets
import uuid

import sqlalchemy as sa

from feedback import envelopes, sealing
from feedback.db import begin_write
from feedback.extensions import db
from feedback.models import (
    Answer,
    Comment,
    Invitation,
    InvitationToken,
    OutboxMessage,
    Participant,
    ParticipationCount,
    Response,
    Round,
    SealedResponse,
)

log = logging.getLogger(__name__)

BATCH = 5000  # rows per executemany
# Tables that lose rows at close or hold per-person state: rewritten after close and
# vacuumed FULL on PostgreSQL, so no old version of a row survives in a page.
INVITATION_SIDE = (
    "invitation",
    "invitation_token",
    "outbox_message",
    "participation_count",
    "participant",
)
RESPONSE_SIDE = ("response", "answer", "comment")
ENVELOPES = ("sealed_response",)


def _new_id() -> str:
    return str(uuid.uuid4())


def _insert_all(table: sa.Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start : start + BATCH])


def open_envelopes(round_id: int) -> int:
    """In the caller's write transaction: the round's envelopes become response rows, in
    random order with fresh ids, and are deleted. Returns how many were opened.

    A missing or wrong seal key raises sealing.SealError before anything is written, so
    the caller's rollback leaves the round open and every envelope as it was."""
    sealed = db.session.scalars(
        sa.select(SealedResponse.sealed).where(SealedResponse.round_id == round_id)
    ).all()
    opened = [envelopes.open_answers(round_id, blob, sealing.unseal) for blob in sealed]
    responses, answers, comments = envelopes.shuffled_rows(
        opened, round_id, _new_id, secrets.SystemRandom().shuffle
    )
    _insert_all(Response.__table__, responses)
    _insert_all(Answer.__table__, answers)
    _insert_all(Comment.__table__, comments)
    db.session.execute(
        sa.delete(SealedResponse)
        .where(SealedResponse.round_id == round_id)
        .execution_options(synchronize_session=False)
    )
    return len(opened)


def forget_participation(round_id: int) -> None:
    """In the caller's write transaction: final counts per manager and group, then nothing
    per person: no submitted flag, no reminder history, no draft, no link."""
    from feedback.admin.participation import refresh_counts
    from feedback.mail import erase_round_mail

    refresh_counts(round_id, force=True)
    in_round = sa.select(Invitation.id).where(Invitation.round_id == round_id)
    db.session.execute(
        sa.delete(InvitationToken)
        .where(InvitationToken.invitation_id.in_(in_round))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.round_id == round_id)
        .values(
            submitted=None,
            declined_reason=None,
            reminders_sent=0,
            last_reminded_at=None,
            draft=None,
            draft_key_sealed=None,
        )
        .execution_options(synchronize_session=False)
    )
    erase_round_mail(round_id)


def close_in_transaction(round_id: int) -> int:
    """Steps 1 and 2, inside the transaction that moved the round to closed; between them
    the round's report figures are summed up once (feedback/reports/summary.py)."""
    from feedback.reports.summary import summarise_round

    opened = open_envelopes(round_id)
    summarise_round(round_id)
    forget_participation(round_id)
    return opened


def rewrite_invitation_side(round_id: int) -> None:
    """Step 3: a transaction of its own that rewrites every invitation-side row of the
    round (and the round), changing no value, so their xmin is not the close's.

    The round row first: every transaction locks a round before its invitations (a
    submit holds the round FOR SHARE, then its invitation), so this order cannot deadlock
    with a late submit. Inserting a response locks its participant row for the foreign
    key check, which leaves the close's transaction id in that row's xmax: those rows are
    rewritten too."""
    begin_write()
    for table, of_round, column in (
        (Round, Round.id == round_id, Round.status),
        (Invitation, Invitation.round_id == round_id, Invitation.submitted),
        (OutboxMessage, OutboxMessage.round_id == round_id, OutboxMessage.kind),
        (ParticipationCount, ParticipationCount.round_id == round_id, ParticipationCount.invited),
        (Participant, Participant.round_id == round_id, Participant.person_id),
    ):
        db.session.execute(
            sa.update(table)
            .where(of_round)
            .values({column.key: column})
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def clean_storage() -> bool:
    """Step 4. Returns whether the storage is clean (False: the SQLite WAL could not be
    truncated because a reader was busy; the next close or `clean_after_close` retries)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in (*ENVELOPES, *INVITATION_SIDE):
                conn.exec_driver_sql(f'VACUUM (FULL, ANALYZE) "{table}"')
            for table in RESPONSE_SIDE:
                conn.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
        return True
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # autocommit (see feedback/db.py): no BEGIN around it
        try:
            cursor = raw.cursor()
            busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            cursor.close()
        finally:
            raw.close()
        if busy:
            log.warning("The SQLite WAL was not truncated after close: a reader was busy.")
        return not busy
    return True


def clean_after_close(round_id: int) -> bool:
    """Steps 3 and 4 (again): safe to run any number of times on a closed round."""
    rewrite_invitation_side(round_id)
    return clean_storage()
