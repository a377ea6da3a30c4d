"""HR: reminders (schedule, send now), retention (period, purge) and mail delivery of a round.

Registered on the admin blueprint (feedback/admin/blueprint.py), like routes.py. Every
action is a POST with a CSRF token; sending reminders and purging have a confirm page (GET)
first.
"""

from flask import flash, redirect, url_for

from feedback.admin import reminders, retention
from feedback.admin.blueprint import bp, confirm_page, round_or_404
from feedback.admin.forms import ReminderScheduleForm, RetentionForm
from feedback.auth.decorators import hr_required
from feedback.auth.forms import EmptyForm
from feedback.mail import queue_delivery


def _back(round_id: int, anchor: str | None = None):
    return redirect(url_for("admin.round_detail", round_id=round_id, _anchor=anchor), 303)


@bp.post("/rounds/<int:round_id>/reminders/schedule")
@hr_required
def reminder_schedule(round_id: int):
    round_or_404(round_id)
    form = ReminderScheduleForm()
    if not form.validate():
        flash("Give days as whole numbers separated by commas, e.g. 3, 7.", "error")
        return _back(round_id, "reminders")
    try:
        reminders.set_schedule(round_id, form.after_launch.data, form.before_close.data)
    except reminders.ReminderError as error:
        flash(str(error), "error")
    else:
        flash("Reminder schedule saved.", "success")
    return _back(round_id, "reminders")


REMIND = {
    "title": "Send reminders now",
    "button": "Send reminders",
    "explain": "Every rater who has not answered yet gets a reminder with a new personal "
    "link, in their own language (earlier links keep working). You will only see how many "
    "raters were reminded, never who. Reminders can be sent once an hour.",
}
PURGE = {
    "title": "Purge invitations",
    "button": "Purge (final)",
    "explain": "Deletes this round's invitations, personal links and unfinished answers, "
    "and removes the links from its stored e-mails. Reports and their response counts stay. "
    "This cannot be undone.",
}


@bp.route("/rounds/<int:round_id>/remind", methods=["GET", "POST"])
@hr_required
def remind(round_id: int):
    """Confirm (GET) and send (POST) reminders to every pending rater of an open round."""
    rnd = round_or_404(round_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            result = reminders.send_reminders_now(round_id)
        except reminders.ReminderError as error:
            flash(str(error), "error")
            return _back(round_id, "reminders")
        if not result.raters:
            flash("Everyone has answered: no reminder was needed.", "success")
            return _back(round_id, "reminders")
        flash(f"Reminders sent to {result.raters} raters.", "success")
        if result.job_id:
            return redirect(url_for("jobs.show", job_id=result.job_id), 303)
        return _back(round_id, "reminders")
    return confirm_page(rnd, REMIND, form, reminders.reminder_problems(rnd))


@bp.post("/rounds/<int:round_id>/retention")
@hr_required
def retention_period(round_id: int):
    round_or_404(round_id)
    form = RetentionForm()
    if not form.validate():
        flash("Give the retention period as a number of days.", "error")
        return _back(round_id, "retention")
    try:
        days = retention.set_retention(round_id, form.days.data)
    except retention.RetentionError as error:
        flash(str(error), "error")
    else:
        flash(
            f"Retention period set to {days} days."
            if days
            else "Retention period set to the default.",
            "success",
        )
    return _back(round_id, "retention")


@bp.route("/rounds/<int:round_id>/purge", methods=["GET", "POST"])
@hr_required
def purge(round_id: int):
    """Confirm (GET) and do (POST) the purge of a finished round's invitations."""
    rnd = round_or_404(round_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            result = retention.purge_round(round_id)
        except retention.RetentionError as error:
            flash(str(error), "error")
        else:
            flash(
                "Invitations were purged already."
                if result is None
                else f"Purged {result.invitations} invitations, {result.tokens} personal "
                f"links and {result.drafts} unfinished answers.",
                "success",
            )
        return _back(round_id, "retention")
    return confirm_page(rnd, PURGE, form, retention.purge_problems(rnd))


@bp.post("/rounds/<int:round_id>/mail/send")
@hr_required
def send_queued_mail(round_id: int):
    """Hand the round's queued mail to a background job again (after a server failure)."""
    round_or_404(round_id)
    if not EmptyForm().validate_on_submit():
        flash("The form expired: please try again.", "error")
        return _back(round_id, "mail")
    job = queue_delivery(round_id)
    if job is None:
        flash("No e-mail of this round is waiting to be sent.", "success")
        return _back(round_id, "mail")
    return redirect(url_for("jobs.show", job_id=job.id), 303)
