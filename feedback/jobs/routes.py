"""The progress page of a background job, and its result file. HR only."""

from flask import Blueprint, abort, render_template, send_file

from feedback.auth.decorators import hr_required
from feedback.extensions import db
from feedback.jobs.results import ResultReader, result_file
from feedback.jobs.status import job_view
from feedback.models.jobs import Job
from feedback.partials import wants_partial

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("/<uuid:job_id>")
@hr_required
def show(job_id):
    view = job_view(db.get_or_404(Job, str(job_id)))
    if wants_partial():
        return render_template("jobs/_progress.html", job=view)
    return render_template("jobs/show.html", job=view)


@bp.get("/<uuid:job_id>/download")
@hr_required
def download(job_id):
    stored = result_file(db.get_or_404(Job, str(job_id)))
    if stored is None:
        abort(404)
    reader = ResultReader(stored)  # streams one chunk at a time from the database
    name = stored.name
    db.session.rollback()  # no transaction held while the client downloads
    response = send_file(reader, as_attachment=True, download_name=name)
    response.content_length = reader.size
    return response
