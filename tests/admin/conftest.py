"""Fixtures for HR's round pages: an organisation, a real SMTP server, the mailbox."""

import pytest

from tests import factories
from tests.admin.language_helpers import _locale_per_request, client, dutch_client  # noqa: F401


@pytest.fixture
def org(db):
    """A director with two sales managers: Anna (3 reps, NL) and Bob (2 reps, EN, one
    inactive), and an inactive manager nobody should be offered."""
    director = factories.make_person(db, name="Dora Director", email="dora@example.test")
    anna, anna_reps, _ = factories.make_team(db, size=3, language="nl", director=director)
    anna.name = "Anna Manager"
    bob, bob_reps, _ = factories.make_team(db, size=2, language="en", director=director)
    bob.name = "Bob Manager"
    bob_reps[1].active = False
    peer = factories.make_person(db, name="Piet Peer", email="piet@example.test", language="en")
    gone, _, _ = factories.make_team(db, size=1, director=director)
    gone.active = False
    gone.name = "Gone Manager"
    db.session.commit()
    return {
        "director": director,
        "anna": anna,
        "anna_reps": anna_reps,
        "bob": bob,
        "bob_reps": bob_reps,
        "peer": peer,
        "gone": gone,
    }


@pytest.fixture
def smtp(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1, and the app configured to use it."""
    from feedback.jobs import shutdown_pool
    from tests.admin.smtp_server import SmtpServer

    server = SmtpServer().start()
    app.config.update(server.config())
    yield server
    shutdown_pool(app)  # jobs that deliver mail talk to this server: let them end first
    server.stop()


@pytest.fixture
def mailbox(app):
    """Every mail as written, working links included (see admin_helpers.Mailbox)."""
    from feedback.mail import mail_stored
    from tests.admin.admin_helpers import Mailbox

    box = Mailbox()

    def record(sender, mail):
        box.append(mail)

    with mail_stored.connected_to(record, sender=app):
        yield box
