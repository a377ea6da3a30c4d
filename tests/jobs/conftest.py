"""Fixtures for background jobs: waiting for a job, and no leftover processes."""

import pytest

from feedback.jobs import shutdown_pool
from tests.admin.language_helpers import _locale_per_request, client, dutch_client  # noqa: F401
from tests.waiting import wait_for_job as _wait_for_job


@pytest.fixture(autouse=True)
def _stop_job_processes(app):
    yield
    shutdown_pool(app)


@pytest.fixture
def wait_for_job(app_ctx):
    return _wait_for_job
