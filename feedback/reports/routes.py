"""The development report in the browser and as a PDF download.

Every report view goes through access.visible_participant: no means 404, whether the id
was guessed, belongs to another manager, or the round is not published (closed for HR).
The lists use the role decorators of feedback.auth.decorators, which answer 404 too.

Languages: the report (its tabs, the PDF) is in the manager's language whoever reads it
(view.render_report); the lists and the page around a report are in the reader's.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from feedback import ratelimit
from feedback.auth.decorators import hr_required, manager_required
from feedback.partials import wants_partial
from feedback.reports import access, bulk, jobs, labels, pdf_cache
from feedback.reports.builder import participant_report
from feedback.reports.view import TABS, render_report, report_view

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.context_processor
def _names():
    return {"round_status": labels.round_status, "page_lang": str(get_locale())}


def _participant_or_404(participant_id: int):
    participant = access.visible_participant(current_user, participant_id)
    if participant is None:
        abort(404)
    return participant


@bp.get("/")
@login_required
def mine():
    """For HR the rounds whose reports exist; for a manager their own published reports."""
    if current_user.is_hr:
        return render_template("reports/rounds.html", rounds=access.hr_rounds())
    return _my_reports()


@manager_required
def _my_reports():
    """A manager's own published reports; 404 for any other role or a manager without a
    person record (the decorator's rule, which the HR branch of `mine` comes before)."""
    return render_template("reports/mine.html", links=access.my_reports(current_user))


@bp.get("/rounds/<int:round_id>")
@hr_required
def round_list(round_id: int):
    """HR: every report of one closed or published round."""
    rnd = access.round_for_hr(round_id)
    if rnd is None:
        abort(404)
    return render_template("reports/round.html", rnd=rnd, links=access.round_reports(rnd.id))


@bp.post("/rounds/<int:round_id>/pdfs")
@hr_required
def build_zip(round_id: int):
    """HR: build every PDF of a closed or published round as a ZIP, in the background."""
    try:
        job = jobs.start_round_build(round_id)
    except bulk.RoundNotReady as error:
        flash(
            _(
                "Round “%(name)s” is %(status)s: reports are built only from a closed or "
                "published round. Close the round first.",
                name=error.name,
                status=labels.round_status(error.status),
            ),
            "error",
        )
        return redirect(url_for("admin.round_detail", round_id=round_id), 303)
    if job is None:
        abort(404)
    return redirect(url_for("jobs.show", job_id=job.id), 303)


@bp.get("/<int:participant_id>")
@login_required
def show(participant_id: int):
    participant = _participant_or_404(participant_id)
    tab = request.args.get("tab", "overview")
    if tab not in TABS:
        tab = "overview"
    view = report_view(participant_report(participant), pdf=False)
    if wants_partial():
        return Response(render_report("reports/_tabs.html", view, tab=tab))
    body = Markup(render_report("reports/_report.html", view, tab=tab))  # noqa: S704  (our template, autoescaped)
    return Response(
        render_template("reports/report.html", v=view, body=body, title=_("Development report"))
    )


@bp.get("/<int:participant_id>.pdf")
@login_required
@ratelimit.report_pdf
def pdf(participant_id: int):
    participant = _participant_or_404(participant_id)
    data, filename = pdf_cache.cached_report_pdf(participant)  # rendered in a child process
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
