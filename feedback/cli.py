"""Command-line entry points: `flask --app wsgi <command>`."""

import click
from flask import Flask
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_command)

    from feedback.people.cli import import_people_command

    app.cli.add_command(import_people_command)

    from feedback.jobs.cli import worker_command

    app.cli.add_command(worker_command)

    from feedback.reports.cli import reports_cli

    app.cli.add_command(reports_cli)

    from feedback.admin.cli import (
        deliver_mail_command,
        purge_invitations_command,
        send_reminders_command,
    )

    app.cli.add_command(send_reminders_command)
    app.cli.add_command(deliver_mail_command)
    app.cli.add_command(purge_invitations_command)


@click.command("create-admin")
@click.argument("email")
@click.password_option(help="Prompted when not given.")
@with_appcontext
def create_admin_command(email: str, password: str) -> None:
    """Create (or reset the password of) an HR admin account."""
    from feedback.auth.services import AccountError, create_admin

    try:
        user = create_admin(email, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"HR admin {user.email} is ready.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no people yet.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo organisation with one closed and one open round (idempotent)."""
    from feedback.demo import load_demo

    load_demo(if_empty=if_empty, echo=click.echo)
