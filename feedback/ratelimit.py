"""Rate limits: the decorators the route files put on their views, who each one counts
(the keys), and the 429 answer.

The numbers are settings (RATE_LIMIT_* in feedback/config.py, read per request), counted by
`feedback.extensions.limiter`. SECURITY.md, "Rate limits", lists every limit and why its
number fits a whole sales office behind one address.

No key carries a personal link's token or a typed e-mail address in the clear: the storage
(Redis in production) holds client addresses, account ids and hashes of e-mail addresses.
"""

import hashlib
import ipaddress
import math
import re
import time
from collections.abc import Callable

from flask import Response, current_app, render_template, request
from flask_babel import get_locale
from flask_limiter import RequestLimit
from flask_login import current_user
from limits import parse_many

from feedback.extensions import limiter
from feedback.partials import wants_partial

SETTINGS = (
    "RATE_LIMIT_LOGIN_ACCOUNT",
    "RATE_LIMIT_LOGIN_ADDRESS",
    "RATE_LIMIT_PASSWORD_LINK",
    "RATE_LIMIT_SURVEY_PAGE",
    "RATE_LIMIT_SURVEY_ANSWER",
    "RATE_LIMIT_SURVEY_UNKNOWN",
    "RATE_LIMIT_REPORT_PDF",
)

# An id htmx sent as HX-Target that the 429 fragment may take over (an autosave's state).
_STATE_ID = re.compile(r"state-[A-Za-z0-9_-]{1,80}")


def setting(name: str) -> Callable[[], str]:
    """The limit string configured under `name`, read per request (tests change it)."""
    return lambda: current_app.config[name]


def check_settings(config) -> None:
    """Refuse to start with a limit string Flask-Limiter cannot read (not a 500 at login)."""
    for name in SETTINGS:
        try:
            parse_many(config[name])
        except ValueError as error:
            raise ValueError(f"{name}={config[name]!r} is not a rate limit: {error}") from None


def client_address() -> str:
    """The client's address (after ProxyFix, when configured). IPv6 counts per /64: one
    host, or one office, gets a whole /64, as a NAT gives an office one IPv4 address."""
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def submitted_account() -> str:
    """The account a login tries, whether or not it exists: the typed e-mail, normalised
    as login normalises it, hashed (the storage never holds the address itself)."""
    email = (request.form.get("email") or "").strip().lower()[:320]
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def signed_in_account() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return client_address()


def unknown_link(response: Response) -> bool:
    """Counts against RATE_LIMIT_SURVEY_UNKNOWN: a survey link that answered 404."""
    return response.status_code == 404


def retry_after(limit: RequestLimit | None) -> int:
    """Whole seconds until the breached limit lets a request through again."""
    if limit is None:
        return 60
    return max(1, math.ceil(limit.reset_at - time.time()))


def refusal() -> Response:
    """429 with Retry-After: a page in the request's language, or for htmx a fragment that
    htmx swaps (base.html's htmx-config swaps 429): into the autosave state that asked, or
    into the flash area."""
    seconds = retry_after(limiter.current_limit)
    minutes = (seconds + 30) // 60  # shown instead of the seconds from two minutes on
    headers = {"Retry-After": str(seconds), "Cache-Control": "no-store"}
    if wants_partial():
        wait = f"{seconds} s" if seconds < 120 else f"{minutes} min"
        state_id = request.headers.get("HX-Target", "")
        if not _STATE_ID.fullmatch(state_id):
            state_id = None
            headers |= {"HX-Retarget": "#flash", "HX-Reswap": "outerHTML"}
        html = render_template("errors/_too_many.html", wait=wait, state_id=state_id)
        return Response(html, 429, headers)
    html = render_template(
        "errors/429.html", seconds=seconds, minutes=minutes, page_lang=str(get_locale())
    )
    return Response(html, 429, headers)


# --- The limits on the views --------------------------------------------------------------

# Login (POST): per account typed, whoever types it, and per client address.
login_per_account = limiter.limit(
    setting("RATE_LIMIT_LOGIN_ACCOUNT"), key_func=submitted_account, methods=["POST"]
)
login_per_address = limiter.limit(
    setting("RATE_LIMIT_LOGIN_ADDRESS"), key_func=client_address, methods=["POST"]
)
# The set-password link, GET and POST, per client address.
password_link = limiter.limit(setting("RATE_LIMIT_PASSWORD_LINK"), key_func=client_address)
# The survey link, per client address: its pages (GET and POST /s/<token>), its autosaves,
# and, shared by all three, the requests that found no open survey behind the link (404).
survey_page = limiter.shared_limit(
    setting("RATE_LIMIT_SURVEY_PAGE"), "survey-page", key_func=client_address
)
survey_answer = limiter.shared_limit(
    setting("RATE_LIMIT_SURVEY_ANSWER"), "survey-answer", key_func=client_address
)
survey_unknown_link = limiter.shared_limit(
    setting("RATE_LIMIT_SURVEY_UNKNOWN"),
    "survey-unknown",
    key_func=client_address,
    deduct_when=unknown_link,
)
# PDF downloads, per signed-in account (rendering a PDF is the most expensive request).
report_pdf = limiter.limit(setting("RATE_LIMIT_REPORT_PDF"), key_func=signed_in_account)
