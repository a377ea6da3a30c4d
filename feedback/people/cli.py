"""`flask import-people FILE`: the same preview and import as the web page."""

from pathlib import Path

import click
from flask_babel import force_locale

from feedback.people import services
from feedback.people.importing import FileError, parse_file


@click.command("import-people")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--deactivate-missing", is_flag=True, help="Deactivate people not in the file.")
@click.option("--dry-run", is_flag=True, help="Show the preview only; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, skip rows with errors.")
def import_people_command(
    file: Path, deactivate_missing: bool, dry_run: bool, skip_invalid: bool
) -> None:
    """Import people from a CSV or XLSX file (columns name, email, language, manager_email,
    team, role). Exits non-zero and writes nothing when a row has an error, unless
    --skip-invalid. Messages are in English."""
    with force_locale("en"):
        _import_people(file, deactivate_missing, dry_run, skip_invalid)


def _import_people(file: Path, deactivate_missing: bool, dry_run: bool, skip_invalid: bool):
    try:
        rows = parse_file(file.name, file.read_bytes())
    except FileError as error:
        raise click.ClickException(str(error)) from error
    preview = services.preview_import(rows)
    counts = preview.counts
    click.echo(
        f"{len(preview.rows)} rows: {counts['new']} new, {counts['update']} update, "
        f"{counts['unchanged']} unchanged, {counts['error']} error"
    )
    for row in preview.error_rows:
        for error in row.errors:
            click.echo(f"row {row.line}: {error}", err=True)
    click.echo(
        f"{len(preview.missing)} people in the database are not in the file"
        + (" (will be deactivated)" if deactivate_missing and preview.missing else "")
    )
    if preview.has_errors and not skip_invalid:
        raise click.ClickException(
            "Rows have errors: nothing was imported (use --skip-invalid to import the rest)."
        )
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    try:
        result = services.apply_import(
            rows, deactivate_missing=deactivate_missing, skip_invalid=skip_invalid
        )
    except services.ImportHasErrors as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Imported: {result.created} new, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.deactivated} deactivated, {len(result.skipped)} skipped."
    )
