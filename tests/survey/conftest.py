"""Fixtures for the rater's side: a rated manager with live links, and the Dutch catalog."""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from werkzeug.serving import make_server

import feedback
from feedback.models import Invitation, RaterGroup, Round
from tests.factories import make_rated_manager


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """`make` compiles the catalog; do it here too when the .mo is missing or stale."""
    po = Path(feedback.__file__).parent / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source:
            catalog = read_po(source)
        tmp = mo.with_name(f".messages.{os.getpid()}.mo")
        with tmp.open("wb") as target:
            write_mo(target, catalog)
        os.replace(tmp, mo)


@dataclass
class Survey:
    round: Round
    links: dict  # group -> [(invitation, token)]
    statement_ids: list[int]

    @property
    def invitation(self) -> Invitation:
        return self.links[RaterGroup.DIRECT_REPORT][0][0]

    @property
    def token(self) -> str:
        return self.links[RaterGroup.DIRECT_REPORT][0][1]

    @property
    def link(self):
        """The first direct report's invitation as their link opens it (draft key and all)."""
        from feedback.survey.services import find_invitation

        return find_invitation(self.token).link

    def url(self, token: str | None = None) -> str:
        return f"/s/{token or self.token}"

    def all_links(self) -> list[tuple[Invitation, str]]:
        return [link for group in self.links.values() for link in group]


@pytest.fixture
def survey(db):
    rnd, _participant, links = make_rated_manager(db)
    statement_ids = [s.id for s in rnd.framework.statements]
    return Survey(round=rnd, links=links, statement_ids=statement_ids)


@pytest.fixture
def live_server():
    """Start a real threaded werkzeug server for an app; returns its base URL."""
    servers = []

    def start(application) -> str:
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()
