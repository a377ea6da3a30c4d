"""A job that only counts: for tests and for checking a worker set-up. Not in the UI."""

import os
import time

from feedback.files import write_private
from feedback.jobs.results import job_result_dir
from feedback.jobs.runner import JobError, report_progress


def selftest(
    job_id: str,
    *,
    steps: int = 3,
    delay: float = 0.05,
    fail_at: int | None = None,
    fail_message: str | None = None,
    exit_at: int | None = None,
    write_result: bool = False,
):
    """Count `steps` steps, reporting each; fail at step `fail_at` when asked.

    With `fail_message` the failure is a JobError (its message is shown); without, it is an
    unexpected error (only a generic message is shown). With `write_result` it leaves a small
    text file in its scratch folder (naming the process it ran in) and returns its path; the
    runner moves it into the database.
    """
    report_progress(job_id, 0, steps, "Counting")
    for step in range(steps):
        if exit_at == step:
            os._exit(3)  # a process that dies: only ever for the local-process test
        if fail_at == step:
            if fail_message:
                raise JobError(fail_message)
            raise RuntimeError(f"selftest failed on purpose at step {step} (internal detail)")
        time.sleep(delay)
        report_progress(job_id, step + 1, steps, f"Counted {step + 1}")
    if write_result:
        path = job_result_dir() / f"selftest-{job_id}.txt"
        write_private(path, f"selftest {job_id}: {steps} steps in process {os.getpid()}\n".encode())
        return path
    return None
