"""HR's response dashboard of a round: answered / invited per manager and rater group.

Anonymity: nothing here returns who has or has not answered. The counts are the ones
feedback/admin/participation.py keeps (counted at most once an hour, so a submit cannot be
timed); feedback/admin/completion.py decides what may be shown of each manager.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from feedback.admin import participation
from feedback.admin.completion import Rate, completion_view
from feedback.admin.raters import GROUP_LABELS, GROUP_ORDER
from feedback.admin.rounds import get_round
from feedback.extensions import db
from feedback.models import Participant, Person, RaterGroup
from feedback.survey.answers import DECLINE_REASONS_FOR_HR

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
    # Of the total's answers, how many were declines: (reason as HR reads it, count).
    declines: tuple[tuple[str, int], ...] = ()

    @property
    def declined(self) -> int:
        return sum(n for _reason, n in self.declines)


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
        counts.append(GroupCount(group=str(g), label=str(GROUP_LABELS[g]), state=state, rate=rate))
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
        row.append(GroupCount(group=str(g), label=str(GROUP_LABELS[g]), state=state, rate=rate))
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
        declines=tuple(
            (str(DECLINE_REASONS_FOR_HR.get(reason, reason)), n)
            for reason, n in total.declines.items()
        ),
    )
