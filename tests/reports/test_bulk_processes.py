"""A round's PDFs in a pool of child processes: every child is replaced after
PDF_TASKS_PER_PROCESS reports (memory stays flat), and progress moves with every report,
in `build_round_pdfs` and in the "build_pdfs" job."""

from pypdf import PdfReader

from feedback.jobs import enqueue, shutdown_pool
from feedback.reports import bulk
from tests.reports.test_build_job import rated_round
from tests.waiting import wait_for_job

NAMES = ("Anne Een", "Bert Twee", "Cor Drie", "Dirk Vier", "Eva Vijf")


def test_children_are_recycled_and_every_report_moves_the_progress(app, db, tmp_path):
    rnd = rated_round(db, names=NAMES)
    app.config["PDF_TASKS_PER_PROCESS"] = 2
    progress = []
    built = bulk.build_round_pdfs(
        rnd.id, tmp_path, jobs=2, on_done=lambda report: progress.append(report.participant_id)
    )
    assert len(built) == len(progress) == len(NAMES)
    assert sorted(progress) == sorted(b.participant_id for b in built)  # once per report
    pids = {b.worker_pid for b in built}
    # 5 reports, at most 2 per child: at least 3 children, none of them this process
    assert len(pids) >= 3 and all(pid > 0 for pid in pids)
    assert all(b.peak_rss_kb > 0 for b in built)
    for b in built:
        text = PdfReader(tmp_path / b.filename).pages[0].extract_text()
        assert any(name in text for name in NAMES)


def test_the_job_renders_in_several_processes_and_counts_every_report(app, db):
    app.config["PDF_BUILD_PROCESSES"] = 2
    rnd = rated_round(db, names=NAMES[:3])
    try:
        job = wait_for_job(enqueue("build_pdfs", round_id=rnd.id).id)
    finally:
        shutdown_pool(app)
    assert job.error is None and (job.done, job.total) == (3, 3)
    assert job.message == "3 of 3 reports"
