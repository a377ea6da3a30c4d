"""Role checks for views. Anything a role may not see answers 404, not 403."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def hr_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_hr:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def manager_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role != "manager" or current_user.person is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapped
