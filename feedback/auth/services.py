"""Accounts: log in, create HR admins, set-password links for managers."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from feedback.auth import passwords
from feedback.clock import utcnow
from feedback.db import begin_write
from feedback.extensions import db, login_manager
from feedback.models import Person, User
from feedback.tokens import hash_token, new_token

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A clear message for the person at the keyboard."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """`session_id` is `User.get_id()`, "<user id>:<session version>". A session of an older
    version was ended (logout, new password, deactivation); so was one from before versions."""
    user_id, _, version = session_id.partition(":")
    try:
        user = db.session.get(User, int(user_id))
        current = user is not None and user.session_version == int(version)
    except ValueError:
        return None
    return user if current and user.active else None


def authenticate(email: str, password: str) -> User | None:
    """The account these credentials open, or None. Unknown, inactive, password-less and
    wrong all cost one Argon2id verification, so neither answer nor time says which."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active or not user.password_hash:
        passwords.verify_dummy(password)
        return None
    if not user.check_password(password):
        if user.password_needs_rehash:  # an older, cheaper hash: pay the full price anyway
            passwords.verify_dummy(password)
        return None
    if user.password_needs_rehash:
        _upgrade_hash(user, password)
    return user


def _upgrade_hash(user: User, password: str) -> None:
    """Replace an older hash (or Argon2 with older parameters) after a successful login;
    a password changed meanwhile by someone else is left alone."""
    old = user.password_hash
    new = passwords.hash_password(password)
    begin_write()
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id, User.password_hash == old)
        .values(password_hash=new)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def end_sessions(user: User) -> None:
    """Log the account out everywhere (every session cookie of it stops working)."""
    begin_write()
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))


def create_admin(email: str, password: str) -> User:
    validate_password(password)
    begin_write()
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, role="hr")
        db.session.add(user)
    elif user.role != "hr":
        db.session.rollback()
        raise AccountError(
            _(
                "%(email)s already has an account with the role %(role)s.",
                email=email,
                role=user.role,
            )
        )
    user.set_password(password)
    user.active = True
    db.session.commit()
    return user


def ensure_manager_account(person: Person) -> User:
    """The account a sales manager logs in with; created without a password."""
    user = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    if user is None:
        user = db.session.scalar(sa.select(User).where(User.email == person.email))
    if user is None:
        user = User(email=person.email, role="manager", person=person)
        db.session.add(user)
        db.session.flush()
    return user


def issue_password_link(user: User) -> str:
    """A one-time set-password token; only its hash is stored. Caller commits."""
    token = new_token()
    user.password_token_hash = hash_token(token)
    hours = current_app.config["PASSWORD_LINK_HOURS"]
    user.password_token_expires = utcnow() + timedelta(hours=hours)
    return token


def user_for_password_token(token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    user = db.session.scalar(sa.select(User).where(User.password_token_hash == hash_token(token)))
    if user is None or not user.active or user.password_token_expires is None:
        return None
    if user.password_token_expires < utcnow():
        return None
    return user


def set_password_with_token(token: str, password: str) -> User:
    validate_password(password)
    begin_write()
    user = user_for_password_token(token)
    if user is None:
        db.session.rollback()
        raise AccountError(_("This link is no longer valid. Ask HR for a new one."))
    user.set_password(password)
    user.password_token_hash = None
    user.password_token_expires = None
    db.session.commit()
    return user
