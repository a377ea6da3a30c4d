"""Real-browser fixtures: the app on a real threaded server, Debian's Chromium via Playwright.

The app is the suite's `app` (a file SQLite database per test, or PostgreSQL with
FEEDBACK_TEST_DB=postgresql) with CSRF switched on: htmx sends the token from
<body hx-headers>, as in production. Every test skips with a reason when /usr/bin/chromium
or Playwright is missing.

Waits are Playwright's auto-waiting expectations with generous limits: nothing here
measures speed, the machine is noisy.
"""

import threading
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from feedback.jobs import shutdown_pool
from feedback.models import RaterGroup, RoundStatus
from tests.browser.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PLAYWRIGHT_EXPECT_MS,
    WAIT_MS,
    Browse,
)
from tests.factories import (
    add_participant,
    add_response,
    make_person,
    make_round,
    make_user,
    statement_ids,
)


@pytest.fixture
def chromium():
    """A browser per test: a sync Playwright left running would stop any other test in the
    session from starting its own (it holds an event loop on the main thread)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: no browser to drive")
    sync_api = pytest.importorskip("playwright.sync_api")
    sync_api.expect.set_options(timeout=WAIT_MS)  # every expectation waits this long
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        sync_api.expect.set_options(timeout=PLAYWRIGHT_EXPECT_MS)


@pytest.fixture
def live_app(app):
    """The test app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    shutdown_pool(app)  # a background job started from a page ends with its test


@pytest.fixture
def base_url(live_app):
    """Serve `live_app` on a real threaded werkzeug server; its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def browse(chromium, base_url):
    session = Browse(chromium, base_url)
    yield session
    session.close()


@pytest.fixture
def report(live_app):
    """Bert's published report: self, supervisor, four direct reports with comments."""
    with live_app.app_context():
        bert = make_person(name="Bert Manager", role="manager", language="en")
        rnd = make_round(name="Spring", status=RoundStatus.PUBLISHED)
        participant = add_participant(rnd=rnd, manager=bert)
        ids = statement_ids(rnd)
        add_response(participant=participant, group="self", scores=dict.fromkeys(ids, 5), grade=8)
        add_response(participant=participant, group="supervisor", scores=dict.fromkeys(ids, 4))
        for score in (2, 3, 4, 5):
            add_response(
                participant=participant,
                group=RaterGroup.DIRECT_REPORT,
                scores=dict.fromkeys(ids, score),
                grade=6,
                comments={"start": f"Plan the week together ({score})"},
            )
        user = make_user(role="manager", person=bert)
        return SimpleNamespace(url=f"/reports/{participant.id}", email=user.email)
