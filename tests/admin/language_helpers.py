"""The language of the tests of HR's pages, login and jobs.

- `client` asks for English (Accept-Language), as the assertions of these tests are the
  English texts; tests of the Dutch pages ask for Dutch themselves (`dutch_client`).
- Outside a request (a service called directly, in the test's app context) messages are
  in English, and every request chooses its locale afresh: the test's app context outlives
  its requests, and Flask-Babel keeps the chosen locale on it.
"""

import pytest
from flask import g, has_request_context
from flask_babel import get_babel, refresh


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def dutch_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    return client


@pytest.fixture(autouse=True)
def _locale_per_request(app):
    babel = get_babel(app)
    select = babel.locale_selector

    def locale_selector():
        return select() if has_request_context() else "en"

    def fresh_locale():
        g.pop("lang", None)  # a language a view forced for its own request only
        refresh()

    babel.locale_selector = locale_selector
    app.before_request_funcs.setdefault(None, []).insert(0, fresh_locale)
    yield
    babel.locale_selector = select
