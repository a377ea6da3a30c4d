"""What the progress page shows about a job: plain data, no ORM object in the template."""

from dataclasses import dataclass

from flask import current_app

from feedback.jobs.registry import KINDS, JobKind
from feedback.jobs.runner import result_file, result_removed
from feedback.models.jobs import Job, JobStatus

STATUS_TEXT = {
    JobStatus.QUEUED: "Waiting to start",
    JobStatus.RUNNING: "Running",
    JobStatus.DONE: "Done",
    JobStatus.FAILED: "Failed",
}


@dataclass(frozen=True)
class JobView:
    id: str
    title: str
    status: str
    status_text: str
    finished: bool
    done: int
    total: int
    percent: int
    count_text: str  # "12 of 40 reports", or "" while the total is unknown
    message: str
    error: str | None
    has_file: bool
    # The file was removed on schedule (FILE_RETENTION_DAYS): said on the page, no link.
    file_removed: bool
    file_days: int


def job_view(job: Job) -> JobView:
    kind = KINDS.get(job.kind) or JobKind("", job.kind.replace("_", " ").capitalize(), "steps")
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    if job.total:
        percent = round(100 * min(job.done, job.total) / job.total)
        count_text = f"{job.done} of {job.total} {kind.unit}"
    else:
        percent = 100 if job.status == JobStatus.DONE else 0
        count_text = ""
    return JobView(
        id=job.id,
        title=kind.title,
        status=job.status,
        status_text=STATUS_TEXT.get(job.status, job.status),
        finished=finished,
        done=job.done,
        total=job.total,
        percent=percent,
        count_text=count_text,
        message=job.message or "",
        error=(job.error or "The job failed.") if job.status == JobStatus.FAILED else None,
        has_file=result_file(job) is not None,
        file_removed=result_removed(job),
        file_days=current_app.config["FILE_RETENTION_DAYS"],
    )
