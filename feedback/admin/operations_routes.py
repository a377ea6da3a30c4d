"""HR: reminders (schedule, send now), retention (period, purge) and mail delivery of a round.

Registered on the admin blueprint (feedback/admin/blueprint.py), like routes.py. Every
action is a POST with a CSRF token; sending reminders and purging have a confirm page (GET)
first.
"""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

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
        flash(_("Give days as whole numbers separated by commas, e.g. 3, 7."), "error")
        return _back(round_id, "reminders")
    try:
        reminders.set_schedule(round_id, form.after_launch.data, form.before_close.data)
    except reminders.ReminderError as error:
        flash(str(error), "error")
    else:
        flash(_("Reminder schedule saved."), "success")
    return _back(round_id, "reminders")


REMIND = {
    "title": _l("Send reminders now"),
    "button": _l("Send reminders"),
    "explain": _l(
        "Every rater who has not answered yet gets a reminder with a new personal "
        "link, in their own language (earlier links keep working). You will only see how many "
        "raters were reminded, never who. Reminders can be sent once an hour."
    ),
}
PURGE = {
    "title": _l("Purge invitations"),
    "button": _l("Purge (final)"),
    "explain": _l(
        "Deletes this round's invitations, personal links and unfinished answers, "
        "and removes the links from its stored e-mails. Reports and their response counts "
        "stay. This cannot be undone."
    ),
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
            flash(_("Everyone has answered: no reminder was needed."), "success")
            return _back(round_id, "reminders")
        flash(
            ngettext(
                "Reminders sent to %(num)d rater.",
                "Reminders sent to %(num)d raters.",
                result.raters,
            ),
            "success",
        )
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
        flash(_("Give the retention period as a number of days."), "error")
        return _back(round_id, "retention")
    try:
        days = retention.set_retention(round_id, form.days.data)
    except retention.RetentionError as error:
        flash(str(error), "error")
    else:
        flash(
            ngettext(
                "Retention period set to %(num)d day.",
                "Retention period set to %(num)d days.",
                days,
            )
            if days
            else _("Retention period set to the default."),
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
                _("Invitations were purged already.")
                if result is None
                else _(
                    "Purged %(invitations)d invitations, %(links)d personal links and "
                    "%(drafts)d unfinished answers.",
                    invitations=result.invitations,
                    links=result.tokens,
                    drafts=result.drafts,
                ),
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
        flash(_("The form expired: please try again."), "error")
        return _back(round_id, "mail")
    job = queue_delivery(round_id)
    if job is None:
        flash(_("No e-mail of this round is waiting to be sent."), "success")
        return _back(round_id, "mail")
    return redirect(url_for("jobs.show", job_id=job.id), 303)
