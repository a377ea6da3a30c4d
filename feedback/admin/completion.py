"""Which response counts HR may see: a pure rule over invitation counts (DESIGN rule 4).

A count of answers over a group of one (the self-assessment, a lone supervisor or peer)
says exactly whether that person answered. So, per manager:

- a rater group with at least `threshold` invitations is shown on its own;
- smaller groups are pooled into "other raters", shown only when the pool has at least
  `threshold` invitations; when it has fewer, the smallest shown group joins the pool
  (complementary suppression: otherwise the pool could be recovered as total minus the
  shown groups), which always brings the pool to the threshold;
- the total is shown only when every invitation is inside a shown figure, which is exactly
  when there are at least `threshold` invitations (otherwise nothing is shown).

The decision depends on the numbers of invitations only, never on who answered, so the
shape of the table itself says nothing about answers. It is the reports' rule,
`apply_threshold` in feedback/reports/aggregation.py, tie-break included (of two smallest
shown groups the first by name joins the pool), with one difference: in reports self and
supervisor are named groups (raters are told so), while completion of a group of one must
never be shown, so here no group is exempt.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from feedback.reports.aggregation import apply_threshold

OTHERS = "others"
# apply_threshold names self and supervisor whenever they answered; here every group goes in
# under this prefix, so none is exempt. One prefix for all keeps its tie-break by name.
_NOT_EXEMPT = "completion:"


@dataclass(frozen=True)
class Rate:
    answered: int
    invited: int

    @property
    def percent(self) -> int | None:
        if not self.invited:
            return None
        return round(100 * self.answered / self.invited)


@dataclass(frozen=True)
class CompletionView:
    """What may be shown of one manager (or of the whole round).

    groups: per rater group (in the given order) its Rate, or None when it is not shown on
    its own (pooled, or no invitations); pooled: the groups counted under "other raters";
    others: the pool's Rate when shown; total: the Rate of all, or None when hidden.
    """

    groups: dict[str, Rate | None]
    pooled: tuple[str, ...]
    others: Rate | None
    total: Rate | None

    @property
    def hidden(self) -> bool:
        """Nothing at all is shown (fewer invitations than the threshold)."""
        return self.total is None and bool(self.pooled)


def completion_view(
    rates: Mapping[str, Rate], threshold: int, order: Sequence[str]
) -> CompletionView:
    """Apply the threshold to the answered / invited counts of one manager's rater groups."""
    invited = {g: rates[g].invited for g in order if g in rates and rates[g].invited > 0}
    visibility = apply_threshold(
        {_NOT_EXEMPT + g: n for g, n in invited.items()}, threshold, leave_out_small=False
    )
    if not visibility.all_others_visible:  # fewer invitations than the threshold
        return CompletionView(
            groups=dict.fromkeys(order),
            pooled=tuple(g for g in order if g in invited),
            others=None,
            total=None,
        )
    pool = [g for g in order if _NOT_EXEMPT + g in visibility.pooled]
    return CompletionView(
        groups={g: (rates[g] if _NOT_EXEMPT + g in visibility.named else None) for g in order},
        pooled=tuple(pool),
        others=_sum(rates[g] for g in pool) if pool else None,
        total=_sum(rates[g] for g in invited),
    )


def _sum(rates) -> Rate:
    answered = invited = 0
    for rate in rates:
        answered += rate.answered
        invited += rate.invited
    return Rate(answered=answered, invited=invited)
