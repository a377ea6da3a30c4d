"""Commands for cron: `flask --app wsgi send-reminders | deliver-mail | purge-invitations`.

Each is safe to run again: reminder slots and purges are recorded, mail is claimed row by
row. `purge-invitations` also removes report ZIPs and cached PDFs older than
FILE_RETENTION_DAYS (default 7). A suggested crontab:

    */5 * * * *  flask --app wsgi deliver-mail
    0 9 * * *    flask --app wsgi send-reminders
    30 3 * * *   flask --app wsgi purge-invitations
"""

import click
from flask import current_app
from flask.cli import with_appcontext


def _deliver(echo) -> bool:
    """Send what is queued (SMTP only); False when the server failed."""
    from feedback.mail import backend_name, deliver_queued

    if backend_name() != "smtp":
        return True
    result = deliver_queued()
    echo(f"Mail: {result.sent} sent, {result.failed} failed, {result.remaining} still queued.")
    if result.error:
        echo(f"The mail server failed: {result.error}")
        return False
    return True


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Send the reminders that are due in open rounds, then deliver the mail."""
    from feedback.admin.reminders import run_scheduled_reminders

    runs = run_scheduled_reminders()
    for run in runs:
        slots = ", ".join(run.slots)
        if run.skipped_recent:
            click.echo(f"{run.round_name}: {slots} covered by a reminder sent shortly before.")
        else:
            click.echo(f"{run.round_name}: reminders ({slots}) to {run.raters} raters.")
    if not runs:
        click.echo("No reminders are due.")
    if not _deliver(click.echo):
        raise SystemExit(1)


@click.command("deliver-mail")
@with_appcontext
def deliver_mail_command() -> None:
    """Send queued mail through SMTP (retries what failed for a temporary reason)."""
    from feedback.mail import backend_name

    if backend_name() != "smtp":
        click.echo("MAIL_SERVER is not set: mail stays in the outbox in the app.")
        return
    if not _deliver(click.echo):
        raise SystemExit(1)


@click.command("purge-invitations")
@click.option("--dry-run", is_flag=True, help="Only list what would be purged.")
@with_appcontext
def purge_invitations_command(dry_run: bool) -> None:
    """Purge invitations, links and drafts of rounds past their retention period, and
    report ZIPs and cached PDFs older than FILE_RETENTION_DAYS."""
    from feedback.admin.retention import purge_due_rounds

    results = purge_due_rounds(dry_run=dry_run)
    verb = "would purge" if dry_run else "purged"
    for r in results:
        click.echo(
            f"{r.round_name}: {verb} {r.invitations} invitations, {r.tokens} links, "
            f"{r.drafts} draft answers; {r.mails} stored mails cleaned."
        )
    if not results:
        click.echo("No round is due for purging.")
    _remove_old_files(dry_run)


def _remove_old_files(dry_run: bool) -> None:
    from feedback.files import remove_old_files

    days = current_app.config.get("FILE_RETENTION_DAYS", 7)
    try:
        removed = remove_old_files(current_app.instance_path, days, dry_run=dry_run)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    age = _count(days, "day")
    if not removed.total:
        click.echo(f"No report ZIP or cached PDF is older than {age}.")
        return
    verb = "would remove" if dry_run else "removed"
    others = f", {_count(removed.others, 'other job file')}" if removed.others else ""
    click.echo(
        f"Files older than {age}: {verb} {_count(removed.zips, 'report ZIP')}, "
        f"{_count(removed.pdfs, 'cached PDF')}{others}."
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
