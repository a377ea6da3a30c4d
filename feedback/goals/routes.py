"""Goals: saved from the report's plan tab (htmx, or plain form posts), and the page of
goals shared with a supervisor.

Every goal view goes through services.manager_participant / manager_goal: a report or goal
that is not the reader's own answers 404, like a missing one. Form posts carry the CSRF
token (Flask-WTF checks every POST). An htmx post gets the goals part of the plan tab back,
in the report's language; a plain post is sent back to the plan tab (errors as messages).
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from feedback.auth.decorators import manager_required
from feedback.goals import panel, services
from feedback.goals.forms import GoalForm
from feedback.partials import wants_partial
from feedback.reports.builder import participant_report
from feedback.reports.view import render_report, report_view

bp = Blueprint("goals", __name__, url_prefix="/goals")


@bp.app_context_processor
def _plan_goals():
    return {"plan_goals": panel.plan_goals, "goal_managers": services.managers_with_goals}


def _answer(participant, goal_id=None, form=None, errors=None, view=None, saved=True):
    """After a post: the goals part again (htmx), or back to the plan tab."""
    if not wants_partial():
        for message in (errors or {}).values():
            flash(str(message), "error")
        if saved and not errors:
            flash(_("Goals saved."), "success")
        return redirect(url_for("reports.show", participant_id=participant.id, tab="plan"), 303)
    view = view or report_view(participant_report(participant), pdf=False)
    draft = None
    if errors:
        draft = panel.Draft(
            goal_id,
            form.raw("target"),
            form.raw("text"),
            form.raw("target_date"),
            bool(form.shared.data),
            errors,
        )
    state = panel.plan_goals(view, draft=draft, saved=saved and not errors)
    return Response(render_report("goals/_plan_goals.html", view, goals_panel=state))


def _input(form: GoalForm) -> services.GoalInput:
    return services.GoalInput(
        form.raw("target"), form.raw("text"), form.raw("target_date"), bool(form.shared.data)
    )


@bp.post("/report/<int:participant_id>")
@login_required
def add(participant_id: int):
    participant = services.manager_participant(current_user, participant_id)
    if participant is None:
        abort(404)
    form = GoalForm()
    report = participant_report(participant)
    errors = services.save_goal(participant, _input(form), panel.allowed_targets(report))
    return _answer(participant, None, form, errors, report_view(report, pdf=False))


@bp.post("/<int:goal_id>")
@login_required
def edit(goal_id: int):
    goal = services.manager_goal(current_user, goal_id)
    if goal is None:
        abort(404)
    participant = goal.participant
    form = GoalForm()
    report = participant_report(participant)
    errors = services.save_goal(
        participant, _input(form), panel.allowed_targets(report, goal), goal=goal
    )
    return _answer(participant, goal_id, form, errors, report_view(report, pdf=False))


@bp.post("/<int:goal_id>/delete")
@login_required
def delete(goal_id: int):
    goal = services.manager_goal(current_user, goal_id)
    if goal is None:
        abort(404)
    participant = goal.participant
    services.delete_goal(goal)
    if not wants_partial():
        flash(_("Goal deleted."), "success")
    return _answer(participant, saved=False)


@bp.get("/shared")
@manager_required
def shared():
    """A supervisor: the goals their own managers shared with them (texts only)."""
    groups = services.shared_with(current_user, str(get_locale()))
    return render_template("goals/shared.html", groups=groups, title=_("Goals shared with me"))
