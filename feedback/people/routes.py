"""The organisation for HR: the people list, one person's page, and the import (upload,
preview, confirm)."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from feedback.auth.decorators import hr_required
from feedback.partials import wants_partial
from feedback.people import editing, services, template
from feedback.people.forms import (
    ConfirmImportForm,
    ImportForm,
    PersonForm,
    ResendForm,
    filters_from_args,
)
from feedback.people.importing import LANGUAGES, FileError, parse_file
from feedback.people.labels import labels, language_label, role_label
from feedback.people.views import preview_view

bp = Blueprint("people", __name__, url_prefix="/people")
bp.context_processor(labels)


@bp.get("/")
@hr_required
def index():
    filters, page = filters_from_args(request.args)
    people = services.list_people(filters, page)
    template = "people/_rows.html" if wants_partial() else "people/index.html"
    return render_template(template, people=people, filters=filters)


@bp.get("/tree")
@hr_required
def tree():
    return render_template("people/tree.html", roots=services.org_tree())


@bp.route("/<int:person_id>", methods=["GET", "POST"])
@hr_required
def person(person_id: int):
    found = editing.get_person(person_id)
    if found is None:
        abort(404)
    form = PersonForm(obj=None if request.method == "POST" else _form_data(found))
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            result = editing.update_person(person_id, form.edit())
        except editing.PersonInvalid as invalid:
            errors = invalid.errors
        else:
            if result.changed:
                flash(_("Saved. The changes apply to rounds set up from now on."), "success")
            else:
                flash(_("Nothing was changed."), "success")
            return redirect(url_for("people.person", person_id=person_id), code=303)
    return _render_person(found, form, errors)


@bp.post("/<int:person_id>/resend")
@hr_required
def resend(person_id: int):
    if editing.get_person(person_id) is None:
        abort(404)
    if ResendForm().validate_on_submit():
        try:
            sent = editing.resend_links(person_id)
        except sa.exc.IntegrityError:
            flash(_("The link could not be sent again: nothing was changed."), "error")
        else:
            flash(
                ngettext(
                    "The survey link was sent to the new address (%(num)d mail).",
                    "The survey link was sent to the new address (%(num)d mails).",
                    sent,
                ),
                "success",
            )
    return redirect(url_for("people.person", person_id=person_id), code=303)


def _form_data(person):
    class Data:
        name = person.name
        email = person.email
        language = person.language
        role = person.role
        team = person.team or ""
        manager_email = person.manager.email if person.manager else ""
        active = "yes" if person.active else "no"

    return Data()


def _render_person(person, form: PersonForm, errors: dict[str, str]):
    return render_template(
        "people/person.html",
        languages=[(code, language_label(code)) for code in LANGUAGES],
        roles=[(role, role_label(role)) for role in editing.role_choices(person.role)],
        statuses=[("yes", _("Active")), ("no", _("Left the organisation"))],
        page=editing.person_page(person),
        form=form,
        errors=errors,
        resend_form=ResendForm(),
        teams=services.list_teams(),
        managers=editing.manager_suggestions(),
    )


@bp.route("/import", methods=["GET", "POST"])
@hr_required
def upload():
    form = ImportForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            rows = parse_file(file.filename or "", file.read())
        except FileError as error:
            form.file.errors.append(str(error))
        else:
            upload_id = services.save_upload(
                rows,
                filename=file.filename or "",
                user_id=current_user.id,
            )
            return redirect(url_for("people.preview", upload_id=upload_id), code=303)
    return render_template("people/import.html", form=form, columns=template.columns())


@bp.get("/template.<any(csv, xlsx):ext>")
@hr_required
def template_file(ext: str):
    """The import template, in the HR user's language."""
    if ext == "csv":
        response = Response(template.template_csv(), mimetype="text/csv")
    else:
        response = Response(template.template_xlsx(), mimetype=template.XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{template.filename(ext)}"'
    return response


@bp.get("/import/<upload_id>")
@hr_required
def preview(upload_id: str):
    return _render_preview(upload_id, ConfirmImportForm())


@bp.post("/import/<upload_id>")
@hr_required
def confirm(upload_id: str):
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return _render_preview(upload_id, form)
    try:
        upload = services.load_upload(upload_id, user_id=current_user.id)
        result = services.apply_import(
            upload.rows,
            deactivate_missing=form.deactivate_missing.data,
            skip_invalid=form.skip_invalid.data,
        )
    except services.UploadNotFound as error:
        flash(str(error), "error")
        return redirect(url_for("people.upload"), code=303)
    except services.ImportHasErrors as error:
        advice = _("Fix the file, or choose to import the valid rows only.")
        flash(f"{error} {advice}", "error")
        return _render_preview(upload_id, form)
    services.delete_upload(upload_id)
    return render_template("people/imported.html", result=result)


@bp.post("/import/<upload_id>/cancel")
@hr_required
def cancel(upload_id: str):
    if ConfirmImportForm().validate_on_submit():
        services.delete_upload(upload_id)
        flash(_("The import was cancelled. Nothing was changed."), "success")
    return redirect(url_for("people.upload"), code=303)


def _render_preview(upload_id: str, form: ConfirmImportForm):
    try:
        upload = services.load_upload(upload_id, user_id=current_user.id)
    except services.UploadNotFound as error:
        flash(str(error), "error")
        return redirect(url_for("people.upload"), code=303)
    view = preview_view(upload, services.preview_import(upload.rows), request.args)
    template = "people/_preview_rows.html" if wants_partial() else "people/preview.html"
    return render_template(template, view=view, form=form)
