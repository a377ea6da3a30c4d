"""Accounts: log in, create HR admins, set-password links for managers."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

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
def load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except ValueError:
        return None


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        # Spend the same time as a real check so the answer does not tell who exists.
        User(email="", role="hr").check_password(password)
        return None
    return user if user.check_password(password) else None


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use at least {MIN_PASSWORD_LENGTH} characters.")


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
        raise AccountError(f"{email} already has an account with the role {user.role}.")
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
        raise AccountError("This link is no longer valid. Ask HR for a new one.")
    user.set_password(password)
    user.password_token_hash = None
    user.password_token_expires = None
    db.session.commit()
    return user
