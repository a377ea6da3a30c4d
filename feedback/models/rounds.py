"""Feedback rounds, the managers rated in them, and the invitations to raters.

The invitation is the only record that knows who a rater is. While the round is open it
holds the rater's draft (encrypted: see feedback/sealing.py) and whether they submitted;
what they submitted is sealed in `sealed_response`, with no way back to it. Closing the
round erases the per-person state and keeps counts per manager and group
(`ParticipationCount`).
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.clock import utcnow
from feedback.config import Config
from feedback.extensions import db
from feedback.models.framework import Framework
from feedback.models.org import Person


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class RaterGroup(enum.StrEnum):
    SELF = "self"
    SUPERVISOR = "supervisor"
    DIRECT_REPORT = "direct_report"
    PEER = "peer"


class Round(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    opens_on: so.Mapped[date]
    closes_on: so.Mapped[date]
    threshold: so.Mapped[int] = so.mapped_column(default=Config.DEFAULT_THRESHOLD)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=RoundStatus.DRAFT)
    framework_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("framework.id"))
    # Set when the first answer (draft or submitted) arrives: framework and threshold freeze.
    answers_started: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    launched_at: so.Mapped[datetime | None]
    closed_at: so.Mapped[datetime | None]
    published_at: so.Mapped[datetime | None]
    # Automatic reminders: days after launch (e.g. [3, 7]) and days before close (e.g. [2]).
    reminder_days_after_launch: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    reminder_days_before_close: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    # The last reminder of any kind: the manual button waits an hour after it.
    last_reminder_at: so.Mapped[datetime | None]
    # Days after closing before invitations, links and drafts are purged (None: the default).
    retention_days: so.Mapped[int | None]
    invitations_purged_at: so.Mapped[datetime | None]

    framework: so.Mapped[Framework] = so.relationship()
    participants: so.Mapped[list["Participant"]] = so.relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("threshold >= 1", name="threshold_positive"),
        sa.CheckConstraint("closes_on >= opens_on", name="dates_ordered"),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'published')", name="status_known"
        ),
        sa.CheckConstraint(
            "retention_days IS NULL OR retention_days >= 1", name="retention_positive"
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def is_locked(self) -> bool:
        """Framework and threshold can no longer change."""
        return self.answers_started or self.status in (
            RoundStatus.CLOSED,
            RoundStatus.PUBLISHED,
        )


class Participant(db.Model):
    """A sales manager rated in a round."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("person.id"), index=True)

    round: so.Mapped[Round] = so.relationship(back_populates="participants")
    person: so.Mapped[Person] = so.relationship()
    invitations: so.Mapped[list["Invitation"]] = so.relationship(
        back_populates="participant", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("round_id", "person_id"),)


class Invitation(db.Model):
    """One rater asked to rate one manager in one round.

    Before launch it is a proposal HR can edit; launch gives it a token and sends it.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    person_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    group: so.Mapped[str] = so.mapped_column(sa.String(20))
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    language: so.Mapped[str] = so.mapped_column(sa.String(2), default="nl")
    # Whether this rater submitted: needed for exactly-once and reminders while the round
    # is open, erased (NULL) when it closes.
    submitted: so.Mapped[bool | None] = so.mapped_column(default=False)
    # Set (to the reason's key) when the rater declined instead of answering, which also
    # sets `submitted` (declining is final, and counts like an answer); erased at close.
    declined_reason: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    sent_at: so.Mapped[datetime | None]
    reminders_sent: so.Mapped[int] = so.mapped_column(default=0)
    last_reminded_at: so.Mapped[datetime | None]
    # The draft: one encrypted blob (which questions are answered is not readable either),
    # under a per-invitation draft key that each link's token unwraps. The draft key is
    # also sealed with the instance key, so a reminder's new link can be given a wrapping.
    draft: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    draft_key_sealed: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)

    participant: so.Mapped[Participant] = so.relationship(back_populates="invitations")
    person: so.Mapped[Person | None] = so.relationship()
    tokens: so.Mapped[list["InvitationToken"]] = so.relationship(
        back_populates="invitation", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("participant_id", "email"),
        sa.CheckConstraint(
            "\"group\" IN ('self', 'supervisor', 'direct_report', 'peer')", name="group_known"
        ),
    )


class InvitationToken(db.Model):
    """The hash of a personal link's token. A reminder may add a new link; old ones work.

    wrapped_key is the invitation's draft key encrypted with a key derived from the token:
    only the link opens it.
    """

    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    invitation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("invitation.id", ondelete="CASCADE"), index=True
    )
    wrapped_key: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)

    invitation: so.Mapped[Invitation] = so.relationship(back_populates="tokens")


class RoundReminder(db.Model):
    """A scheduled reminder slot of a round ("after:3", "before:2") that was sent.

    The primary key makes the claim exclusive: a second run of `send-reminders` finds the
    slot taken and sends nothing.
    """

    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    slot: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    sent_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    raters: so.Mapped[int] = so.mapped_column(default=0)


class ParticipationCount(db.Model):
    """How many raters of one group of one manager were invited and have answered.

    While the round is open the counts are refreshed at most once per clock hour (so HR
    cannot time one rater's submit); closing the round writes the final counts, which are
    all that remains of who took part.
    """

    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    group: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    invited: so.Mapped[int] = so.mapped_column(default=0)
    answered: so.Mapped[int] = so.mapped_column(default=0)
    # Of the answered, how many declined, per reason ({"new_in_team": 1}): counts only.
    declines: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    counted_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("answered >= 0 AND answered <= invited", name="counts_consistent"),
    )
