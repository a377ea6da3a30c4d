"""The admin blueprint, and what its two route modules share.

routes.py (rounds, raters, launch / close / publish, outbox) and operations_routes.py
(reminders, retention, mail delivery) both register their views on `bp`; the app factory
imports both and registers `bp` (feedback/__init__.py). Neither route module imports the
other.
"""

from flask import Blueprint, abort, render_template

from feedback.admin.dashboard import response_dashboard
from feedback.admin.labels import template_helpers
from feedback.admin.rounds import get_round

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.context_processor(template_helpers)  # round states in words, dates and rates per locale


def round_or_404(round_id: int):
    rnd = get_round(round_id)
    if rnd is None:
        abort(404)
    return rnd


def confirm_page(rnd, spec: dict, form, problems: list[str]):
    """The confirm step of a round action (launch, close, publish, reminders, purge)."""
    return render_template(
        "admin/confirm.html",
        rnd=rnd,
        spec=spec,
        form=form,
        problems=problems,
        dashboard=response_dashboard(rnd.id),
    )
