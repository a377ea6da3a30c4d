"""HR: feedback rounds (create, raters, launch, response rates, close, publish), outbox.

Registered on the admin blueprint (feedback/admin/blueprint.py), like operations_routes.py.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.admin import creation, launch, operations, raters, rounds, transitions
from feedback.admin.blueprint import bp, confirm_page, round_or_404
from feedback.admin.dashboard import response_dashboard
from feedback.admin.forms import (
    NewRoundForm,
    RaterForm,
    ReminderScheduleForm,
    RetentionForm,
    RoundSettingsForm,
)
from feedback.admin.outbox import list_outbox, outbox_detail
from feedback.admin.rounds import AdminError
from feedback.auth.decorators import hr_required
from feedback.auth.forms import EmptyForm
from feedback.models import RoundStatus
from feedback.partials import wants_partial


def _participant_or_404(round_id: int, participant_id: int):
    participant = raters.get_participant(round_id, participant_id)
    if participant is None:
        abort(404)
    return participant


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Please check the form.")


@bp.get("/")
@hr_required
def dashboard():
    return render_template("admin/rounds.html", rounds=rounds.list_rounds())


@bp.route("/rounds/new", methods=["GET", "POST"])
@hr_required
def new_round():
    form = NewRoundForm()
    action = request.form.get("action", "create")
    if request.method == "POST" and action == "create" and form.validate():
        try:
            rnd = creation.create_round(form.settings(), form.chosen_ids())
        except AdminError as error:
            flash(str(error), "error")
        else:
            flash(
                _(
                    "Round “%(name)s” created as a draft. Check the raters, then launch.",
                    name=rnd.name,
                ),
                "success",
            )
            return redirect(url_for("admin.round_detail", round_id=rnd.id), 303)
    picker = creation.manager_picker(form.search.data, form.chosen_ids(), action)
    return render_template("admin/new_round.html", form=form, picker=picker)


@bp.post("/rounds/new/managers")
@hr_required
def manager_picker():
    """htmx: the manager list of the new-round form, filtered or (de)selected."""
    form = NewRoundForm()
    picker = creation.manager_picker(
        form.search.data, form.chosen_ids(), request.form.get("action")
    )
    return render_template("admin/_manager_list.html", picker=picker)


def _round_page(rnd, settings_form=None, status=200):
    draft = rnd.status == RoundStatus.DRAFT
    return render_template(
        "admin/round.html",
        rnd=rnd,
        framework_name=rnd.framework.name(str(get_locale())),
        lock=rounds.settings_lock(rnd),
        settings_form=settings_form or RoundSettingsForm(obj=rnd, formdata=None),
        rater_form=RaterForm(formdata=None),
        participants=raters.draft_raters(rnd.id) if draft else [],
        problems=launch.launch_problems(rnd.id) if draft else [],
        dashboard=None if draft else response_dashboard(rnd.id),
        ops=operations.round_operations(rnd),
        schedule_form=ReminderScheduleForm(formdata=None),
        retention_form=RetentionForm(formdata=None),
    ), status


@bp.get("/rounds/<int:round_id>")
@hr_required
def round_detail(round_id: int):
    return _round_page(round_or_404(round_id))


@bp.post("/rounds/<int:round_id>/settings")
@hr_required
def round_settings(round_id: int):
    rnd = round_or_404(round_id)
    form = RoundSettingsForm()
    if not form.validate():
        return _round_page(rnd, settings_form=form)
    try:
        rounds.update_round(round_id, form.settings())
    except AdminError as error:
        flash(str(error), "error")
    else:
        flash(_("Settings saved."), "success")
    return redirect(url_for("admin.round_detail", round_id=round_id), 303)


def _after_rater_change(rnd, participant, error=None, message=None, form=None):
    if wants_partial():
        return render_template(
            "admin/_participant_swap.html",
            rnd=rnd,
            p=raters.participant_raters(participant),
            rater_form=form if error and form else RaterForm(formdata=None),
            error=error,
            message=message,
            problems=launch.launch_problems(rnd.id),
        )
    flash(error or message, "error" if error else "success")
    url = url_for("admin.round_detail", round_id=rnd.id, _anchor=f"p-{participant.id}")
    return redirect(url, 303)


@bp.post("/rounds/<int:round_id>/managers/<int:participant_id>/raters")
@hr_required
def add_rater(round_id: int, participant_id: int):
    rnd = round_or_404(round_id)
    participant = _participant_or_404(round_id, participant_id)
    form = RaterForm()
    if not form.validate():
        return _after_rater_change(rnd, participant, error=_first_error(form), form=form)
    try:
        invitation = raters.add_rater(round_id, participant_id, form.who.data, form.group.data)
    except AdminError as error:
        return _after_rater_change(rnd, participant, error=str(error), form=form)
    name = invitation.person.name if invitation.person else invitation.email
    return _after_rater_change(rnd, participant, message=_("Added %(name)s.", name=name))


@bp.post("/rounds/<int:round_id>/managers/<int:participant_id>/raters/<int:invitation_id>/delete")
@hr_required
def remove_rater(round_id: int, participant_id: int, invitation_id: int):
    rnd = round_or_404(round_id)
    participant = _participant_or_404(round_id, participant_id)
    try:
        raters.remove_rater(round_id, participant_id, invitation_id)
    except AdminError as error:
        return _after_rater_change(rnd, participant, error=str(error))
    return _after_rater_change(rnd, participant, message=_("Rater removed."))


@bp.get("/rounds/<int:round_id>/dashboard")
@hr_required
def round_dashboard(round_id: int):
    """htmx polling: response counts only. A plain request gets the whole round page."""
    rnd = round_or_404(round_id)
    if not wants_partial() or rnd.status == RoundStatus.DRAFT:
        return redirect(url_for("admin.round_detail", round_id=round_id))
    return render_template("admin/_dashboard.html", rnd=rnd, dashboard=response_dashboard(round_id))


STEPS = {
    "launch": {
        "service": launch.launch_round,
        "from": RoundStatus.DRAFT,
        "title": _l("Launch the round"),
        "button": _l("Launch and send invitations"),
        "explain": _l(
            "Every rater gets an e-mail with a personal link, in their own language. "
            "Managers without a password get a link to set one. Raters can no longer be changed."
        ),
    },
    "close": {
        "service": transitions.close_round,
        "from": RoundStatus.OPEN,
        "title": _l("Close the round"),
        "button": _l("Close the round"),
        "explain": _l("Personal links stop working; answers not submitted are not counted."),
    },
    "publish": {
        "service": transitions.publish_round,
        "from": RoundStatus.CLOSED,
        "title": _l("Publish the reports"),
        "button": _l("Publish (final)"),
        "explain": _l(
            "Managers can read their reports. This is final: a published round "
            "cannot be reopened, and no answer is accepted after it."
        ),
    },
}


@bp.route("/rounds/<int:round_id>/<any(launch, close, publish):step>", methods=["GET", "POST"])
@hr_required
def round_step(round_id: int, step: str):
    """Confirm (GET) and do (POST) a launch, close or publish."""
    rnd = round_or_404(round_id)
    spec = STEPS[step]
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            result = spec["service"](round_id)
        except AdminError as error:
            flash(str(error), "error")
        else:
            flash(transitions.step_message(step, result), "success")
            if getattr(result, "job_id", None):  # mail is being sent: show its progress
                return redirect(url_for("jobs.show", job_id=result.job_id), 303)
        return redirect(url_for("admin.round_detail", round_id=round_id), 303)
    return confirm_page(rnd, spec, form, transitions.step_problems(rnd, step, spec["from"]))


@bp.get("/outbox")
@hr_required
def outbox():
    page = request.args.get("page", 1, type=int) or 1
    messages, has_next = list_outbox(page)
    return render_template("admin/outbox.html", messages=messages, page=page, has_next=has_next)


@bp.get("/outbox/<int:message_id>")
@hr_required
def outbox_message(message_id: int):
    message = outbox_detail(message_id)
    if message is None:
        abort(404)
    return render_template("admin/outbox_message.html", message=message)
