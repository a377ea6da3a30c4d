from flask import Blueprint

from feedback.auth.decorators import hr_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@hr_required
def dashboard():
    return "Rounds"


@bp.get("/outbox")
@hr_required
def outbox():
    return "Outbox"
