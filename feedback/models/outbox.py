"""Every outgoing mail, and the queue that delivers it.

Without a mail server (the laptop default) a message is written with status "kept" and HR
reads it in the app. With MAIL_SERVER set it is written "queued" in the same transaction
that decided to send it (and minted its link); a delivery step then claims it ("sending"),
hands it to the SMTP server and marks it "sent", blanking the personal link in the stored
copy. See feedback/mail.py for why this neither loses nor duplicates mail.
"""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.clock import utcnow
from feedback.extensions import db


class OutboxMessage(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    to: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # body_text and body_html never hold a working personal link (survey, set password).
    # Until the mail is delivered, its real bodies are sealed here (feedback/sealing.py);
    # delivery, failure or the round's close erases them.
    sealed_body: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40), default="other")
    # The round a mail belongs to (invitations, reminders): purged with its invitations.
    round_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("round.id", ondelete="SET NULL"), index=True
    )
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="kept", index=True)
    # Fixed when the mail is queued, so a retried delivery carries the same Message-ID.
    message_id: so.Mapped[str | None] = so.mapped_column(sa.String(250))
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    claimed_at: so.Mapped[datetime | None]
    sent_at: so.Mapped[datetime | None]
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(300))

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('kept', 'queued', 'sending', 'sent', 'failed')", name="status_known"
        ),
    )
