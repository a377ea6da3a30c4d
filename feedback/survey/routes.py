"""The rater's personal link: the survey form, autosave of each answer, submit once.

A wrong token, a round that is not open and a round past its close date all get the same
plain 404: the link must not say which it is.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _

from feedback import ratelimit
from feedback.survey import answers, services
from feedback.survey import page as survey_page
from feedback.survey.services import Outcome, Visit
from feedback.tokens import SURVEY_PATH

bp = Blueprint("survey", __name__, url_prefix=SURVEY_PATH)

CONTROL_FIELDS = frozenset({"csrf_token", "action", answers.FINGERPRINT})


def _visit_or_404(token: str) -> Visit:
    visit = services.find_invitation(token)
    if visit is None:
        abort(404)
    g.lang = visit.invitation.language
    return visit


def _posted() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k not in CONTROL_FIELDS}


def _fingerprint() -> str:
    return request.form.get(answers.FINGERPRINT, "")


def _max_length() -> int:
    return current_app.config["MAX_COMMENT_LENGTH"]


def _form_page(visit: Visit, token: str, posted=None, errors=None, fingerprint=None):
    page = survey_page.survey_page(visit, _max_length(), posted, errors, fingerprint)
    return render_template(
        "survey/form.html", page=page, token=token, page_lang=visit.invitation.language
    )


def _stale_form_page(visit: Visit, token: str, values: dict[str, str]):
    """The current draft with what an outdated form added or changed on top (never what it
    left empty), a fresh fingerprint, and the request to check and send again."""
    message = _(
        "Your answers were changed in another window or tab after this page was opened."
        " Nothing was submitted or saved: check your answers below and try again."
    )
    return _form_page(visit, token, answers.answered_only(values), {"form": message})


def _already(visit: Visit):
    return render_template("survey/already.html", page_lang=visit.invitation.language)


@bp.get("/<token>")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def form(token: str):
    visit = _visit_or_404(token)
    if visit.invitation.submitted:
        return _already(visit)
    return _form_page(visit, token)


@bp.post("/<token>")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def submit(token: str):
    """Without JavaScript the page is one form: submit, or save and continue later."""
    visit = _visit_or_404(token)
    invitation = visit.invitation
    if invitation.submitted:
        return _already(visit)
    posted, fingerprint = _posted(), _fingerprint()
    checked = services.validate_posted(invitation, posted, _max_length())
    if not checked.ok:
        return _form_page(visit, token, posted, checked.error_map(), fingerprint)
    if request.form.get("action") == "save":
        outcome = services.save_draft(visit.link, checked.values, fingerprint)
    else:
        outcome = services.submit(visit.link, checked.values, fingerprint)
    if outcome == Outcome.SAVED:
        date = format_date(invitation.participant.round.closes_on, "long")
        flash(_("Your answers are saved. Use the same link to carry on until %(date)s.", date=date))
        return redirect(url_for("survey.form", token=token), 303)
    if outcome == Outcome.SUBMITTED:
        return render_template("survey/thanks.html", page_lang=invitation.language)
    if outcome == Outcome.ALREADY_SUBMITTED:
        return _already(visit)
    if outcome == Outcome.NOTHING_ANSWERED:
        errors = {"form": _("Answer at least one statement before you submit.")}
        return _form_page(visit, token, posted, errors, fingerprint)
    if outcome == Outcome.STALE:
        return _stale_form_page(visit, token, checked.values)
    abort(404)


@bp.post("/<token>/answer")
@ratelimit.survey_answer
@ratelimit.survey_unknown_link
def save_answer(token: str):
    """Autosave (htmx): one answer in, its saved state and the progress out. Always 200."""
    visit = _visit_or_404(token)
    posted = _posted()
    checked = services.validate_posted(visit.invitation, posted, _max_length())
    total = survey_page.total_items(visit.invitation.participant.round.framework)
    saved = services.autosave(visit.link, checked.values, _fingerprint()) if checked.ok else None
    outcome = saved.outcome if saved else None
    states = services.save_states(list(posted), outcome, checked.error_map())
    progress = survey_page.progress(saved.values, total) if outcome == Outcome.SAVED else None
    fingerprint = saved.fingerprint if saved else None
    return render_template(
        "survey/_save_state.html", states=states, progress=progress, fingerprint=fingerprint
    )
