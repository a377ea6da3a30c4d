"""All models, importable from one place."""

from feedback.models.framework import Framework, Leg, OpenQuestion, Statement
from feedback.models.jobs import Job, JobStatus
from feedback.models.meta import DatabaseIdentity
from feedback.models.org import Person, User
from feedback.models.outbox import OutboxMessage
from feedback.models.responses import (
    RESPONSE_TABLES,
    Answer,
    Comment,
    Response,
    SealedResponse,
)
from feedback.models.rounds import (
    Invitation,
    InvitationToken,
    Participant,
    ParticipationCount,
    RaterGroup,
    Round,
    RoundReminder,
    RoundStatus,
)
from feedback.models.storage import (
    CachedReportPdf,
    ImportPreview,
    JobRunnerLease,
    StoredFile,
    StoredFileChunk,
)
from feedback.models.summary import LegTally, RoundNorm, RoundSummary, StatementTally

__all__ = [
    "RESPONSE_TABLES",
    "Answer",
    "CachedReportPdf",
    "Comment",
    "DatabaseIdentity",
    "Framework",
    "ImportPreview",
    "Invitation",
    "InvitationToken",
    "Job",
    "JobRunnerLease",
    "JobStatus",
    "Leg",
    "LegTally",
    "OpenQuestion",
    "OutboxMessage",
    "Participant",
    "ParticipationCount",
    "Person",
    "RaterGroup",
    "Response",
    "SealedResponse",
    "Round",
    "RoundNorm",
    "RoundReminder",
    "RoundStatus",
    "RoundSummary",
    "Statement",
    "StatementTally",
    "StoredFile",
    "StoredFileChunk",
    "User",
]
