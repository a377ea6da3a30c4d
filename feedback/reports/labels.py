"""The names and sentences the report's rules leave to rendering, and the report's language.

The rules (aggregation.py) return keys and numbers: a group key ("peer"), a rule key with
its figures (`aggregation.Rule("pooled_small", {"group": "peer", "t": 3})`), a reason key
("blind_spot"). This module turns them into text from the translation catalogue in the
current locale, so call it inside `flask_babel.force_locale(lang)` wherever the reader's
language is not the request's (a manager's report, web page and PDF). Each rater group has
one name in each language, used by the report, the PDF, the overview and the exports.

`report_language` picks the manager's language for their report.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from feedback.i18n import person_language
from feedback.models import Person
from feedback.reports import aggregation as agg
from feedback.reports import numbers
from feedback.reports.model import Norm, PlanSuggestion

LANGS = agg.LANGS
DEFAULT_LANG = "nl"

GROUP_NAMES = {
    agg.SELF: _l("Self"),
    agg.SUPERVISOR: _l("Supervisor"),
    agg.DIRECT_REPORT: _l("Direct reports"),
    agg.PEER: _l("Peers"),
    agg.OTHERS: _l("Others"),
    agg.ALL_OTHERS: _l("All others"),
    "norm": _l("Norm"),
}

ROUND_STATUS = {
    "draft": _l("draft"),
    "open": _l("open"),
    "closed": _l("closed"),
    "published": _l("published"),
}

# Why a leg is suggested in the development plan (aggregation.plan_suggestions): by reason,
# then by rank under that reason (plan_reason).
LOWEST_LEG = {
    1: _l("your lowest leg in others' view"),
    2: _l("your second-lowest leg in others' view"),
    3: _l("your third-lowest leg in others' view"),
}
LARGEST_BLIND_SPOT = {
    1: _l("your largest blind spot: you rate yourself %(gap)s higher than others do"),
    2: _l("your second-largest blind spot: you rate yourself %(gap)s higher than others do"),
    3: _l("your third-largest blind spot: you rate yourself %(gap)s higher than others do"),
}


# Where a figure stands against the organisation norm (aggregation.position_against_norm).
NORM_POSITIONS = {
    "above": _l("above the norm"),
    "at": _l("at the norm"),
    "below": _l("below the norm"),
}


def group_name(group: str) -> str:
    """The name of a rater group (or "norm") in the current locale."""
    return str(GROUP_NAMES[group])


def plan_reason(suggestion: PlanSuggestion) -> str:
    """Why a leg is in the development plan, by the reason and rank it was chosen for."""
    rank = suggestion.rank
    if suggestion.reason == "lowest_score":
        if rank in LOWEST_LEG:
            return str(LOWEST_LEG[rank])
        return _("number %(rank)s from the bottom of your legs in others' view", rank=rank)
    if suggestion.reason == "blind_spot":
        gap = numbers.decimal(suggestion.gap)
        if rank in LARGEST_BLIND_SPOT:
            return str(LARGEST_BLIND_SPOT[rank]) % {"gap": gap}
        return _("a blind spot: you rate yourself %(gap)s higher than others do", gap=gap)
    raise KeyError(suggestion.reason)


def norm_note(norm: Norm) -> str:
    """Where a norm comes from ("norm of 12 managers in this round"), or why there is none."""
    if norm.mean is None:
        return _(
            "no norm: fewer than %(m)s managers in this round could be compared",
            m=numbers.count(agg.NORM_MIN_MANAGERS),
        )
    return ngettext(
        "norm of %(count)s manager in this round",
        "norm of %(count)s managers in this round",
        norm.n_managers,
        count=numbers.count(norm.n_managers),
    )


def round_status(status: str) -> str:
    label = ROUND_STATUS.get(str(status))
    return str(label) if label is not None else str(status)


SECTION_NAMES = {
    agg.STRENGTHS: _l("strengths"),
    agg.DEVELOPMENT_AREAS: _l("development areas"),
    agg.BLIND_SPOTS: _l("blind spots"),
    agg.HIDDEN_STRENGTHS: _l("hidden strengths"),
}


def empty_text(reason: agg.Rule) -> str:
    """Why a section of the report is empty, in one sentence in the current locale."""
    p: Mapping = reason.params
    section = str(SECTION_NAMES[p["section"]])
    key = reason.key
    if key == "too_few":
        return _(
            "Too few answers to rank %(section)s: %(n)s of the %(t)s needed.",
            section=section,
            n=p["n"],
            t=p["t"],
        )
    if key == "too_few_each":
        return _(
            "Too few answers to rank %(section)s: no statement has %(t)s answers other than "
            "“don't know”.",
            section=section,
            t=p["t"],
        )
    if key == "no_self":
        return _("No self-assessment: %(section)s compare your view with others'.", section=section)
    if key == "no_gap":
        gap = numbers.decimal(p["gap"])
        if p["section"] == agg.BLIND_SPOTS:
            return _("No statement where you rate yourself %(gap)s or more above others.", gap=gap)
        return _("No statement where you rate yourself %(gap)s or more below others.", gap=gap)
    return _("Every statement with enough answers is already listed under strengths.")


def rule_text(rule: agg.Rule) -> str:
    """One anonymity rule applied to a report, as a sentence in the current locale."""
    p: Mapping = rule.params
    others, all_others = group_name(agg.OTHERS), group_name(agg.ALL_OTHERS)
    key = rule.key
    if key == "threshold":
        return _(
            "The anonymity threshold is %(t)s: for each statement, leg, grade and distribution, "
            "the scores of direct reports and peers are shown only when at least %(t)s of them "
            "answered.",
            t=p["t"],
        )
    if key == "exempt":
        return _(
            "“%(self_name)s” and “%(supervisor)s” are shown by name; the survey told raters so.",
            self_name=group_name(agg.SELF),
            supervisor=group_name(agg.SUPERVISOR),
        )
    if key == "pooled_small":
        return _(
            "%(group)s (fewer than %(t)s) are below the threshold of %(t)s and are included in "
            "“%(others)s”.",
            group=group_name(p["group"]),
            t=p["t"],
            others=others,
        )
    if key == "left_out":
        return _(
            "%(group)s: fewer than %(t)s answered, too few to show separately. Their answers "
            "are not included in any figure, “%(all_others)s” included, so that the other "
            "groups can be shown.",
            group=group_name(p["group"]),
            t=p["t"],
            all_others=all_others,
        )
    if key == "suppressed":
        return _(
            "Direct reports and peers together: fewer than %(t)s answers. Their scores are not "
            "shown, not even in “%(all_others)s”.",
            t=p["t"],
            all_others=all_others,
        )
    if key == "per_figure":
        return _(
            "Each figure is checked on its own: where many raters said “don't know”, a group "
            "may be hidden or pooled for that statement even if it is shown elsewhere."
        )
    if key == "dont_know":
        return _(
            "“Don't know” is left out of means. A rater counts for a leg, and for its "
            "statements, only if they answered at least half of its statements. A leg score "
            "is the average of the statement scores shown."
        )
    if key == "distribution":
        return _(
            "The spread of answers is shown only for groups of at least %(t)s raters, never for "
            "“%(self_name)s” or “%(supervisor)s”.",
            t=p["t"],
            self_name=group_name(agg.SELF),
            supervisor=group_name(agg.SUPERVISOR),
        )
    if key == "comments_order":
        return _(
            "Comments are shown in random order, and with a group name only when that group "
            "is shown by name."
        )
    if key == "comments_withheld":
        return _("Some comments were withheld to protect the raters' anonymity.")
    if key == "norm":
        return _(
            "The organisation norm is the mean of the managers in this round whose score is "
            "visible; with fewer than %(m)s managers no norm is shown.",
            m=p["m"],
        )
    raise KeyError(key)


def report_language(person: Person | None) -> str:
    """The language of a manager's report: their account's language setting when they have
    one, else the language of their person record, else the default language."""
    return person_language(person)
