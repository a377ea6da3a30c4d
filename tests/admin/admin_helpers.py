"""Helpers shared by the admin tests (plain functions, imported by the test modules)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import dates as babel_dates

from feedback.admin.rounds import RoundSettings
from feedback.extensions import db as _db
from feedback.models import Invitation, OutboxMessage, Round


def settings(**overrides):
    values = {
        "name": "Spring",
        "opens_on": date(2027, 3, 1),
        "closes_on": date(2027, 3, 21),
        "threshold": 3,
    }
    values.update(overrides)
    return RoundSettings(**values)


def count(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def invitations_of(rnd_id: int) -> list[Invitation]:
    _db.session.expire_all()
    return list(
        _db.session.scalars(
            sa.select(Invitation).where(Invitation.round_id == rnd_id).order_by(Invitation.id)
        )
    )


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(_db.session.scalars(query))


class Mailbox(list):
    """The mails as they were written (feedback.mail.Mail, links included), in order: what
    the recipients get. The stored rows never hold a working link."""

    def of(self, kind: str) -> list:
        return [m for m in self if m.kind == kind]


def reload_round(rnd_id: int) -> Round:
    _db.session.expire_all()
    return _db.session.get(Round, rnd_id)


def form_dates(days: int = 14) -> dict:
    start = date(2027, 3, 1)
    return {"opens_on": start.isoformat(), "closes_on": (start + timedelta(days=days)).isoformat()}


def hr_time(moment: datetime, lang: str = "en") -> str:
    """A stored (UTC) moment as HR's pages write it: on the organisation's clock
    (Europe/Amsterdam), "Dec 2, 2026, 07:05" / "2 dec 2026, 07:05"."""
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    return f"{babel_dates.format_date(local.date(), 'medium', locale=lang)}, {local:%H:%M}"
