"""Secret link tokens: at least 128 bits of randomness (we use 256); only hashes are stored."""

import hashlib
import secrets

from flask import current_app


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(token: str) -> str:
    """The rater's personal link, as it goes into an e-mail."""
    return f"{current_app.config['BASE_URL']}/s/{token}"


def password_link(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/auth/password/{token}"
