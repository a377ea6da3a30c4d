"""What the goals part of a report's plan tab (and of its PDF plan page) shows.

The report templates include templates/goals/_plan_goals.html, which calls
`plan_goals(v)` (a template global) for this view data: the manager's saved goals, and, when
the reader is that manager on the web, the forms to add, edit, share and delete them.
HR and the PDF get the goals without forms; HR on the web gets only a sentence (see
feedback/goals/models.py for who sees what).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import has_request_context
from flask_login import current_user

from feedback.goals import services
from feedback.goals.models import Goal


@dataclass(frozen=True)
class GoalRow:
    id: int
    target: services.Target
    text: str
    target_date: str  # ISO, for <input type="date">
    shared: bool
    date: object  # the date, for formatting


@dataclass(frozen=True)
class Draft:
    """A form's values and errors, for re-showing after bad input."""

    goal_id: int | None
    target: str
    text: str
    target_date: str
    shared: bool
    errors: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Panel:
    participant_id: int
    mode: str  # "edit" (the manager on the web), "print" (PDF), "hidden" (anyone else)
    goals: tuple[GoalRow, ...]
    targets: tuple[services.Target, ...]
    can_add: bool
    draft: Draft | None = None
    saved: bool = False
    max_goals: int = services.MAX_GOALS

    def options(self, row: GoalRow | None) -> tuple[services.Target, ...]:
        return options_for(self, row)

    def error(self, goal_id: int | None, name: str):
        if self.draft is not None and self.draft.goal_id == goal_id:
            return self.draft.errors.get(name)
        return None

    def value(self, goal_id: int | None, name: str, default=""):
        if self.draft is not None and self.draft.goal_id == goal_id and self.draft.errors:
            return getattr(self.draft, name)
        return default


def _row(goal: Goal, lang: str) -> GoalRow:
    return GoalRow(
        goal.id,
        services.target_of(goal, lang),
        goal.text,
        goal.target_date.isoformat(),
        goal.shared,
        goal.target_date,
    )


def allowed_targets(report, goal: Goal | None = None) -> set[str]:
    allowed = {t.value for t in services.targets(report)}
    if goal is not None:
        allowed.add(services.target_of(goal, report.lang).value)
    return allowed


def plan_goals(view, draft: Draft | None = None, saved: bool = False) -> Panel:
    report = view.report
    if view.pdf:
        mode = "print"
    elif (
        has_request_context()
        and services.manager_participant(current_user, report.participant_id) is not None
    ):
        mode = "edit"
    else:
        mode = "hidden"
    if mode == "hidden":
        return Panel(report.participant_id, mode, (), (), False)
    goals = services.goals_of(report.participant_id)
    rows = tuple(_row(goal, report.lang) for goal in goals)
    options = tuple(services.targets(report)) if mode == "edit" else ()
    return Panel(
        report.participant_id,
        mode,
        rows,
        options,
        len(rows) < services.MAX_GOALS,
        draft,
        saved,
    )


def options_for(panel: Panel, row: GoalRow | None) -> tuple[services.Target, ...]:
    """The targets a goal's form offers: the report's, and the goal's own if not among them."""
    if row is None or any(t.value == row.target.value for t in panel.targets):
        return panel.targets
    return (row.target, *panel.targets)
