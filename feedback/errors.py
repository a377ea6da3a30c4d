"""Error pages, in the request's language: on a survey link the rater's (i18n.py), even
when the error came before the survey's view ran. CSRF failures under htmx make the page
reload instead of failing silently."""

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_wtf.csrf import CSRFError

from feedback import ratelimit
from feedback.extensions import db, htmx
from feedback.i18n import live_survey_link
from feedback.limits import UPLOAD_ENDPOINTS


def _error_page(status: int, kind: str, **context):
    """errors/error.html for `kind` (bad_request, not_allowed, too_large, csrf, server),
    with a way back into the survey when the request came from a live survey link."""
    link = live_survey_link()
    survey_url = url_for("survey.form", token=link[0]) if link else None
    page = render_template(
        "errors/error.html",
        status=status,
        kind=kind,
        survey_url=survey_url,
        page_lang=str(get_locale()),
        **context,
    )
    return page, status


def _too_large_context() -> dict:
    if request.endpoint in UPLOAD_ENDPOINTS:
        mb = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"] / (1024 * 1024)
        return {"upload": True, "max_mb": format_decimal(mb, "#,##0.#")}
    return {"upload": False, "max_length": current_app.config["MAX_COMMENT_LENGTH"]}


def init_app(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(_error):
        return _error_page(400, "bad_request")

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html", page_lang=str(get_locale())), 404

    @app.errorhandler(403)
    def forbidden(_error):
        return not_found(_error)

    @app.errorhandler(405)
    def not_allowed(error):
        page, status = _error_page(405, "not_allowed")
        return (
            page,
            status,
            ({"Allow": ", ".join(error.valid_methods)} if error.valid_methods else {}),
        )

    @app.errorhandler(413)
    def too_large(_error):
        return _error_page(413, "too_large", **_too_large_context())

    @app.errorhandler(429)
    def too_many_requests(_error):
        return ratelimit.refusal()

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        if htmx:
            return "", 400, {"HX-Refresh": "true"}
        return _error_page(400, "csrf")

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return _error_page(500, "server")
