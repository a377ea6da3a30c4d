"""Fixtures for the comment warning: each test starts without another test's names; the
browser fixtures and the compiled Dutch catalogue come from the suites that have them."""

import pytest

from feedback.identifying import org_names
from tests.browser.conftest import base_url, browse, chromium, live_app  # noqa: F401
from tests.survey.conftest import compiled_translations  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_names():
    org_names.forget()
    yield
    org_names.forget()
