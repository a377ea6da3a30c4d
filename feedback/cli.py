"""Command-line entry points: `flask --app wsgi <command>`.

The commands meant for HR and operators speak the app's default language
(BABEL_DEFAULT_LOCALE, Dutch unless configured) or the one given with `--lang nl|en`.
"""

import functools

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

LANGUAGES = ("nl", "en")


def hr_language(command):
    """Add `--lang nl|en` to a command: its messages in that language, by default in the
    app's default locale. Apply below `with_appcontext` (or an AppGroup's `command`)."""

    @click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        help="Language of the messages (default: the app's default language).",
    )
    @functools.wraps(command)
    def wrapped(*args, lang=None, **kwargs):
        with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return wrapped


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
@hr_language
def create_admin_command(email: str, password: str) -> None:
    """Create (or reset the password of) an HR admin account."""
    from feedback.auth.services import AccountError, create_admin

    try:
        user = create_admin(email, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("HR admin %(email)s is ready.", email=user.email))


@click.command("password-link")
@click.argument("email")
@with_appcontext
@hr_language
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
        raise click.ClickException(
            _("No active account with the e-mail address %(email)s.", email=email)
        )
    token = issue_password_link(user)
    db.session.commit()
    hours = current_app.config["PASSWORD_LINK_HOURS"]
    click.echo(
        _(
            "Set-password link for %(email)s (valid %(hours)d hours, shown once):",
            email=user.email,
            hours=hours,
        )
    )
    click.echo(password_link(token))


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no people yet.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo organisation with one closed and one open round (idempotent)."""
    from feedback.demo import load_demo

    # Outside a request: the services it calls speak the default language.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        load_demo(if_empty=if_empty, echo=click.echo)
