from flask import Blueprint

from feedback.auth.decorators import manager_required

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/")
@manager_required
def mine():
    return "My reports"
