"""The rater's personal link: the survey form, autosave of each answer, submit once.

A wrong token, a round that is not open and a round past its close date all get the same
plain 404: the link must not say which it is.

The page is in the invitation's language. The rater's language switch is part of the form
(its buttons post `language`): it saves what is on the page as the draft, sets the
invitation's language and comes back to the link.
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
from flask_babel import force_locale, format_date, refresh
from flask_babel import gettext as _

from feedback import ratelimit
from feedback.extensions import htmx
from feedback.survey import answers, services
from feedback.survey import page as survey_page
from feedback.survey.services import Outcome, Visit
from feedback.tokens import SURVEY_PATH

bp = Blueprint("survey", __name__, url_prefix=SURVEY_PATH)

LANGUAGE = "language"  # the language switch's buttons
CONTROL_FIELDS = frozenset({"csrf_token", "action", LANGUAGE, answers.FINGERPRINT})


def _visit_or_404(token: str) -> Visit:
    visit = services.find_invitation(token)
    if visit is None:
        abort(404)
    g.lang = visit.invitation.language
    refresh()  # a locale worked out earlier in this request gives way to the invitation's
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


def _already(visit: Visit, token: str):
    return render_template("survey/already.html", page_lang=visit.invitation.language, token=token)


def _thanks(token: str, language: str, group: str):
    return render_template(
        "survey/thanks.html",
        page_lang=language,
        token=token,
        message=survey_page.thanks_text(group),
    )


def _chosen_language() -> str | None:
    choice = request.form.get(LANGUAGE, "")
    return choice if choice in current_app.config["LANGUAGES"] else None


def _saved_message(visit: Visit) -> None:
    date = format_date(visit.invitation.participant.round.closes_on, "long")
    flash(_("Your answers are saved. Use the same link to carry on until %(date)s.", date=date))


def _back_to_link(token: str):
    """After a switch: the link again (htmx follows HX-Redirect; a form post, a 303)."""
    url = url_for("survey.form", token=token)
    if htmx:
        return "", 200, {"HX-Redirect": url}
    return redirect(url, 303)


def _switch_language(visit: Visit, token: str):
    """The form's language buttons: save everything on the page (never submit), switch."""
    posted, fingerprint = _posted(), _fingerprint()
    language = _chosen_language()
    if language is None:
        errors = {"form": _("That language is not available. Nothing was changed.")}
        return _form_page(visit, token, posted, errors, fingerprint)
    checked = services.validate_posted(visit.invitation, posted, _max_length())
    if not checked.ok:  # nothing can be saved: the page comes back, in the new language
        if not services.set_language(visit.link, language):
            abort(404)
        with force_locale(language):
            return _form_page(visit, token, posted, checked.error_map(), fingerprint)
    outcome = services.switch_language(visit.link, checked.values, fingerprint, language)
    if outcome == Outcome.CLOSED:
        abort(404)
    with force_locale(language):
        if outcome == Outcome.ALREADY_SUBMITTED:
            return _already(visit, token)
        if outcome == Outcome.STALE:
            return _stale_form_page(visit, token, checked.values)
        _saved_message(visit)
    return _back_to_link(token)


@bp.get("/<token>")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def form(token: str):
    visit = _visit_or_404(token)
    if visit.invitation.submitted:
        return _already(visit, token)
    return _form_page(visit, token)


@bp.post("/<token>")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def submit(token: str):
    """Without JavaScript the page is one form: submit, or save and continue later."""
    visit = _visit_or_404(token)
    invitation = visit.invitation
    if invitation.submitted:
        return _already(visit, token)
    if LANGUAGE in request.form:
        return _switch_language(visit, token)
    posted, fingerprint = _posted(), _fingerprint()
    checked = services.validate_posted(invitation, posted, _max_length())
    if not checked.ok:
        return _form_page(visit, token, posted, checked.error_map(), fingerprint)
    # Read before the commit expires the invitation: the thanks page then reloads nothing.
    language, group = invitation.language, invitation.group
    if request.form.get("action") == "save":
        outcome = services.save_draft(visit.link, checked.values, fingerprint)
    else:
        outcome = services.submit(visit.link, checked.values, fingerprint)
    if outcome == Outcome.SAVED:
        _saved_message(visit)
        return redirect(url_for("survey.form", token=token), 303)
    if outcome == Outcome.SUBMITTED:
        return _thanks(token, language, group)
    if outcome == Outcome.ALREADY_SUBMITTED:
        return _already(visit, token)
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


@bp.post("/<token>/language")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def language(token: str):
    """The language switch of the pages after submitting: sets the invitation's language."""
    visit = _visit_or_404(token)
    choice = _chosen_language()
    if choice is None:
        flash(_("That language is not available. Nothing was changed."), "error")
    elif not services.set_language(visit.link, choice):
        abort(404)
    return _back_to_link(token)
