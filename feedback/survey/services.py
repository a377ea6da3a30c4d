"""The rater's side: find an invitation by its link, keep the draft, submit exactly once.

Anonymity is structural (DESIGN.md, SECURITY.md): the invitation knows who the rater is and
holds the draft, encrypted so that only the rater's link opens it (feedback/survey/drafts.py);
submitting marks it done, deletes the draft and stores the answers sealed in an envelope
that has no way back to it (feedback/envelopes.py), all in one write transaction. Closing
the round opens the envelopes (feedback/admin/closing.py).
"""

import enum
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, timedelta

from flask_babel import lazy_gettext as _l

from feedback import clock, envelopes, sealing
from feedback.db import begin_write, exclusive_transaction
from feedback.extensions import db
from feedback.models import (
    RoundStatus,
)
from feedback.survey import queries
from feedback.survey.answers import (
    Validated,
    answered_only,
    draft_fingerprint,
    final_answers,
    is_stale,
    validate_answers,
)
from feedback.survey.drafts import Draft, Link, load_draft, open_draft, open_link, write_draft
from feedback.survey.outline import Outline, outline_of
from feedback.tokens import hash_token

# --- Finding the invitation ---------------------------------------------------------------


def round_accepts_answers(rnd, today: date | None = None) -> bool:
    """`rnd`: anything with the round's status and closes_on (a Round, a row)."""
    return rnd.status == RoundStatus.OPEN and (today or clock.today()) <= rnd.closes_on


@dataclass(frozen=True)
class RoundView:
    """What the survey reads of the round (read when the link was opened)."""

    id: int
    status: str
    closes_on: date
    threshold: int
    answers_started: bool
    framework: Outline  # the round's framework as the survey reads it (cached per process)

    @property
    def framework_id(self) -> int:
        return self.framework.framework_id


@dataclass(frozen=True)
class PersonView:
    name: str


@dataclass(frozen=True)
class ParticipantView:
    id: int
    person_id: int
    person: PersonView
    round: RoundView


@dataclass(frozen=True)
class InvitationView:
    """What the survey reads of the invitation, as it was when the link was opened: one
    Core query, no ORM objects (a request writes through services, never through this)."""

    id: int
    round_id: int
    participant_id: int
    group: str
    language: str
    submitted: bool
    declined_reason: str | None
    participant: ParticipantView


@dataclass(frozen=True)
class Visit:
    """An invitation opened by one of its links, and the draft key that link unwrapped.

    `draft_blob` is the draft as stored when the link was opened. `locked_in` is the
    transaction that read it when that transaction holds SQLite's write lock (see
    feedback/db.py, exclusive_transaction): while it lasts, nothing of the visit can change
    but through it, so a write in it needs no second look at the round or the invitation."""

    invitation: InvitationView
    link: Link
    draft_blob: bytes | None = field(default=None, repr=False)
    locked_in: object | None = field(default=None, repr=False, compare=False)

    @property
    def read_under_lock(self) -> bool:
        """True while the transaction that read this visit still holds the write lock."""
        return self.locked_in is not None and self.locked_in is exclusive_transaction()

    @property
    def draft(self) -> Draft:
        """The draft as it was when the link was opened (a page that writes nothing)."""
        return open_draft(self.link, self.draft_blob)

    @property
    def outline(self) -> Outline:
        return self.invitation.participant.round.framework

    def in_language(self, language: str) -> "Visit":
        """The same visit after the rater switched the invitation's language."""
        return replace(self, invitation=replace(self.invitation, language=language))


def find_invitation(token: str) -> Visit | None:
    """The invitation behind a link, or None when the link must look like it never existed:
    unknown token, round not open, or round past its close date.

    One query for the invitation, its manager, round and draft; the framework comes from
    the process's cache (feedback/survey/outline.py), not from the database each time.
    Called inside a write transaction that holds SQLite's write lock (begin_write), what it
    reads stays true until that transaction ends, and the writes below use it as read."""
    row = db.session.execute(queries.VISIT, {"token_hash": hash_token(token)}).one_or_none()
    if row is None or not round_accepts_answers(row):
        return None
    rnd = RoundView(
        id=row.round_id,
        status=row.status,
        closes_on=row.closes_on,
        threshold=row.threshold,
        answers_started=bool(row.answers_started),
        framework=outline_of(row.round_id, row.framework_id),
    )
    invitation = InvitationView(
        id=row.id,
        round_id=row.round_id,
        participant_id=row.participant_id,
        group=row.group,
        language=row.language,
        submitted=bool(row.submitted),
        declined_reason=row.declined_reason,
        participant=ParticipantView(row.participant_id, row.person_id, PersonView(row.name), rnd),
    )
    link = open_link(row.id, token, row.wrapped_key, row.draft_key_sealed)
    return Visit(invitation, link, row.draft, exclusive_transaction())


def declined_reason(invitation_id: int) -> str | None:
    """Why the rater declined, as the database says now (None: not declined)."""
    return db.session.scalar(queries.DECLINED_REASON, {"invitation_id": invitation_id})


def link_language(token: str) -> str | None:
    """The language of the invitation behind a live link, None for a link that must look
    like it never existed (as find_invitation decides). For pages answered before the
    survey's view ran (errors.py); it unwraps no key and loads nothing else."""
    row = db.session.execute(queries.LINK_LANGUAGE, {"token_hash": hash_token(token)}).one_or_none()
    if row is None or not round_accepts_answers(row):
        return None
    return row.language


def draft_values(link: Link) -> dict[str, str]:
    return load_draft(link).values


def draft_of(link: Link) -> Draft:
    """The draft with the times of its answers (what a write checks against)."""
    return load_draft(link)


def validate_posted(visit: Visit, posted: Mapping[str, str], max_comment_length: int) -> Validated:
    outline = visit.outline
    return validate_answers(
        outline.statement_ids, outline.question_keys, posted, max_comment_length
    )


def state_id(field_name: str) -> str:
    """The DOM id of a question's save-state marker (no ':' so it works as a selector)."""
    return "state-" + field_name.replace(":", "-")


@dataclass(frozen=True)
class SaveState:
    state_id: str
    kind: str  # "saved", "error", "closed" or "newer" (a later answer is kept: `current`)
    message: str = ""
    field: str = ""
    current: str | None = None  # for "newer": the answer that stays, for the page to show


# A name that could be a field of the page (the state's element id is made from it); any
# other name, such as a megabyte of junk, gets no state and is not echoed back.
_PAGE_FIELD = re.compile(r"[A-Za-z0-9_:-]{1,100}")


def save_states(
    fields: list[str],
    outcome: "Outcome | None",
    errors: Mapping[str, str],
    newer: Mapping[str, str] | None = None,
) -> list[SaveState]:
    """What each autosaved question shows next to it after the request (nothing for a
    name that cannot be a field: it is not echoed back). `newer`: the fields whose posted
    answer was older than the saved one, with the saved one (autosave)."""
    states = []
    newer = newer or {}
    for name in fields:
        if not isinstance(name, str) or not _PAGE_FIELD.fullmatch(name):
            continue
        if name in errors:
            states.append(SaveState(state_id(name), "error", errors[name]))
        elif outcome == Outcome.SAVED and name in newer:
            message = _l("Changed in another window or tab since: the later answer is kept.")
            states.append(SaveState(state_id(name), "newer", message, name, newer[name]))
        elif outcome == Outcome.SAVED:
            states.append(SaveState(state_id(name), "saved"))
        elif outcome == Outcome.ALREADY_SUBMITTED:
            states.append(SaveState(state_id(name), "closed", _l("Already submitted.")))
        elif outcome is not None:
            states.append(SaveState(state_id(name), "closed", _l("Not saved.")))
    return states


# --- Writing -------------------------------------------------------------------------------


class Outcome(enum.StrEnum):
    SAVED = "saved"
    SUBMITTED = "submitted"
    ALREADY_SUBMITTED = "already_submitted"
    CLOSED = "closed"
    NOTHING_ANSWERED = "nothing_answered"
    STALE = "stale"  # the form was outdated and would have lost answers: nothing written
    CHANGED = "changed"  # the draft changed after the rater reviewed it: nothing sent
    DECLINED = "declined"


@dataclass(frozen=True)
class Locked:
    """What _lock_open_invitation found: why the invitation may not change (None: it may),
    and its draft as stored now (when it may)."""

    refusal: "Outcome | None"
    draft_blob: bytes | None = None


def _lock_open_invitation(
    invitation_id: int, answering: bool = False, visit: Visit | None = None
) -> Locked:
    """Inside a write transaction: whether the invitation may still change, and its draft.

    Locks in one order everywhere, the round before its invitations (closing does the same),
    so no two transactions wait for each other:
    - with `answering` (the request carries an answer), the round's first answer freezes its
      framework and threshold: an UPDATE that matches, and so locks, the round only while
      that flag is still unset;
    - FOR SHARE of the round makes closing it wait for a submit in flight, and a submit
      that comes after the close see it closed: no envelope is ever left behind unopened;
    - FOR UPDATE of the invitation (PostgreSQL; SQLite already holds the write lock)
      serialises autosaves and the submit of one invitation, so no draft outlives a submit.
    The last two are one statement (queries.ROUND_AND_INVITATION_LOCKED), round first.

    `visit`: the invitation as the request read it. Its round id needs no query (an
    invitation never moves to another round), and once its answers had started the freezing
    UPDATE would match nothing, and lock nothing, so it is skipped. A visit read in this
    same transaction under SQLite's write lock is still exactly as read: nothing is asked
    again (find_invitation already refused a closed round).
    """
    started = visit is not None and visit.invitation.participant.round.answers_started
    if visit is not None and visit.read_under_lock:
        if answering and not started:
            db.session.execute(queries.FREEZE_ROUND, {"round_id": visit.invitation.round_id})
        if visit.invitation.submitted:
            return Locked(Outcome.ALREADY_SUBMITTED)
        return Locked(None, visit.draft_blob)
    if visit is not None:
        round_id = visit.invitation.round_id
    else:
        round_id = db.session.scalar(queries.INVITATION_ROUND, {"invitation_id": invitation_id})
    if round_id is None:
        return Locked(Outcome.CLOSED)
    if answering and not started:
        db.session.execute(queries.FREEZE_ROUND, {"round_id": round_id})
    row = db.session.execute(
        queries.ROUND_AND_INVITATION_LOCKED,
        {"round_id": round_id, "invitation_id": invitation_id},
    ).one_or_none()
    # No row: the round, or the invitation (erased: only a closed round's), is gone.
    if row is None or not round_accepts_answers(row):
        return Locked(Outcome.CLOSED)
    if row.submitted:
        return Locked(Outcome.ALREADY_SUBMITTED)
    return Locked(None, row.draft)


def _lock_and_check(
    link: Link, values: Mapping[str, str], fingerprint: str | None, visit: Visit | None = None
) -> tuple[Outcome | None, Draft]:
    """Inside a write transaction: why the posted form may not be written (None if it may),
    and the current draft. With a `fingerprint` (a whole form was posted), an outdated form
    that would change or clear answers of the draft is refused as STALE."""
    locked = _lock_open_invitation(link.invitation_id, any(values.values()), visit)
    if locked.refusal is not None:
        return locked.refusal, Draft()
    draft = open_draft(link, locked.draft_blob)
    if fingerprint is not None and is_stale(draft.values, values, fingerprint):
        return Outcome.STALE, draft
    return None, draft


def _now_ms() -> int:
    return int(clock.utcnow().replace(tzinfo=UTC).timestamp() * 1000)


# A browser clock this far ahead of the server's is not believed (its answers would win
# over every later one); the server's time is used instead.
_CLOCK_AHEAD = timedelta(hours=12)


def answer_time(changed_at: int | None) -> int:
    """When an answer was given, for the draft: the browser's time when it is plausible,
    else the server's (a whole-form post, an old page, a clock far ahead)."""
    now = _now_ms()
    limit = now + int(_CLOCK_AHEAD.total_seconds() * 1000)
    if changed_at is None or changed_at <= 0 or changed_at > limit:
        return now
    return changed_at


def _write_draft(
    link: Link, draft: Draft, values: Mapping[str, str], at: int | None = None
) -> dict[str, str]:
    """Inside a write transaction: the draft with these answers on top (an empty value
    removes that answer), stored with answer_time(at) as the time of each answer that
    changed (a cleared one keeps its time, so a late older answer cannot bring it back);
    returns the answers stored."""
    merged = answered_only({**draft.values, **values})
    if merged != draft.values:
        changed = [k for k, v in values.items() if draft.values.get(k, "") != v]
        times = {**draft.times, **dict.fromkeys(changed, answer_time(at))}
        write_draft(link, merged, times)
    return merged


def save_draft(
    link: Link,
    values: Mapping[str, str],
    fingerprint: str | None = None,
    visit: Visit | None = None,
) -> Outcome:
    """Save validated answers into the draft; an empty value removes that answer.

    With a `fingerprint` (the whole form was posted), refuse with STALE when the form was
    outdated and would change or clear answers of the draft (see is_stale). `visit`: the
    invitation as the request read it (see _lock_open_invitation)."""
    begin_write()
    refusal, draft = _lock_and_check(link, values, fingerprint, visit)
    if refusal is not None:
        db.session.rollback()
        return refusal
    _write_draft(link, draft, values)
    db.session.commit()
    return Outcome.SAVED


def _set_language(invitation_id: int, language: str) -> None:
    db.session.execute(queries.SET_LANGUAGE, {"invitation_id": invitation_id, "language": language})


def switch_language(
    link: Link, values: Mapping[str, str], fingerprint: str | None, language: str
) -> Outcome:
    """The rater chose another language on the form: save everything on it as the draft
    (as "save" does; it never submits) and set the invitation's language, so the page and
    later reminders follow, in one transaction.

    An outdated form (STALE) saves no answers, but the language still changes: the rater
    gets the current draft back, in the language they chose. `language` is one the app
    offers (the route checks)."""
    begin_write()
    refusal, draft = _lock_and_check(link, values, fingerprint)
    if refusal in (Outcome.CLOSED, Outcome.ALREADY_SUBMITTED):
        db.session.rollback()
        return refusal
    if refusal is None:
        _write_draft(link, draft, values)
    _set_language(link.invitation_id, language)
    db.session.commit()
    return refusal or Outcome.SAVED


def set_language(link: Link, language: str) -> bool:
    """Set the invitation's language (the pages after submitting have their own switch);
    False when the round no longer takes answers, and nothing changes."""
    begin_write()
    if _lock_open_invitation(link.invitation_id).refusal == Outcome.CLOSED:
        db.session.rollback()
        return False
    _set_language(link.invitation_id, language)
    db.session.commit()
    return True


@dataclass(frozen=True)
class Autosaved:
    outcome: Outcome
    fingerprint: str | None  # what the page's hidden field should now say; None: leave it
    values: dict[str, str] | None = None  # the draft after the save
    newer: dict[str, str] = field(default_factory=dict)  # refused as older: the kept answer


def older_than_saved(draft: Draft, values: Mapping[str, str], changed_at: int | None) -> set[str]:
    """The posted answers given before the one the draft holds for the same question (pure):
    an answer queued while the connection was down, or from another tab, arriving late."""
    if changed_at is None:
        return set()
    return {k for k in values if k in draft.times and draft.times[k] > changed_at}


def autosave(
    link: Link,
    values: Mapping[str, str],
    fingerprint: str,
    changed_at: int | None = None,
    visit: Visit | None = None,
) -> Autosaved:
    """Save answers as the rater goes, and tell the page its new draft fingerprint.

    `changed_at` is when the rater gave these answers (the browser's clock, ms): an answer
    the draft already holds a later one for is not written, and comes back in `newer` with
    the answer that stays, so no late or queued save ever undoes a later change.

    Only a page that was up to date before this save (`fingerprint` matched the draft) gets
    the new one: a stale tab that autosaves keeps its old fingerprint, so its submit is
    still checked against the answers another tab saved meanwhile.

    `visit`: the invitation as the request read it (see _lock_open_invitation)."""
    begin_write()
    locked = _lock_open_invitation(link.invitation_id, any(values.values()), visit)
    if locked.refusal is not None:
        db.session.rollback()
        return Autosaved(locked.refusal, None)
    draft = open_draft(link, locked.draft_blob)
    was_current = fingerprint == draft_fingerprint(draft.values)
    older = older_than_saved(draft, values, changed_at)
    after = _write_draft(
        link, draft, {k: v for k, v in values.items() if k not in older}, changed_at
    )
    new = draft_fingerprint(after) if was_current and not older else None
    db.session.commit()
    newer = {k: after.get(k, "") for k in older}
    return Autosaved(Outcome.SAVED, new, after, newer)


def new_response_id() -> str:
    return str(uuid.uuid4())


def submit(
    link: Link,
    answers: Mapping[str, str],
    fingerprint: str | None = None,
    reviewed: str | None = None,
    visit: Visit | None = None,
) -> Outcome:
    """Turn the draft plus the posted answers into a sealed envelope, exactly once.

    One transaction: check the round, refuse an outdated form that would lose answers of
    the draft (STALE, only when a `fingerprint` is given), refuse when the draft is no
    longer the one the rater reviewed (CHANGED, only when `reviewed`, that draft's
    fingerprint, is given: another tab changed it), claim the invitation (UPDATE ...
    WHERE submitted is false: whoever changes the row wins; everyone else is told it was
    already submitted) and erase its draft in the same UPDATE, and store the envelope.
    `visit`: the invitation as the request read it (see _lock_open_invitation).
    """
    begin_write()
    refusal, draft = _lock_and_check(link, answers, fingerprint, visit)
    if refusal is None and reviewed is not None and reviewed != draft_fingerprint(draft.values):
        refusal = Outcome.CHANGED
    if refusal is not None:
        db.session.rollback()
        return refusal
    final = final_answers(draft.values, answers)
    if not final.scores:
        db.session.rollback()
        return Outcome.NOTHING_ANSWERED
    if not _claim(link.invitation_id):
        db.session.rollback()
        return Outcome.ALREADY_SUBMITTED
    if visit is not None:  # who is rated, and by which group, never changes
        invitation = visit.invitation
    else:
        invitation = db.session.execute(
            queries.INVITATION_ENVELOPE, {"invitation_id": link.invitation_id}
        ).one()
    sealed = envelopes.seal_answers(
        invitation.round_id,
        envelopes.SealedAnswers(
            participant_id=invitation.participant_id,
            group=invitation.group,
            grade=final.grade,
            scores=final.scores,
            comments=final.comments,
        ),
        sealing.seal,
    )
    db.session.execute(
        queries.STORE_ENVELOPE,
        {"id": new_response_id(), "round_id": invitation.round_id, "sealed": sealed},
    )
    db.session.commit()
    return Outcome.SUBMITTED


def _claim(invitation_id: int, declined_reason: str | None = None) -> bool:
    """Mark the invitation done and erase its draft and key, if no one did first."""
    claimed = db.session.execute(
        queries.CLAIM, {"invitation_id": invitation_id, "declined_reason": declined_reason}
    )
    return claimed.rowcount == 1


def decline(link: Link, reason: str) -> Outcome:
    """The rater cannot judge this manager: close the invitation without answers, exactly
    once, as submit does (UPDATE ... WHERE submitted is false, the draft and its key
    erased in the same UPDATE). No envelope is stored; the reason is kept with the
    invitation until the round closes, and HR sees only counts of it. `reason` is one of
    answers.DECLINE_REASONS (the route checks). Declining is final: no more reminders."""
    begin_write()
    refusal = _lock_open_invitation(link.invitation_id).refusal
    if refusal is not None:
        db.session.rollback()
        return refusal
    if not _claim(link.invitation_id, reason):
        db.session.rollback()
        return Outcome.ALREADY_SUBMITTED
    db.session.commit()
    return Outcome.DECLINED
