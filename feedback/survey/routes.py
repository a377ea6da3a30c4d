"""The rater's personal link: the survey form, autosave of each answer, submit once.

A wrong token, a round that is not open and a round past its close date all get the same
plain 404: the link must not say which it is.

The page is in the invitation's language. The rater's language switch is part of the form
(its buttons post `language`): it saves what is on the page as the draft, sets the
invitation's language and comes back to the link.

Sending is never one keystroke: the form's default button posts to /enter, which answers
204 No Content (Enter in a field leaves the page as it is), its send button opens the
review (`action=review` without JavaScript, /review as an htmx partial with it), and only
the review's "send now"
(`action=send`) sends, checking that the draft is still the one reviewed.
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
    session,
    url_for,
)
from flask_babel import force_locale, format_date, refresh
from flask_babel import gettext as _

from feedback import ratelimit
from feedback.db import begin_write
from feedback.extensions import db, htmx
from feedback.identifying import survey as identifying
from feedback.survey import answers, blocks, services
from feedback.survey import page as survey_page
from feedback.survey.services import Outcome, Visit
from feedback.tokens import SURVEY_PATH

bp = Blueprint("survey", __name__, url_prefix=SURVEY_PATH)

LANGUAGE = "language"  # the language switch's buttons
CONTROL_FIELDS = frozenset(
    {"csrf_token", "action", LANGUAGE, answers.FINGERPRINT, answers.CHANGED_AT}
)
SAVED = "success"  # the flash category of "saved, carry on until ...": the page stays at the top


def _visit_or_404(token: str, write: bool = False) -> Visit:
    """The visit, or the 404 of every dead link. With `write` (a request that will save or
    send), it is read inside the write transaction, where SQLite's write lock keeps it true
    until the write: the services then need not look again (services.find_invitation)."""
    if write:
        begin_write()
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


def _step() -> int | None:
    step = request.args.get("step", "")
    return int(step) if step.isdigit() and len(step) < 4 else None


def _just_saved() -> bool:
    """A "saved" confirmation waits to be shown (without taking it): the page then stays at
    the top, where it is, rather than opening at the first unanswered question."""
    return any(category == SAVED for category, _message in session.get("_flashes", ()))


def _form_page(visit: Visit, token: str, posted=None, errors=None, fingerprint=None):
    # A GET wrote nothing since the link was opened: its draft is the one read with it.
    page = survey_page.survey_page(
        visit,
        _max_length(),
        posted,
        errors,
        fingerprint,
        step=_step(),
        resume=request.method == "GET" and not _just_saved(),
        draft=visit.draft if request.method == "GET" else None,
    )
    return render_template(
        "survey/form.html",
        page=page,
        token=token,
        page_lang=visit.invitation.language,
        decline_reasons=answers.DECLINE_REASONS,
        legs_html=blocks.legs_html,
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
    # Asked again: the visit was read when the link was opened, and another tab may have
    # declined since.
    if services.declined_reason(visit.invitation.id):
        return render_template(
            "survey/declined.html", page_lang=visit.invitation.language, token=token
        )
    return render_template("survey/already.html", page_lang=visit.invitation.language, token=token)


def _review_page(visit: Visit, token: str, notice: str | None = None):
    """The review as a page of its own (without JavaScript, or after a refused send)."""
    return render_template(
        "survey/review.html",
        review=survey_page.review(visit),
        token=token,
        page_lang=visit.invitation.language,
        notice=notice,
    )


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
    flash(
        _(
            "Your answers are saved. Your link works until the end of %(date)s: open it again"
            " to carry on where you left off.",
            date=date,
        ),
        SAVED,
    )


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
    checked = services.validate_posted(visit, posted, _max_length())
    if not checked.ok:  # nothing can be saved: the page comes back, in the new language
        if not services.set_language(visit.link, language):
            abort(404)
        visit = visit.in_language(language)
        with force_locale(language):
            return _form_page(visit, token, posted, checked.error_map(), fingerprint)
    outcome = services.switch_language(visit.link, checked.values, fingerprint, language)
    if outcome == Outcome.CLOSED:
        abort(404)
    with force_locale(language):
        if outcome == Outcome.ALREADY_SUBMITTED:
            return _already(visit, token)
        visit = visit.in_language(language)  # saved with the draft (or alone, when STALE)
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
    visit = _visit_or_404(token, write=True)
    invitation = visit.invitation
    if invitation.submitted:
        return _already(visit, token)
    if LANGUAGE in request.form:
        return _switch_language(visit, token)
    posted, fingerprint = _posted(), _fingerprint()
    checked = services.validate_posted(visit, posted, _max_length())
    if not checked.ok:
        db.session.rollback()  # nothing to write: the page is not rendered holding the lock
        return _form_page(visit, token, posted, checked.error_map(), fingerprint)
    # Read before the commit expires the invitation: the thanks page then reloads nothing.
    language, group = invitation.language, invitation.group
    action = request.form.get("action")
    link = visit.link
    if action in ("save", "review"):
        outcome = services.save_draft(link, checked.values, fingerprint, visit=visit)
    elif action == "send":  # the review's "send now": only the draft that was reviewed
        outcome = services.submit(
            link, checked.values, fingerprint, reviewed=fingerprint, visit=visit
        )
    else:
        outcome = services.submit(link, checked.values, fingerprint, visit=visit)
    if outcome == Outcome.SAVED and action == "review":
        return redirect(url_for("survey.review_page", token=token), 303)
    if outcome == Outcome.SAVED:
        _saved_message(visit)
        return redirect(url_for("survey.form", token=token), 303)
    if outcome == Outcome.SUBMITTED:
        return _thanks(token, language, group)
    if outcome == Outcome.ALREADY_SUBMITTED:
        return _already(visit, token)
    if outcome == Outcome.CHANGED:
        notice = _(
            "Your answers were changed in another window or tab after you opened this review."
            " Nothing was sent: check the list again."
        )
        return _review_page(visit, token, notice)
    if outcome == Outcome.NOTHING_ANSWERED and action == "send":
        return _review_page(visit, token)
    if outcome == Outcome.NOTHING_ANSWERED:
        errors = {"form": _("Answer at least one statement before you submit.")}
        return _form_page(visit, token, posted, errors, fingerprint)
    if outcome == Outcome.STALE:
        return _stale_form_page(visit, token, checked.values)
    abort(404)


@bp.post("/<token>/enter")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def enter(token: str):
    """Where Enter in a field lands (the form's hidden default button posts here): nothing
    is saved or sent, and 204 No Content leaves the page in the browser as it was. A dead
    link gets the 404 every survey address gives it."""
    _visit_or_404(token)
    return "", 204


@bp.get("/<token>/review")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def review_page(token: str):
    """The review step as a page: what is unanswered, per leg, and "send now"."""
    visit = _visit_or_404(token)
    if visit.invitation.submitted:
        return _already(visit, token)
    return _review_page(visit, token)


@bp.post("/<token>/review")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def review(token: str):
    """The review step as an htmx partial under the form. The page's script sends it only
    once every answer is saved, so it posts no answers; any it does post are saved first,
    as "save" would (an outdated form's are refused, and the partial says so)."""
    visit = _visit_or_404(token)
    if not htmx:
        return redirect(url_for("survey.review_page", token=token), 303)
    if visit.invitation.submitted:
        return "", 200, {"HX-Redirect": url_for("survey.form", token=token)}
    posted, fingerprint = _posted(), _fingerprint()
    checked = services.validate_posted(visit, posted, _max_length())
    notice = None
    if not checked.ok:
        notice = _("Some answers need your attention; nothing was sent. They are marked above.")
    elif checked.values:
        outcome = services.save_draft(visit.link, checked.values, fingerprint)
        if outcome == Outcome.CLOSED:
            abort(404)
        if outcome == Outcome.STALE:
            notice = _(
                "Your answers were changed in another window or tab after this page was"
                " opened. Nothing was overwritten: reload the page to see them."
            )
    return render_template(
        "survey/_review.html",
        review=survey_page.review(visit),
        token=token,
        embedded=True,
        notice=notice,
    )


@bp.post("/<token>/decline")
@ratelimit.survey_page
@ratelimit.survey_unknown_link
def decline(token: str):
    """One click: the rater cannot judge this manager, for one of a few reasons."""
    visit = _visit_or_404(token)
    if visit.invitation.submitted:
        return _already(visit, token)
    reason = request.form.get("reason", "")
    if reason not in answers.DECLINE_REASONS:
        errors = {"form": _("Choose one of the reasons to decline. Nothing was changed.")}
        return _form_page(visit, token, errors=errors)
    outcome = services.decline(visit.link, reason)
    if outcome == Outcome.CLOSED:
        abort(404)
    return render_template("survey/declined.html", page_lang=visit.invitation.language, token=token)


def _changed_at() -> int | None:
    value = request.form.get(answers.CHANGED_AT, "")
    return int(value) if value.isdigit() and len(value) <= 15 else None


@bp.post("/<token>/answer")
@ratelimit.survey_answer
@ratelimit.survey_unknown_link
def save_answer(token: str):
    """Autosave (survey.js): one answer in, with when it was given; its saved state, the
    progress and the draft fingerprint out, as elements the page swaps by id. Always 200.

    An answer older than the one saved (a queued retry, another tab) is not written: its
    state says so and carries the answer that stays."""
    visit = _visit_or_404(token, write=True)
    posted = _posted()
    checked = services.validate_posted(visit, posted, _max_length())
    total = survey_page.total_items(visit.outline)
    if checked.ok:
        saved = services.autosave(
            visit.link, checked.values, _fingerprint(), _changed_at(), visit=visit
        )
    else:
        db.session.rollback()
        saved = None
    outcome = saved.outcome if saved else None
    newer = saved.newer if saved else {}
    states = services.save_states(list(posted), outcome, checked.error_map(), newer)
    progress = survey_page.progress(saved.values, total) if outcome == Outcome.SAVED else None
    fingerprint = saved.fingerprint if saved else None
    # A note per saved open answer that could give its writer away (feedback/identifying/).
    notes = identifying.notes(visit.invitation, checked.values if outcome == Outcome.SAVED else {})
    return blocks.save_state_html(states, progress, fingerprint, notes)


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
