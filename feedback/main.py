"""The front door: send each kind of user where their work is."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_hr:
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("reports.mine"))


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
