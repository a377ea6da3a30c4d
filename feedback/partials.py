"""Whether a request wants a page fragment rather than the whole page (flask-htmx).

A boosted link (hx-boost) is htmx asking for a whole page, so it gets one. Every response
varies on HX-Request already (feedback/security.py), so caches keep the two apart.
"""

from feedback.extensions import htmx


def wants_partial() -> bool:
    """htmx asked for part of a page: an HX-Request that is not a boosted link."""
    return bool(htmx) and not htmx.boosted
