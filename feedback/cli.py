"""Command-line entry points: `flask --app wsgi <command>`."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(password_link_command)
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
        rounds_cli,
        send_reminders_command,
    )

    app.cli.add_command(send_reminders_command)
    app.cli.add_command(deliver_mail_command)
    app.cli.add_command(purge_invitations_command)
    app.cli.add_command(rounds_cli)


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


@click.command("password-link")
@click.argument("email")
@with_appcontext
def password_link_command(email: str) -> None:
    """Print a fresh set-password link for an account (for the operator, e.g. without a
    mail server). Earlier links of that account stop working; the link is not stored."""
    import sqlalchemy as sa

    from feedback.auth.services import issue_password_link
    from feedback.db import begin_write
    from feedback.extensions import db
    from feedback.models import User
    from feedback.tokens import password_link

    begin_write()
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None or not user.active:
        db.session.rollback()
        raise click.ClickException(f"No active account with the e-mail address {email}.")
    token = issue_password_link(user)
    db.session.commit()
    hours = current_app.config["PASSWORD_LINK_HOURS"]
    click.echo(f"Set-password link for {user.email} (valid {hours} hours, shown once):")
    click.echo(password_link(token))


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no people yet.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo organisation with one closed and one open round (idempotent)."""
    from feedback.demo import load_demo

    load_demo(if_empty=if_empty, echo=click.echo)
