"""The organisation for HR: the people list and the import (upload, preview, confirm)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from feedback.auth.decorators import hr_required
from feedback.partials import wants_partial
from feedback.people import services
from feedback.people.forms import ConfirmImportForm, ImportForm, filters_from_args
from feedback.people.importing import FileError, parse_file
from feedback.people.views import preview_view

bp = Blueprint("people", __name__, url_prefix="/people")


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
    return render_template("people/import.html", form=form)


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
        flash(f"{error} Fix the file, or choose to import the valid rows only.", "error")
        return _render_preview(upload_id, form)
    services.delete_upload(upload_id)
    return render_template("people/imported.html", result=result)


@bp.post("/import/<upload_id>/cancel")
@hr_required
def cancel(upload_id: str):
    if ConfirmImportForm().validate_on_submit():
        services.delete_upload(upload_id)
        flash("The import was cancelled. Nothing was changed.", "success")
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
