"""Error pages; CSRF failures under htmx make the page reload instead of failing silently."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from feedback import ratelimit
from feedback.extensions import db


def init_app(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/error.html", status=413), 413

    @app.errorhandler(429)
    def too_many_requests(_error):
        return ratelimit.refusal()

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        if request.headers.get("HX-Request"):
            return "", 400, {"HX-Refresh": "true"}
        return render_template("errors/error.html", status=400, csrf=True), 400

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("errors/error.html", status=500), 500
