"""Commands for cron: `flask --app wsgi send-reminders | deliver-mail | purge-invitations`,
and the round's life for cron, operators and HR automation: `flask --app wsgi rounds list |
create NAME --opens DATE --closes DATE (--all-managers | --managers FILE) [--threshold N] |
launch ROUND_ID | close ROUND_ID | publish ROUND_ID` (the rules and messages of HR's pages
and buttons; a launched round's invitations go out through the mail queue, as from the web).

Messages are in the app's default language, or the one given with `--lang nl|en`
(feedback/cli.py); dates in `rounds list` stay ISO (2027-03-01), for scripts. Each is safe
to run again: reminder slots and purges are recorded, mail is claimed row by
row, and a round that is already launched, closed (or published) is said so and left alone,
with exit code 0 (`create` makes a new draft each time it is run). `purge-invitations`
also removes report ZIPs and cached PDFs older than FILE_RETENTION_DAYS (default 7). A
suggested crontab:

    */5 * * * *  flask --app wsgi deliver-mail
    0 9 * * *    flask --app wsgi send-reminders
    30 3 * * *   flask --app wsgi purge-invitations
"""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.admin.labels import percent, status_label
from feedback.cli import hr_language
from feedback.models import RoundStatus


def _deliver(echo) -> bool:
    """Send what is queued (SMTP only); False when the server failed."""
    from feedback.mail import backend_name
    from feedback.mail_delivery import deliver_queued

    if backend_name() != "smtp":
        return True
    result = deliver_queued()
    echo(
        _(
            "Mail: %(sent)d sent, %(failed)d failed, %(remaining)d still queued.",
            sent=result.sent,
            failed=result.failed,
            remaining=result.remaining,
        )
    )
    if result.error:
        echo(_("The mail server failed: %(error)s", error=result.error))
        return False
    return True


@click.command("send-reminders")
@with_appcontext
@hr_language
def send_reminders_command() -> None:
    """Send the reminders that are due in open rounds, then deliver the mail."""
    from feedback.admin.reminders import run_scheduled_reminders

    runs = run_scheduled_reminders()
    for run in runs:
        slots = ", ".join(run.slots)
        if run.skipped_recent:
            click.echo(
                _(
                    "%(round)s: %(slots)s covered by a reminder sent shortly before.",
                    round=run.round_name,
                    slots=slots,
                )
            )
        else:
            click.echo(
                ngettext(
                    "%(round)s: reminders (%(slots)s) to %(num)d rater.",
                    "%(round)s: reminders (%(slots)s) to %(num)d raters.",
                    run.raters,
                    round=run.round_name,
                    slots=slots,
                )
            )
    if not runs:
        click.echo(_("No reminders are due."))
    if not _deliver(click.echo):
        raise SystemExit(1)


@click.command("deliver-mail")
@with_appcontext
@hr_language
def deliver_mail_command() -> None:
    """Send queued mail through SMTP (retries what failed for a temporary reason)."""
    from feedback.mail import backend_name

    if backend_name() != "smtp":
        click.echo(_("MAIL_SERVER is not set: mail stays in the outbox in the app."))
        return
    if not _deliver(click.echo):
        raise SystemExit(1)


@click.command("purge-invitations")
@click.option("--dry-run", is_flag=True, help="Only list what would be purged.")
@with_appcontext
@hr_language
def purge_invitations_command(dry_run: bool) -> None:
    """Purge invitations, links and drafts of rounds past their retention period, and
    report ZIPs and cached PDFs older than FILE_RETENTION_DAYS."""
    from feedback.admin.retention import purge_due_rounds

    results = purge_due_rounds(dry_run=dry_run)
    for r in results:
        counts = {
            "round": r.round_name,
            "invitations": r.invitations,
            "links": r.tokens,
            "drafts": r.drafts,
            "mails": r.mails,
        }
        if dry_run:
            text = _(
                "%(round)s: would purge %(invitations)d invitations, %(links)d links, "
                "%(drafts)d draft answers; %(mails)d stored mails would be cleaned.",
                **counts,
            )
        else:
            text = _(
                "%(round)s: purged %(invitations)d invitations, %(links)d links, "
                "%(drafts)d draft answers; %(mails)d stored mails cleaned.",
                **counts,
            )
        click.echo(text)
    if not results:
        click.echo(_("No round is due for purging."))
    _remove_old_files(dry_run)


def _remove_old_files(dry_run: bool) -> None:
    from feedback.files import remove_old_files

    days = current_app.config["FILE_RETENTION_DAYS"]
    try:
        removed = remove_old_files(current_app.instance_path, days, dry_run=dry_run)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if not removed.total:
        click.echo(
            ngettext(
                "No report ZIP or cached PDF is older than %(num)d day.",
                "No report ZIP or cached PDF is older than %(num)d days.",
                days,
            )
        )
        return
    files = [
        ngettext("%(num)d report ZIP", "%(num)d report ZIPs", removed.zips),
        ngettext("%(num)d cached PDF", "%(num)d cached PDFs", removed.pdfs),
    ]
    if removed.others:
        files.append(ngettext("%(num)d other job file", "%(num)d other job files", removed.others))
    if dry_run:
        text = ngettext(
            "Files older than %(num)d day: would remove %(files)s.",
            "Files older than %(num)d days: would remove %(files)s.",
            days,
            files=", ".join(files),
        )
    else:
        text = ngettext(
            "Files older than %(num)d day: removed %(files)s.",
            "Files older than %(num)d days: removed %(files)s.",
            days,
            files=", ".join(files),
        )
    click.echo(text)


# --- the round's life: `flask --app wsgi rounds list | close ROUND_ID | publish ROUND_ID` ---

rounds_cli = AppGroup(
    "rounds",
    help="Feedback rounds: list them, create one, launch, close or publish one (as HR's "
    "pages and buttons do).\n\n"
    "launch, close and publish are safe to run twice: a round that is already launched, "
    "closed (or published) is reported and left alone, with exit code 0. A refused step (an "
    "unknown round, or a round in the wrong state) prints why and exits with 1.",
)

# What a step moves the round from, and the states in which it has already happened.
_STEPS = {
    "launch": (
        RoundStatus.DRAFT,
        (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.PUBLISHED),
    ),
    "close": (RoundStatus.OPEN, (RoundStatus.CLOSED, RoundStatus.PUBLISHED)),
    "publish": (RoundStatus.CLOSED, (RoundStatus.PUBLISHED,)),
}


def _rate_text(row) -> str:
    """The response rate as the rounds page shows it."""
    if row.status == RoundStatus.DRAFT:
        return _("not launched")
    if row.counted_at is None:
        return _("no counts kept")
    if row.rate.percent is None:
        return _("too few raters to show")
    return f"{percent(row.rate.percent)} ({row.rate.answered} / {row.rate.invited})"


@rounds_cli.command("list")
@hr_language
def list_rounds_command() -> None:
    """Every round, newest first: id, status, dates, managers, response rate, name."""
    from feedback.admin import rounds

    rows = rounds.list_rounds()
    if not rows:
        click.echo(_("No rounds yet."))
        return
    # Column headings, each one word (scripts split the lines on white space).
    heads = (
        _("ID"), _("STATUS"), _("OPENS"), _("CLOSES"), _("MANAGERS"), _("RESPONSES"), _("NAME")
    )  # fmt: skip
    click.echo(
        f"{heads[0]:>5}  {heads[1]:<12} {heads[2]:<10}  {heads[3]:<10}  {heads[4]:>8}  "
        f"{heads[5]:<24} {heads[6]}"
    )
    for r in rows:
        click.echo(
            f"{r.id:>5}  {status_label(r.status):<12} {r.opens_on.isoformat():<10}  "
            f"{r.closes_on.isoformat():<10}  {r.managers:>8}  {_rate_text(r):<24} {r.name}"
        )


def _round_step(step: str, round_id: int) -> None:
    """Launch, close or publish a round with the rules and messages of the web button."""
    from feedback.admin import launch, rounds, transitions
    from feedback.extensions import db
    from feedback.sealing import SealError

    source, done = _STEPS[step]
    service = {
        "launch": launch.launch_round,
        "close": transitions.close_round,
        "publish": transitions.publish_round,
    }[step]
    rnd = rounds.get_round(round_id)
    if rnd is None:
        raise click.ClickException(
            _(
                "Round %(id)d does not exist (`flask --app wsgi rounds list` lists them).",
                id=round_id,
            )
        )
    name = rnd.name
    if rnd.status in done:
        click.echo(_already(round_id, name, rnd.status))
        return
    problems = transitions.step_problems(rnd, step, source)
    if problems and step == "launch" and rnd.status == source:
        raise click.ClickException(
            _("The round cannot be launched yet: %(problems)s", problems=" ".join(problems))
        )
    if problems:
        raise click.ClickException(" ".join(problems))
    db.session.rollback()  # end the read: the step runs in a write transaction of its own
    try:
        result = service(round_id)
    except rounds.AdminError as error:
        db.session.rollback()
        rnd = rounds.get_round(round_id)
        if rnd is not None and rnd.status in done:  # another run got there first
            click.echo(_already(round_id, name, rnd.status))
            return
        raise click.ClickException(str(error)) from error
    except SealError as error:
        raise click.ClickException(_("Nothing was changed: %(error)s", error=error)) from error
    click.echo(
        _(
            "Round %(id)d (%(name)s): %(message)s",
            id=round_id,
            name=name,
            message=transitions.step_message(step, result),
        )
    )


def _already(round_id: int, name: str, status: str) -> str:
    return _(
        "Round %(id)d (%(name)s) is already %(status)s: nothing was changed.",
        id=round_id,
        name=name,
        status=status_label(status),
    )


@rounds_cli.command("create")
@click.argument("name")
@click.option(
    "--opens", "opens_on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD"
)
@click.option(
    "--closes", "closes_on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD"
)
@click.option("--all-managers", is_flag=True, help="Rate every active manager with an active team.")
@click.option(
    "--managers",
    "managers_file",
    type=click.File("r", encoding="utf-8"),
    help="A file with the e-mail address of each manager to rate, one a line ('-': stdin).",
)
@click.option(
    "--threshold", type=int, default=None, help="Anonymity threshold (default: the app's)."
)
@hr_language
def create_round_command(
    name: str, opens_on, closes_on, all_managers: bool, managers_file, threshold: int | None
) -> None:
    """Create a draft round with the proposed raters of each manager, as HR's new-round page
    does; check its raters in the app, then `rounds launch ROUND_ID`."""
    from feedback.admin import creation, rounds

    if all_managers == (managers_file is not None):
        raise click.UsageError(
            _("Choose the managers with either --all-managers or --managers FILE.")
        )
    eligible = creation.eligible_managers()
    if all_managers:
        manager_ids = [p.id for p in eligible]
    else:
        manager_ids = _managers_from(managers_file, eligible)
    settings = rounds.RoundSettings(
        name=name,
        opens_on=opens_on.date(),
        closes_on=closes_on.date(),
        threshold=current_app.config["DEFAULT_THRESHOLD"] if threshold is None else threshold,
    )
    try:
        rnd = creation.create_round(settings, manager_ids)
    except rounds.AdminError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        ngettext(
            "Round %(id)d (%(name)s) created as a draft with %(num)d manager.",
            "Round %(id)d (%(name)s) created as a draft with %(num)d managers.",
            len(manager_ids),
            id=rnd.id,
            name=rnd.name,
        )
    )
    click.echo(
        _(
            "Check the raters, then launch it: flask --app wsgi rounds launch %(id)d",
            id=rnd.id,
        )
    )


def _managers_from(handle, eligible) -> list[int]:
    """The ids of the managers whose e-mail addresses the file lists (blank lines and lines
    starting with # are skipped); a ClickException naming every address that is not an
    active manager with a team."""
    by_email = {p.email.casefold(): p.id for p in eligible}
    wanted = [
        line.strip()
        for line in handle.read().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    unknown = [email for email in wanted if email.casefold() not in by_email]
    if unknown:
        raise click.ClickException(
            _(
                "Not an active manager with a team: %(emails)s. Nothing was created.",
                emails=", ".join(unknown),
            )
        )
    return list(dict.fromkeys(by_email[email.casefold()] for email in wanted))


@rounds_cli.command("launch")
@click.argument("round_id", type=int)
@hr_language
def launch_round_command(round_id: int) -> None:
    """Launch a draft round: every rater gets an invitation with a personal link, managers
    without a password a link to set one (queued like the web page's button)."""
    _round_step("launch", round_id)


@rounds_cli.command("close")
@click.argument("round_id", type=int)
@hr_language
def close_round_command(round_id: int) -> None:
    """Close an open round: its links stop working and its answers are opened for the
    reports; who took part is erased, only the counts per manager and group remain."""
    _round_step("close", round_id)


@rounds_cli.command("publish")
@click.argument("round_id", type=int)
@hr_language
def publish_round_command(round_id: int) -> None:
    """Publish a closed round's reports to its managers. Final: no way back."""
    _round_step("publish", round_id)
