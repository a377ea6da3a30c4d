"""Response headers and cookie flags: tokens stay out of referrers, pages out of frames and
caches, styles and scripts come only from our own static files, and an https BASE_URL
makes cookies Secure and turns on HSTS without any further setting."""

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"


def serves_https(app: Flask) -> bool:
    return str(app.config.get("BASE_URL") or "").lower().startswith("https://")


def _secure_cookie_defaults(app: Flask) -> None:
    """Secure cookies follow BASE_URL unless SESSION_COOKIE_SECURE is set explicitly; the
    remember cookie follows the session cookie unless it is set explicitly too."""
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = serves_https(app)
    if app.config.get("REMEMBER_COOKIE_SECURE") is None:
        app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]


def init_app(app: Flask) -> None:
    _secure_cookie_defaults(app)
    hsts = serves_https(app)

    fixed = [
        ("Content-Security-Policy", CSP),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        *([("Strict-Transport-Security", HSTS)] if hsts else []),
    ]
    fixed = [(name, name.lower(), value) for name, value in fixed]

    @app.after_request
    def _headers(response: Response) -> Response:
        # Each header a view did not set itself, looked up once (every response passes here).
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for name, lowered, value in fixed:
            if lowered not in present:
                headers.add(name, value)
        if request.endpoint != "static":
            # Answers, reports, people: no copy in the browser's or a proxy's cache, on
            # disk or for the Back button of a shared computer. Static files keep theirs.
            if "cache-control" in present:
                response.cache_control.no_store = True
            else:
                headers["Cache-Control"] = "no-store"
        if "vary" not in present:
            headers["Vary"] = "HX-Request"
        elif "HX-Request" not in response.vary:
            response.vary.add("HX-Request")
        return response
