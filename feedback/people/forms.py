"""Forms of the people area: the search filters, the upload, the confirmation, one person."""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField

from feedback.people.editing import PersonEdit
from feedback.people.services import PeopleFilter


class ImportForm(FlaskForm):
    file = FileField(
        _l("People file (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file to upload."))]
    )


class ConfirmImportForm(FlaskForm):
    deactivate_missing = BooleanField(_l("Deactivate people not in this file"))
    skip_invalid = BooleanField(_l("Import the valid rows only (rows with errors are skipped)"))


class PersonForm(FlaskForm):
    """HR's edit of one person. The rules (and their messages) are in people/editing.py:
    the fields only carry what was typed, so a choice outside the lists reaches them too."""

    name = StringField(_l("Name"))
    email = StringField(_l("E-mail address"))
    language = StringField(_l("Language"))  # shown as a list: see people/person.html
    role = StringField(_l("Role"))
    team = StringField(_l("Team"))
    manager_email = StringField(_l("Manager's e-mail address"))
    active = StringField(_l("Status"))  # "yes" or "no"

    def edit(self) -> PersonEdit:
        return PersonEdit(
            name=self.name.data or "",
            email=self.email.data or "",
            language=self.language.data or "",
            role=self.role.data or "",
            team=self.team.data or "",
            manager_email=self.manager_email.data or "",
            active=self.active.data != "no",
        )


class ResendForm(FlaskForm):
    """Only a CSRF token: send the survey link again to a changed address."""


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
