"""The front door: send each kind of user where their work is; the language switch."""

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from feedback.auth.routes import safe_next
from feedback.extensions import db
from feedback.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_hr:
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("reports.mine"))


@bp.post("/language")
def choose_language():
    """The switch on every page: remember the choice, then back to the page it was made on.

    An account keeps it as a setting (every device, every later visit); everyone else gets
    a cookie. Survey pages have a switch of their own that saves the answers first."""
    target = safe_next(request.form.get("next"))
    language = request.form.get("language")
    if language not in current_app.config["LANGUAGES"]:
        flash(_("That language is not available."), "error")
        return redirect(target, code=303)
    if current_user.is_authenticated:
        current_user.language = language
        db.session.commit()
    response = redirect(target, code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    with force_locale(language):
        flash(_("The pages are now in English."), "success")
    return response


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
