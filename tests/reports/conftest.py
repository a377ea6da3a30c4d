"""Report tests: the PDF download renders in a child process; stop it after each test."""

import pytest

from feedback.reports.pdf_cache import shutdown_pdf_process


@pytest.fixture(autouse=True)
def _stop_pdf_processes():
    yield
    shutdown_pdf_process()  # every app's: no child process outlives its test
