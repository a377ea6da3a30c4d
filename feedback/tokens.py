"""Secret link tokens: at least 128 bits of randomness (we use 256); only hashes are stored.

Two kinds of personal link carry a token: the rater's survey link (/s/<token>) and a
manager's set-password link (/auth/password/<token>). Either one opens someone else's door,
so neither may be kept at rest, shown to HR or written to a log (DESIGN.md, rule 7). Every
place that stores, shows or logs text that may hold one (mail bodies, HR's outbox, access
and error logs) goes through `redact_links`: one pattern for both kinds, built from the
same prefixes the links are made with.
"""

import hashlib
import re
import secrets

from flask import current_app

SURVEY_PATH = "/s"  # the survey blueprint's URL prefix: a rater's link is /s/<token>
SURVEY_PREFIX = f"{SURVEY_PATH}/"
PASSWORD_PREFIX = "/auth/password/"  # noqa: S105  (a route prefix, not a password)
LINK_PREFIXES = (SURVEY_PREFIX, PASSWORD_PREFIX)

# The token is the path segment after the prefix. It is matched loosely (anything up to the
# next URL, quote, markup or whitespace delimiter), so a log line also loses a mistyped or
# guessed token; only punctuation that ends a sentence is left after it. "[" is excluded:
# a redacted link ("/s/[redacted]") stays as it is.
_SEGMENT = r"[^/\s?#&\"'<>\[\]\\]"
_LAST = r"[^/\s?#&\"'<>\[\]\\.,;:!)]"
PERSONAL_LINK = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in LINK_PREFIXES) + f"){_SEGMENT}*{_LAST}"
)
REDACTED = "[redacted]"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(token: str) -> str:
    """The rater's personal link, as it goes into an e-mail."""
    return f"{current_app.config['BASE_URL']}{SURVEY_PREFIX}{token}"


def password_link(token: str) -> str:
    return f"{current_app.config['BASE_URL']}{PASSWORD_PREFIX}{token}"


def redact_links(text: str, placeholder: str = REDACTED) -> str:
    """`text` with the token of every personal link (survey, set password) replaced."""
    if not mentions_link(text):  # most log atoms: no pattern to run
        return text
    return PERSONAL_LINK.sub(lambda match: match.group(1) + placeholder, text)


def mentions_link(text: str) -> bool:
    """Whether `text` holds a personal link, working or already redacted."""
    # LINK_PREFIXES spelled out: this runs on every log line (tests/test_logging.py checks both)
    return SURVEY_PREFIX in text or PASSWORD_PREFIX in text
