"""People in the organisation and the accounts that log in."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from feedback.auth import passwords
from feedback.extensions import db


class Person(db.Model):
    """Someone in the sales organisation: a rep, a manager, a director."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    language: so.Mapped[str] = so.mapped_column(sa.String(2), default="nl")
    manager_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    team: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    role: so.Mapped[str] = so.mapped_column(sa.String(40), default="rep")
    active: so.Mapped[bool] = so.mapped_column(default=True)

    manager: so.Mapped["Person | None"] = so.relationship(
        remote_side=[id], back_populates="reports"
    )
    reports: so.Mapped[list["Person"]] = so.relationship(back_populates="manager")

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


class User(UserMixin, db.Model):
    """An account: HR admin or sales manager. Raters never have one."""

    ROLES = ("hr", "manager")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(20))
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    person_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), unique=True
    )
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # A set-password link: only the hash of its token is kept.
    password_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    password_token_expires: so.Mapped[datetime | None]
    # Part of every session's id (get_id): raising it ends every session of the account.
    session_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    # Chosen with the language switch; None: the person's language, else the browser's.
    language: so.Mapped[str | None] = so.mapped_column(sa.String(2))

    person: so.Mapped[Person | None] = so.relationship()

    __table_args__ = (sa.CheckConstraint("role IN ('hr', 'manager')", name="role"),)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_hr(self) -> bool:
        return self.role == "hr"

    def get_id(self) -> str:  # Flask-Login: what the session cookie names
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Every session of this account stops working (caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        """A new password also ends every session opened with the old one."""
        self.password_hash = passwords.hash_password(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return passwords.verify_password(self.password_hash, password)

    @property
    def password_needs_rehash(self) -> bool:
        return bool(self.password_hash) and passwords.needs_rehash(self.password_hash)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
