"""Background job "build_pdfs": every PDF report of a finished round, in one ZIP.

    job = start_round_build(round_id)                          # HR pressed the button
    return redirect(url_for("jobs.show", job_id=job.id), 303)  # progress, then download

The job runs in a job process (a spawned local process, or an RQ work horse), never in the
web worker: WeasyPrint keeps the memory it takes, and the job process gives it back when it
ends. It renders with `bulk.build_round_pdfs` (the same code as `flask reports build`),
in `PDF_BUILD_PROCESSES` child processes (one per core by default, each replaced after
`PDF_TASKS_PER_PROCESS` reports, so memory stays flat), with the round's norms read once,
and adds each PDF to the ZIP as soon as it is written, reporting "7 of 12 reports" after
each. The ZIP is written to
instance/jobs/<job id>/feedback-<round>.zip of the job's process, with every PDF in a folder
named like it (the ZIP and the PDFs on their way into it are 0600 files); when the job
ends the runner moves the ZIP into the database (feedback/jobs/results.py), so any host
offers it for download, and the purge command removes it after FILE_RETENTION_DAYS.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from feedback import files
from feedback.db import begin_write
from feedback.extensions import db
from feedback.jobs import JobError, enqueue, job_result_dir, report_progress
from feedback.models import Job, JobStatus, Participant, Round
from feedback.reports import bulk, filenames

KIND = "build_pdfs"


# -- in the web process: start (or find) the build ---------------------------------------


def start_round_build(round_id: int) -> Job | None:
    """Enqueue the build of a round's PDFs; None when the round does not exist.

    A build of the same round that is still waiting or running is returned instead of
    starting a second one (a double click). Raises bulk.RoundNotReady for a draft or
    open round, before anything is recorded.
    """
    begin_write()
    if db.session.get(Round, round_id) is None:
        db.session.rollback()
        return None
    try:
        bulk.round_to_build(round_id)
    except bulk.RoundNotReady:
        db.session.rollback()
        raise
    running = db.session.scalar(
        sa.select(Job)
        .where(
            Job.kind == KIND,
            Job.round_id == round_id,
            Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
        )
        .order_by(Job.created_at.desc())
        .limit(1)
    )
    if running is not None:
        db.session.commit()
        return running
    return enqueue(KIND, round_id=round_id)


# -- in the job process ------------------------------------------------------------------


def build_pdfs(job_id: str) -> Path:
    """The job: write every participant's PDF of the job's round into a ZIP; return it."""
    round_id = db.session.scalar(sa.select(Job.round_id).where(Job.id == job_id))
    if round_id is None:
        raise JobError("This job does not say which round to build.")
    try:
        rnd = bulk.round_to_build(round_id)
    except bulk.RoundNotReady as error:
        raise JobError(str(error)) from None
    name, folder = rnd.name, f"feedback-{filenames.round_slug(rnd.name)}"
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Participant).where(Participant.round_id == round_id)
    )
    db.session.rollback()  # progress is written on its own connection: hold nothing
    if not total:
        raise JobError(f"Round “{name}” has no managers: there are no reports to build.")

    job_dir = job_result_dir() / job_id
    staging = job_dir / "pdfs"
    archive = job_dir / f"{folder}.zip"
    report_progress(job_id, 0, total, "Building reports")
    try:
        job_dir.mkdir(mode=files.FOLDER_MODE, exist_ok=True)
        with (
            files.open_private(archive) as handle,
            zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zip_file,
        ):
            done = 0

            def add(built: bulk.BuiltReport) -> None:
                nonlocal done
                pdf = staging / built.filename
                zip_file.write(pdf, f"{folder}/{built.filename}")
                pdf.unlink()
                done += 1
                report_progress(job_id, done, total, f"{done} of {total} reports")

            processes = current_app.config["PDF_BUILD_PROCESSES"]
            bulk.build_round_pdfs(round_id, staging, jobs=processes, on_done=add)
        shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(job_dir, ignore_errors=True)  # no half ZIP is left behind
        raise
    return archive
