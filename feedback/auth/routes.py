import re
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from feedback import ratelimit
from feedback.auth import services
from feedback.auth.forms import EmptyForm, LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


# One "/", then printable ASCII only: no space or control character (browsers drop tabs and
# line breaks from a URL, so "/\t/evil.example" would go to //evil.example, and CR or LF
# cannot go into a Location header at all) and no backslash (read as "/" by browsers).
_LOCAL_PATH = re.compile(r"/(?!/)[\x21-\x5b\x5d-\x7e]*")


def is_safe_next(target: object) -> bool:
    """Whether `target` is a path on this site to go back to after login. Pure."""
    if not isinstance(target, str) or not _LOCAL_PATH.fullmatch(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str:
    """Only same-site relative paths; everything else goes home."""
    return target if is_safe_next(target) else url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@ratelimit.login_per_account
@ratelimit.login_per_address
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user:
            session.clear()  # a new session at login: nothing from before carries over
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        flash(_("E-mail or password is not right."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        if current_user.is_authenticated:
            services.end_sessions(current_user)  # also every copy of this session's cookie
        logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/password/<token>", methods=["GET", "POST"])
@ratelimit.password_link
def set_password(token: str):
    if services.user_for_password_token(token) is None:
        return render_template("errors/404.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.set_password_with_token(token, form.password.data)
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            session.clear()
            login_user(user)  # the one session the new password leaves open
            flash(_("Your password is set."), "success")
            return redirect(url_for("main.index"))
    return render_template(
        "auth/set_password.html", form=form, min_length=services.MIN_PASSWORD_LENGTH
    )
