"""Forms of the people area: the search filters, the upload and the confirmation."""

from collections.abc import Mapping

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from feedback.people.services import PeopleFilter


class ImportForm(FlaskForm):
    file = FileField(
        "People file (CSV or XLSX)", validators=[FileRequired("Choose a file to upload.")]
    )


class ConfirmImportForm(FlaskForm):
    deactivate_missing = BooleanField("Deactivate people not in this file")
    skip_invalid = BooleanField("Import the valid rows only (rows with errors are skipped)")


def filters_from_args(args: Mapping[str, str]) -> tuple[PeopleFilter, int]:
    """The list filters and page number from a query string; nonsense falls back to defaults."""
    active = args.get("active", "")
    try:
        page = min(max(1, int(args.get("page", "1"))), 1_000_000)  # an offset the db can hold
    except ValueError:
        page = 1
    filters = PeopleFilter(
        q=args.get("q", "")[:200],
        team=args.get("team", "")[:120],
        managers_only=args.get("managers") in ("1", "on", "y"),
        active=active if active in ("yes", "no") else "",
    )
    return filters, page
