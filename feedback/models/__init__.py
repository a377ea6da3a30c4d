"""All models, importable from one place."""

from feedback.models.framework import Framework, Leg, OpenQuestion, Statement
from feedback.models.jobs import Job, JobStatus
from feedback.models.org import Person, User
from feedback.models.outbox import OutboxMessage
from feedback.models.responses import RESPONSE_TABLES, Answer, Comment, Response
from feedback.models.rounds import (
    DraftAnswer,
    Invitation,
    InvitationToken,
    Participant,
    RaterGroup,
    Round,
    RoundReminder,
    RoundStatus,
)

__all__ = [
    "RESPONSE_TABLES",
    "Answer",
    "Comment",
    "DraftAnswer",
    "Framework",
    "Invitation",
    "InvitationToken",
    "Job",
    "JobStatus",
    "Leg",
    "OpenQuestion",
    "OutboxMessage",
    "Participant",
    "Person",
    "RaterGroup",
    "Response",
    "Round",
    "RoundReminder",
    "RoundStatus",
    "Statement",
    "User",
]
