"""What the progress page shows about a job: plain data, no ORM object in the template.

A job's message and error are stored in English (the job runs for nobody in particular);
they are catalogue entries (marked with `N_` where they are written) and are shown in the
page's language. A message or error that is not in the catalogue is shown as stored.
"""

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.jobs.registry import KINDS, JobKind
from feedback.jobs.results import result_file, result_removed
from feedback.models.jobs import Job, JobStatus

STATUS_TEXT = {
    JobStatus.QUEUED: _l("Waiting to start"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Done"),
    JobStatus.FAILED: _l("Failed"),
}
# A progress message that only counts ("12 of 40 reports"): the page says it in count_text.
_COUNT_MESSAGE = re.compile(r"\d+ of \d+( \S+)?")


def shown_text(stored: str) -> str:
    """A job's stored (English) message or error in the page's language, when the catalogue
    has it; otherwise as stored."""
    return _(stored) if stored else ""


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
    percent_text: str  # "42%", as the locale writes it
    count_text: str  # "12 of 40 reports", or "" while the total is unknown
    message: str
    error: str | None
    has_file: bool
    # The file was removed on schedule (FILE_RETENTION_DAYS): said on the page, no link.
    file_removed: bool
    file_days: int


def job_view(job: Job) -> JobView:
    kind = KINDS.get(job.kind) or JobKind("", job.kind.replace("_", " ").capitalize())
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    if job.total:
        percent = round(100 * min(job.done, job.total) / job.total)
        count_text = kind.count(job.done, job.total)
    else:
        percent = 100 if job.status == JobStatus.DONE else 0
        count_text = ""
    message = job.message or ""
    if _COUNT_MESSAGE.fullmatch(message):
        message = ""  # a count, said by count_text in the page's language
    if job.status == JobStatus.FAILED:
        error = shown_text(job.error) if job.error else _("The job failed.")
    else:
        error = None
    return JobView(
        id=job.id,
        title=str(kind.title),
        status=job.status,
        status_text=str(STATUS_TEXT.get(job.status, job.status)),
        finished=finished,
        done=job.done,
        total=job.total,
        percent=percent,
        percent_text=format_percent(percent / 100),
        count_text=count_text,
        message=shown_text(message),
        error=error,
        has_file=result_file(job) is not None,
        file_removed=result_removed(job),
        file_days=current_app.config["FILE_RETENTION_DAYS"],
    )
