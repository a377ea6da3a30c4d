"""Facts about the database itself."""

import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.extensions import db


class DatabaseIdentity(db.Model):
    """One row: a random id for this database, so that anything kept outside it can be
    told apart from what belongs to another database sharing the instance folder."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.String(36), default=lambda: str(uuid.uuid4()))

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)
