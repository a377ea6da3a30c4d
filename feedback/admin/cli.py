"""Commands for cron: `flask --app wsgi send-reminders | deliver-mail | purge-invitations`,
and the round's life for cron and operators: `flask --app wsgi rounds list | close ROUND_ID |
publish ROUND_ID` (the rules and messages of HR's buttons).

Each is safe to run again: reminder slots and purges are recorded, mail is claimed row by
row, and a round that is already closed (or published) is said so and left alone, with
exit code 0. `purge-invitations` also removes report ZIPs and cached PDFs older than
FILE_RETENTION_DAYS (default 7). A suggested crontab:

    */5 * * * *  flask --app wsgi deliver-mail
    0 9 * * *    flask --app wsgi send-reminders
    30 3 * * *   flask --app wsgi purge-invitations
"""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from feedback.models import RoundStatus


def _deliver(echo) -> bool:
    """Send what is queued (SMTP only); False when the server failed."""
    from feedback.mail import backend_name
    from feedback.mail_delivery import deliver_queued

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

    days = current_app.config["FILE_RETENTION_DAYS"]
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


# --- the round's life: `flask --app wsgi rounds list | close ROUND_ID | publish ROUND_ID` ---

rounds_cli = AppGroup(
    "rounds",
    help="Feedback rounds: list them, close or publish one (as HR's buttons do).\n\n"
    "close and publish are safe to run twice: a round that is already closed (or published) "
    "is reported and left alone, with exit code 0. A refused step (an unknown round, or a "
    "round in the wrong state) prints why and exits with 1.",
)

# What a step moves the round from, and the states in which it has already happened.
_STEPS = {
    "close": (RoundStatus.OPEN, (RoundStatus.CLOSED, RoundStatus.PUBLISHED)),
    "publish": (RoundStatus.CLOSED, (RoundStatus.PUBLISHED,)),
}


def _rate_text(row) -> str:
    """The response rate as the rounds page shows it."""
    if row.status == RoundStatus.DRAFT:
        return "not launched"
    if row.counted_at is None:
        return "no counts kept"
    if row.rate.percent is None:
        return "too few raters to show"
    return f"{row.rate.percent}% ({row.rate.answered} / {row.rate.invited})"


@rounds_cli.command("list")
def list_rounds_command() -> None:
    """Every round, newest first: id, status, dates, managers, response rate, name."""
    from feedback.admin import rounds

    rows = rounds.list_rounds()
    if not rows:
        click.echo("No rounds yet.")
        return
    click.echo(
        f"{'ID':>5}  {'STATUS':<10} {'OPENS':<10}  {'CLOSES':<10}  {'MANAGERS':>8}  "
        f"{'RESPONSES':<24} NAME"
    )
    for r in rows:
        click.echo(
            f"{r.id:>5}  {r.status:<10} {r.opens_on.isoformat():<10}  "
            f"{r.closes_on.isoformat():<10}  {r.managers:>8}  {_rate_text(r):<24} {r.name}"
        )


def _round_step(step: str, round_id: int) -> None:
    """Close or publish a round with the rules and messages of the web button."""
    from feedback.admin import rounds, transitions
    from feedback.extensions import db
    from feedback.sealing import SealError

    source, done = _STEPS[step]
    service = transitions.close_round if step == "close" else transitions.publish_round
    rnd = rounds.get_round(round_id)
    if rnd is None:
        raise click.ClickException(
            f"Round {round_id} does not exist (`flask --app wsgi rounds list` lists them)."
        )
    name = rnd.name
    if rnd.status in done:
        click.echo(f"Round {round_id} ({name}) is already {rnd.status}: nothing was changed.")
        return
    problems = transitions.step_problems(rnd, step, source)
    if problems:
        raise click.ClickException(" ".join(problems))
    db.session.rollback()  # end the read: the step runs in a write transaction of its own
    try:
        result = service(round_id)
    except rounds.AdminError as error:
        db.session.rollback()
        rnd = rounds.get_round(round_id)
        if rnd is not None and rnd.status in done:  # another run got there first
            click.echo(f"Round {round_id} ({name}) is already {rnd.status}: nothing was changed.")
            return
        raise click.ClickException(str(error)) from error
    except SealError as error:
        raise click.ClickException(f"Nothing was changed: {error}") from error
    click.echo(f"Round {round_id} ({name}): {transitions.step_message(step, result)}")


@rounds_cli.command("close")
@click.argument("round_id", type=int)
def close_round_command(round_id: int) -> None:
    """Close an open round: its links stop working and its answers are opened for the
    reports; who took part is erased, only the counts per manager and group remain."""
    _round_step("close", round_id)


@rounds_cli.command("publish")
@click.argument("round_id", type=int)
def publish_round_command(round_id: int) -> None:
    """Publish a closed round's reports to its managers. Final: no way back."""
    _round_step("publish", round_id)
