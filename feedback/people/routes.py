from flask import Blueprint

from feedback.auth.decorators import hr_required

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("/")
@hr_required
def index():
    return "People"
