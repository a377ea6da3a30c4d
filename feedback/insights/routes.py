"""HR: the organisation overview of a closed round and its exports (CSV, XLSX).

Every view is HR only (404 for anyone else). A round without results yet (draft or open)
gets a page that says so (409), never an empty export.

Everything here is in the request's language, HR's own choice: the pages, the leg names
and statements, the group names, the exports' headers, notes and reasons, and the numbers.
"""

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale

from feedback.auth.decorators import hr_required
from feedback.insights import exports, figures, overview
from feedback.partials import wants_partial
from feedback.reports import labels
from feedback.reports.access import hr_rounds

bp = Blueprint("insights", __name__, url_prefix="/insights")


@bp.context_processor
def _names():
    return {"round_status": labels.round_status, "page_lang": _language()}


def _round_with_results(round_id: int):
    """The round, or the response to send instead (404 unknown, 409 no results yet)."""
    rnd = figures.results_round(round_id)
    if rnd is None:
        abort(404)
    if not figures.has_results(rnd):
        return None, (render_template("insights/not_ready.html", rnd=rnd), 409)
    return rnd, None


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _separator() -> str:
    """The CSV's dialect: ?sep=semicolon or ?sep=comma, else the one of HR's language."""
    chosen = request.args.get("sep")
    return chosen if chosen in exports.SEPARATORS else exports.default_separator(_language())


def _language() -> str:
    """The request's language (HR's choice), one the framework has texts in."""
    lang = str(get_locale())
    return lang if lang in labels.LANGS else labels.DEFAULT_LANG


@bp.get("/")
@hr_required
def index():
    return render_template("insights/index.html", rounds=hr_rounds())


def _overview(rnd):
    """The heat map and development areas for the options in the query string."""
    results = figures.round_results(rnd, _language())
    options, messages = overview.parse_options(
        request.args, [leg.key for leg in results.legs], overview.team_names(results)
    )
    return overview.build_overview(results, options), messages


@bp.get("/rounds/<int:round_id>")
@hr_required
def round_overview(round_id: int):
    rnd, refusal = _round_with_results(round_id)
    if refusal:
        return refusal
    view, messages = _overview(rnd)
    template = "insights/_overview.html" if wants_partial() else "insights/overview.html"
    response = Response(render_template(template, v=view, messages=messages))
    return response


@bp.get("/rounds/<int:round_id>/development.csv")
@hr_required
def development_csv(round_id: int):
    rnd, refusal = _round_with_results(round_id)
    if refusal:
        return refusal
    view, _messages = _overview(rnd)
    data = exports.to_csv(exports.DEVELOPMENT_COLUMNS, exports.development_rows(view), _separator())
    name = exports.filename(rnd.name, "development-areas", "csv")
    return _download(data, "text/csv", name)


@bp.get("/rounds/<int:round_id>/results-<any(legs, statements):kind>.csv")
@hr_required
def results_csv(round_id: int, kind: str):
    rnd, refusal = _round_with_results(round_id)
    if refusal:
        return refusal
    results = figures.round_results(rnd, _language(), with_statements=kind == "statements")
    data = exports.results_csv(results, kind, _separator())
    return _download(data, "text/csv", exports.filename(rnd.name, kind, "csv"))


@bp.get("/rounds/<int:round_id>/results.xlsx")
@hr_required
def results_xlsx(round_id: int):
    rnd, refusal = _round_with_results(round_id)
    if refusal:
        return refusal
    results = figures.round_results(rnd, _language(), with_statements=True)
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(
        exports.results_xlsx(results), mimetype, exports.filename(rnd.name, "results", "xlsx")
    )
