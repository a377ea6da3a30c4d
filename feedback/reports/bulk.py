"""All PDFs of a closed or published round: `flask reports build` and the "all reports as
a ZIP" job both call `build_round_pdfs`. One process, or a pool of child processes.

With a pool, every child renders about `PDF_TASKS_PER_PROCESS` reports and is then
replaced by a fresh one from the fork server (feedback/processes.py): WeasyPrint keeps
about 225 KB per report and never gives it back, so a round of 300 renders in children
whose memory stays flat. Each report is handed to a child on its own and `on_done` is
called as soon as it is written, so progress moves with every report.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from feedback import files, processes
from feedback.extensions import db
from feedback.models import Participant, Person, Round
from feedback.reports.access import HR_STATUSES
from feedback.reports.filenames import report_filename
from feedback.reports.pdf_report import report_pdf


class RoundNotReady(ValueError):
    """The round is not closed or published (or does not exist). The message (for the
    command line and the job's log) is English; pages write their own from name and status."""

    def __init__(self, message: str, name: str = "", status: str = ""):
        super().__init__(message)
        self.name, self.status = name, status


@dataclass(frozen=True)
class BuiltReport:
    participant_id: int
    filename: str
    size: int
    worker_pid: int = 0  # the process that rendered it
    peak_rss_kb: int = 0  # that process's peak resident memory so far


def round_to_build(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise RoundNotReady(f"There is no round {round_id}.")
    if rnd.status not in HR_STATUSES:
        raise RoundNotReady(
            f'Round {round_id} ("{rnd.name}") is {rnd.status}: reports are built only from a '
            "closed or published round. Close the round first.",
            rnd.name,
            rnd.status,
        )
    return rnd


def build_round_pdfs(
    round_id: int,
    out_dir: Path,
    *,
    jobs: int = 1,
    on_done: Callable[[BuiltReport], object] | None = None,
    limit: int | None = None,
) -> list[BuiltReport]:
    """Write every participant's PDF of a closed/published round to `out_dir`.

    jobs = 1 renders in this process; jobs > 1 in that many child processes, each with its
    own app built from the current app's settings (feedback.processes) and replaced after
    PDF_TASKS_PER_PROCESS reports. The norms of the round are read once here (from its
    summary) and handed to every report. `limit`: only the first that many participants
    (benchmarks). Raises RoundNotReady.
    """
    from feedback.reports import summary

    rnd = round_to_build(round_id)
    norms = summary.norms(rnd)
    rows = db.session.execute(
        sa.select(Participant.id, Person.name)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.round_id == rnd.id)
        .order_by(Participant.id)
    ).all()
    names = [report_filename(rnd.name, name) for _pid, name in rows]
    tasks = [
        (pid, name if names.count(name) == 1 else name.replace(".pdf", f"-{pid}.pdf"))
        for (pid, _n), name in zip(rows, names, strict=True)
    ]
    tasks = tasks[:limit] if limit is not None else tasks
    out_dir.mkdir(parents=True, exist_ok=True)
    done: list[BuiltReport] = []
    if jobs <= 1 or len(tasks) <= 1:
        for pid, filename in tasks:
            built = write_one_pdf(pid, str(out_dir / filename), norms)
            done.append(built)
            if on_done:
                on_done(built)
        return done

    from concurrent.futures import as_completed

    per_child = max(1, current_app.config["PDF_TASKS_PER_PROCESS"])
    db.session.rollback()  # hold no read transaction while the children work
    workers = min(jobs, len(tasks))
    # A fresh pool of `workers` children for every `workers * per_child` reports: the
    # children of one pool render about per_child reports each and then exit, giving back
    # what WeasyPrint kept. (ProcessPoolExecutor's own max_tasks_per_child can hang on
    # Python 3.11 when a child exits with tasks still queued.)
    chunk = workers * per_child
    for start in range(0, len(tasks), chunk):
        with processes.process_pool(current_app, workers) as pool:
            futures = [
                pool.submit(_worker_build, pid, str(out_dir / filename), norms)
                for pid, filename in tasks[start : start + chunk]
            ]
            for future in as_completed(futures):
                built = future.result()
                done.append(built)
                if on_done:
                    on_done(built)
    done.sort(key=lambda b: b.participant_id)
    return done


def write_one_pdf(participant_id: int, target: str, norms=None) -> BuiltReport:
    """Render one participant's PDF to the file `target` (inside an app context)."""
    part = db.session.execute(
        sa.select(Participant)
        .where(Participant.id == participant_id)
        .options(so.joinedload(Participant.round), so.joinedload(Participant.person))
    ).scalar_one()
    data, _filename = report_pdf(part, norms=norms)
    path = Path(target)
    files.write_private(path, data)  # 0600: a report is for the people allowed to see it
    db.session.rollback()  # end the read transaction: nothing is held between reports
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return BuiltReport(participant_id, path.name, len(data), os.getpid(), peak)


def _worker_build(participant_id: int, target: str, norms) -> BuiltReport:
    with processes.app_context():
        return write_one_pdf(participant_id, target, norms)
