"""The anonymity rule of HR's response dashboard, as a pure function (no app)."""

import itertools

import pytest

from feedback.admin.completion import Rate, completion_view

ORDER = ("self", "supervisor", "direct_report", "peer")


def view(threshold=3, **groups):
    rates = {g: Rate(answered=a, invited=i) for g, (a, i) in groups.items()}
    return completion_view(rates, threshold, ORDER)


def shown(v):
    return {g: (r.answered, r.invited) for g, r in v.groups.items() if r is not None}


def test_self_and_supervisor_are_never_shown_alone():
    v = view(self=(1, 1), supervisor=(0, 1), direct_report=(2, 5), peer=(3, 4))
    # self + supervisor = 2 < 3: the smallest shown group (peers, 4) joins the pool.
    assert shown(v) == {"direct_report": (2, 5)}
    assert v.pooled == ("self", "supervisor", "peer")
    assert v.others == Rate(4, 6) and v.total == Rate(6, 11)


def test_a_pool_that_reaches_the_threshold_stays_alone():
    v = view(self=(1, 1), supervisor=(0, 1), direct_report=(2, 5), peer=(1, 2))
    assert shown(v) == {"direct_report": (2, 5)}
    assert v.pooled == ("self", "supervisor", "peer") and v.others == Rate(2, 4)
    assert v.total == Rate(4, 9)


def test_a_small_pool_takes_the_smallest_shown_group():
    v = view(self=(1, 1), direct_report=(2, 3), peer=(5, 6))
    assert shown(v) == {"peer": (5, 6)}
    assert v.pooled == ("self", "direct_report") and v.others == Rate(3, 4)


def test_fewer_invitations_than_the_threshold_show_nothing():
    v = view(self=(1, 1), direct_report=(0, 1))
    assert shown(v) == {} and v.others is None and v.total is None and v.hidden


def test_big_groups_alone_need_no_pool():
    v = view(direct_report=(4, 6), peer=(1, 3))
    assert shown(v) == {"direct_report": (4, 6), "peer": (1, 3)}
    assert v.pooled == () and v.others is None and v.total == Rate(5, 9) and not v.hidden


def test_the_threshold_is_checked():
    with pytest.raises(ValueError):
        view(threshold=0, self=(1, 1))


def test_visibility_depends_on_invitations_only_not_on_answers():
    """Two managers with the same invitations show the same cells, whoever answered."""
    a = view(self=(0, 1), supervisor=(1, 1), direct_report=(3, 4))
    b = view(self=(1, 1), supervisor=(0, 1), direct_report=(0, 4))
    assert [g for g, r in a.groups.items() if r] == [g for g, r in b.groups.items() if r]
    assert a.pooled == b.pooled


@pytest.mark.parametrize("threshold", [2, 3, 4, 5])
def test_no_group_under_the_threshold_can_be_recovered(threshold):
    """Exhaustively: every shown figure has >= t invitations, and the figures shown never
    let a group under the threshold be computed by subtraction."""
    sizes = range(0, 7)
    for counts in itertools.product(sizes, repeat=4):
        rates = {g: Rate(0, n) for g, n in zip(ORDER, counts, strict=True) if n}
        v = completion_view(rates, threshold, ORDER)
        figures = [r for r in v.groups.values() if r is not None]
        if v.others is not None:
            figures.append(v.others)
        if v.total is not None:
            figures.append(v.total)
        assert all(f.invited >= threshold for f in figures), counts
        small = [g for g, n in zip(ORDER, counts, strict=True) if 0 < n < threshold]
        for g in small:
            assert v.groups[g] is None and g in v.pooled, counts
        if v.total is not None:
            # total - shown groups = the pool, which is itself >= t (or empty)
            rest = v.total.invited - sum(r.invited for r in v.groups.values() if r)
            assert rest == 0 or rest >= threshold, counts


def test_a_tie_pools_the_group_the_reports_rule_pools_whatever_the_order():
    """Two shown groups of one size: the first by name joins the pool (apply_threshold's
    tie-break), in any order of the columns. Were it the order, two tables of the same
    counts in other orders would show each group alone once, and together with the total
    give away self + supervisor."""
    rates = {"self": Rate(1, 1), "supervisor": Rate(0, 1)}
    rates |= {"direct_report": Rate(2, 4), "peer": Rate(3, 4)}
    for order in itertools.permutations(ORDER):
        v = completion_view(rates, 3, order)
        assert shown(v) == {"peer": (3, 4)}, order
        assert set(v.pooled) == {"self", "supervisor", "direct_report"}, order
        assert v.others == Rate(3, 6) and v.total == Rate(6, 10)
