"""`flask --app wsgi reports build ROUND_ID --out DIR [--jobs N]`: every PDF of a round."""

import time
from pathlib import Path

import click
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Development reports.")


@reports_cli.command("build")
@click.argument("round_id", type=int)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the PDFs to (created if missing).",
)
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Worker processes rendering PDFs in parallel.",
)
def build_command(round_id: int, out_dir: Path, jobs: int) -> None:
    """Write the PDF report of every manager in a closed or published round to DIR."""
    from feedback.extensions import db
    from feedback.reports import bulk

    try:
        rnd = bulk.round_to_build(round_id)
    except bulk.RoundNotReady as error:
        raise click.ClickException(str(error)) from error
    total = len(rnd.participants)
    name = rnd.name
    db.session.rollback()
    if total == 0:
        click.echo(f'Round "{name}" has no managers: nothing to build.')
        return
    started = time.perf_counter()
    with click.progressbar(length=total, label=f"Building {total} reports", show_pos=True) as bar:
        built = bulk.build_round_pdfs(
            round_id,
            out_dir,
            jobs=jobs,
            on_done=lambda _built: bar.update(1),
        )
    seconds = time.perf_counter() - started
    size = sum(b.size for b in built)
    click.echo(
        f'{len(built)} PDF reports of "{name}" written to {out_dir} '
        f"({size / 1024:.0f} KB, {seconds:.1f} s, {jobs} job{'s' if jobs > 1 else ''})."
    )
