"""A small organisation to attack: HR, two rated managers with logins, a published round,
an open round with live links, a finished job, an outbox message and a pending import."""

import pytest

from feedback.models import Job, OutboxMessage, RaterGroup, RoundStatus
from feedback.reports.pdf_cache import shutdown_pdf_process
from tests.factories import (
    add_participant,
    add_response,
    make_rated_manager,
    make_round,
    make_team,
    make_user,
    statement_ids,
)
from tests.security.security_helpers import World


@pytest.fixture(autouse=True)
def _stop_pdf_processes():
    yield
    shutdown_pdf_process()


@pytest.fixture
def world(db) -> World:
    hr = make_user(db, role="hr")
    published = make_round(db, name="Published", status=RoundStatus.PUBLISHED)
    manager_a, _reps, _director = make_team(db, size=0)
    manager_b, _reps, _director = make_team(db, size=0)
    part_a = add_participant(db, published, manager_a)
    part_b = add_participant(db, published, manager_b)
    ids = statement_ids(published)
    for part in (part_a, part_b):
        add_response(db, part, group=RaterGroup.SELF, scores={i: 4 for i in ids}, grade=7)
        for score in (2, 3, 4):
            add_response(
                db,
                part,
                group=RaterGroup.DIRECT_REPORT,
                scores={i: score for i in ids},
                grade=6,
                comments={"start": f"comment {score}"},
            )
    user_a = make_user(db, role="manager", person=manager_a)
    user_b = make_user(db, role="manager", person=manager_b)
    open_round, open_part, links = make_rated_manager(db)
    job = Job(kind="round_pdfs", round_id=published.id, status="done", result_path="x.zip")
    message = OutboxMessage(to="rep@example.test", subject="Invitation", body_text="link")
    db.session.add_all([job, message])
    db.session.commit()
    return World(
        hr=hr,
        manager_a=user_a,
        manager_b=user_b,
        published=published,
        participant_a=part_a,
        participant_b=part_b,
        open_round=open_round,
        token=links[RaterGroup.DIRECT_REPORT][0][1],
        job_id=job.id,
        outbox_id=message.id,
    )
