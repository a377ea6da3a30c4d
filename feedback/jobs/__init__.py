"""Background jobs with progress: bulk PDFs, sending a round's invitations.

    job = enqueue("build_pdfs", round_id=round.id)        # in a service; commits
    return redirect(url_for("jobs.show", job_id=job.id))  # the progress page

A job function takes the job's id and its parameters, reports progress, and may return the
path of a file it wrote under `job_result_dir()`, its scratch folder; the file is then
moved into the database and offered for download by every host (see `results`):

    def build_pdfs(job_id, *, round_id):
        ...
        report_progress(job_id, done, total, "Building reports")
        return job_result_dir() / f"round-{round_id}.zip"

Register it in `registry.KINDS`. Raise `JobError("...")` for a failure HR may read; any other
exception is logged and shown as a generic failure. Messages and errors are stored in English
and shown in the reader's language: mark fixed texts with `N_("...")` so they are in the
catalogue. See `runner` for where jobs run.
"""

from feedback.jobs.registry import KINDS, JobKind, UnknownJobKind
from feedback.jobs.results import job_result_dir, result_file
from feedback.jobs.runner import (
    N_,
    QUEUE_NAME,
    JobError,
    WorkerNotConfigured,
    enqueue,
    report_progress,
    run_job,
    run_worker,
    shutdown_pool,
)

__all__ = [
    "KINDS",
    "QUEUE_NAME",
    "JobError",
    "JobKind",
    "N_",
    "UnknownJobKind",
    "WorkerNotConfigured",
    "enqueue",
    "job_result_dir",
    "report_progress",
    "result_file",
    "run_job",
    "run_worker",
    "shutdown_pool",
]
