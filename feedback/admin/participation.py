"""The response counts HR sees: per manager and rater group, counted at most once an hour.

A live count lets HR time one rater: the moment a manager submits their self-assessment,
their row moves. So nothing HR sees reads `Invitation.submitted` directly. The counts are
stored in `participation_count` and counted again only when the stored ones are at least an
hour old, by the first read after that. Two counts are therefore always at least an hour
apart (so at most one falls in any clock hour), and whatever changed in between cannot be
told apart by the time it happened.

Closing the round counts one last time, in the close transaction, before the per-person
state is erased (`refresh_counts(round_id, force=True)`, see feedback/admin/closing.py).
From then on the counts of the round are final: nothing recounts them, and they outlive the
purge of the invitations.

Reading takes no write lock: only a read that finds a round's counts due starts a write
transaction, which checks again under the lock, so two workers at once count once.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback import clock
from feedback.admin.completion import Rate, completion_view
from feedback.db import begin_write
from feedback.extensions import db
from feedback.models import Invitation, ParticipationCount, RaterGroup, Round, RoundStatus

INTERVAL = timedelta(hours=1)
FINISHED = (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
GROUPS = tuple(str(g) for g in RaterGroup)


@dataclass(frozen=True)
class Count:
    participant_id: int
    group: str
    invited: int
    answered: int  # declines included: a rater who declined has answered
    declines: tuple[tuple[str, int], ...] = ()  # of the answered, declines per reason


@dataclass(frozen=True)
class RoundCounts:
    """What HR may know of a round's participation, and when it was counted.

    counted_at is None when nothing is stored: a draft (its invitations are counted live,
    nobody can have answered) or a finished round whose counts were never kept.
    """

    round_id: int
    status: str
    counts: tuple[Count, ...]
    counted_at: datetime | None

    @property
    def final(self) -> bool:
        return self.status in FINISHED and self.counted_at is not None

    @property
    def next_count_after(self) -> datetime | None:
        """While the round is open: from when the next read counts again."""
        if self.status != RoundStatus.OPEN or self.counted_at is None:
            return None
        return self.counted_at + INTERVAL

    def rates(self) -> dict[int, dict[str, Rate]]:
        """Per manager (participant id) the answered / invited count of each group."""
        per_manager: dict[int, dict[str, Rate]] = {}
        for c in self.counts:
            per_manager.setdefault(c.participant_id, {})[c.group] = Rate(c.answered, c.invited)
        return per_manager


@dataclass(frozen=True)
class RoundTotal:
    """The round's response rate as HR may see it: the sum of the managers whose total is
    shown (DESIGN rule 4). A manager with fewer invitations than the threshold is left out,
    else their count would be the round's total minus the others'. `declines`: how many
    of those answers were declines, per reason (the same managers: never who)."""

    rate: Rate
    hidden_managers: int
    declines: dict[str, int] = field(default_factory=dict)


def round_total(counts: RoundCounts, threshold: int) -> RoundTotal:
    answered = invited = hidden = 0
    shown = set()
    for participant_id, rates in counts.rates().items():
        view = completion_view(rates, threshold, GROUPS)
        if view.total is None:
            hidden += 1
            continue
        shown.add(participant_id)
        answered += view.total.answered
        invited += view.total.invited
    declines: dict[str, int] = {}
    for c in counts.counts:
        if c.participant_id in shown:
            for reason, n in c.declines:
                declines[reason] = declines.get(reason, 0) + n
    return RoundTotal(
        rate=Rate(answered=answered, invited=invited),
        hidden_managers=hidden,
        declines=dict(sorted(declines.items())),
    )


# --- when to count -------------------------------------------------------------------------


def is_due(status: str, counted_at: datetime | None, now: datetime) -> bool:
    """Whether a read should count again (pure).

    Open rounds: when nothing is stored yet or the stored counts are at least an hour old.
    Finished rounds: only when nothing is stored (a round closed before counts were kept,
    whose invitations still say who answered); their counts are otherwise final.
    """
    if status == RoundStatus.OPEN:
        return counted_at is None or now - counted_at >= INTERVAL
    if status in FINISHED:
        return counted_at is None
    return False


@dataclass
class _Counted:
    invited: int = 0
    answered: int = 0  # declines included
    erased: int = 0
    declines: dict[str, int] = field(default_factory=dict)


def _invitation_counts(round_id: int) -> dict[tuple[int, str], _Counted]:
    """The one GROUP BY: per manager, group and decline reason (NULL: not declined),
    invited, answered, and erased (NULL); folded here into one count per manager and group
    with its declines per reason."""
    rows = db.session.execute(
        sa.select(
            Invitation.participant_id,
            Invitation.group,
            Invitation.declined_reason,
            sa.func.count(),
            sa.func.sum(sa.case((Invitation.submitted.is_(True), 1), else_=0)),
            sa.func.sum(sa.case((Invitation.submitted.is_(None), 1), else_=0)),
        )
        .where(Invitation.round_id == round_id)
        .group_by(Invitation.participant_id, Invitation.group, Invitation.declined_reason)
    ).all()
    counted: dict[tuple[int, str], _Counted] = {}
    for participant_id, group, reason, invited, answered, erased in rows:
        c = counted.setdefault((participant_id, group), _Counted())
        c.invited += int(invited)
        c.answered += int(answered or 0)
        c.erased += int(erased or 0)
        if reason is not None:
            c.declines[reason] = int(invited)
    return counted


def refresh_counts(round_id: int, now: datetime | None = None, force: bool = False) -> bool:
    """Count the round's invitations again and replace its stored counts, when they are due
    (see `is_due`) or when `force` is given; returns whether it did.

    Runs in the caller's write transaction and does not commit. The round's row is locked
    first (on PostgreSQL), and the stored counts are read after that, so of two callers the
    second finds the first one's counts. The close calls this with force=True, before it
    erases who submitted. Nothing is ever counted from invitations that no longer say who
    submitted (erased at close, or purged): the counts kept at close stay final.
    """
    now = now or clock.utcnow()
    row = db.session.execute(
        sa.select(Round.status, Round.invitations_purged_at)
        .where(Round.id == round_id)
        .with_for_update(key_share=True)
    ).first()
    if row is None or row.status == RoundStatus.DRAFT or row.invitations_purged_at is not None:
        return False
    if not force:
        counted_at = db.session.scalar(
            sa.select(sa.func.min(ParticipationCount.counted_at)).where(
                ParticipationCount.round_id == round_id
            )
        )
        if not is_due(row.status, counted_at, now):
            return False
    counted = _invitation_counts(round_id)
    if not counted or any(c.erased for c in counted.values()):
        return False
    db.session.execute(
        sa.delete(ParticipationCount)
        .where(ParticipationCount.round_id == round_id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.insert(ParticipationCount),
        [
            {
                "participant_id": participant_id,
                "group": group,
                "round_id": round_id,
                "invited": c.invited,
                "answered": c.answered,
                "declines": dict(sorted(c.declines.items())),
                "counted_at": now,
            }
            for (participant_id, group), c in sorted(counted.items())
        ],
    )
    return True


# --- reading -------------------------------------------------------------------------------


def _statuses(round_ids: list[int]) -> dict[int, tuple]:
    rows = db.session.execute(
        sa.select(Round.id, Round.status, Round.invitations_purged_at).where(
            Round.id.in_(round_ids)
        )
    )
    return {r.id: (r.status, r.invitations_purged_at) for r in rows}


def _stored(round_ids: list[int]) -> dict[int, list]:
    rows = db.session.execute(
        sa.select(
            ParticipationCount.round_id,
            ParticipationCount.participant_id,
            ParticipationCount.group,
            ParticipationCount.invited,
            ParticipationCount.answered,
            ParticipationCount.declines,
            ParticipationCount.counted_at,
        ).where(ParticipationCount.round_id.in_(round_ids))
    ).all()
    stored: dict[int, list] = {rid: [] for rid in round_ids}
    for row in rows:
        stored[row.round_id].append(row)
    return stored


def _countable(round_id: int) -> bool:
    """A finished round without stored counts: do its invitations still say who answered?"""
    in_round = Invitation.round_id == round_id
    erased = Invitation.submitted.is_(None)
    return bool(
        db.session.scalar(
            sa.select(sa.and_(sa.exists().where(in_round), ~sa.exists().where(in_round, erased)))
        )
    )


def _due_rounds(statuses: dict[int, tuple], stored: dict[int, list], now: datetime) -> list[int]:
    due = []
    for round_id, (status, purged_at) in statuses.items():
        rows = stored.get(round_id, [])
        counted_at = min((r.counted_at for r in rows), default=None)
        if not is_due(status, counted_at, now):
            continue
        if status in FINISHED and (purged_at is not None or not _countable(round_id)):
            continue  # nothing to count from: checked here so reads never take the lock
        due.append(round_id)
    return sorted(due)  # rows are locked in id order: two readers cannot deadlock


def _draft_counts(round_ids: list[int]) -> dict[int, list[Count]]:
    """Drafts: their invitations, counted live (nobody can have answered before launch)."""
    counts: dict[int, list[Count]] = {rid: [] for rid in round_ids}
    if not round_ids:
        return counts
    rows = db.session.execute(
        sa.select(Invitation.round_id, Invitation.participant_id, Invitation.group, sa.func.count())
        .where(Invitation.round_id.in_(round_ids))
        .group_by(Invitation.round_id, Invitation.participant_id, Invitation.group)
        .order_by(Invitation.participant_id, Invitation.group)
    ).all()
    for round_id, participant_id, group, n in rows:
        counts[round_id].append(Count(participant_id, group, int(n), 0))
    return counts


def read_counts(round_ids: Iterable[int], now: datetime | None = None) -> dict[int, RoundCounts]:
    """The counts HR sees of these rounds (unknown ids are left out), counted first where due.

    The usual read is two plain SELECTs. When a round is due, the read transaction ends and
    a write transaction counts it (`refresh_counts`, which checks again under the lock) and
    commits: call this with no unsaved changes in the session.
    """
    now = now or clock.utcnow()
    round_ids = list(dict.fromkeys(round_ids))
    if not round_ids:
        return {}
    statuses = _statuses(round_ids)
    stored = _stored(list(statuses))
    due = _due_rounds(statuses, stored, now)
    if due:
        begin_write()
        try:
            for round_id in due:
                refresh_counts(round_id, now)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        # Read again what was counted, here or by another worker that got the lock first.
        statuses |= _statuses(due)
        stored |= _stored(due)
    drafts = _draft_counts(
        [rid for rid, (status, _) in statuses.items() if status == RoundStatus.DRAFT]
    )
    result = {}
    for round_id, (status, _purged) in statuses.items():
        if status == RoundStatus.DRAFT:
            result[round_id] = RoundCounts(round_id, status, tuple(drafts[round_id]), None)
            continue
        rows = stored[round_id]
        result[round_id] = RoundCounts(
            round_id=round_id,
            status=status,
            counts=tuple(
                Count(
                    r.participant_id,
                    r.group,
                    r.invited,
                    r.answered,
                    tuple(sorted((r.declines or {}).items())),
                )
                for r in sorted(rows, key=lambda r: (r.participant_id, r.group))
            ),
            counted_at=min((r.counted_at for r in rows), default=None),
        )
    return result


def round_counts(round_id: int, now: datetime | None = None) -> RoundCounts | None:
    """`read_counts` of one round; None when it does not exist."""
    return read_counts([round_id], now).get(round_id)
