"""Fixtures for background jobs: an HR login, waiting for a job, and no leftover processes."""

import pytest

from feedback.jobs import shutdown_pool
from tests.factories import make_user
from tests.waiting import wait_for_job as _wait_for_job


@pytest.fixture(autouse=True)
def _stop_job_processes(app):
    yield
    shutdown_pool(app)


@pytest.fixture
def hr_client(client, auth, app_ctx):
    user = make_user(role="hr")
    assert auth.login(user.email).status_code == 302
    return client


@pytest.fixture
def wait_for_job(app_ctx):
    return _wait_for_job
