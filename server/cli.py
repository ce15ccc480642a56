"""``flask --app server user add`` and ``flask --app server layout check``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from server.auth import ROLES, add_user
from server.device_cli import devices_cli
from server.wiring import hall

user_cli = AppGroup("user", help="Clerk and admin accounts.")
db_cli = AppGroup("db", help="The database schema.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema up to date (the server does it on start too; run it before starting after an upgrade)."""
    from alembic.runtime.migration import MigrationContext
    from flask import current_app

    db = hall(current_app).db
    with db.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    click.echo(f"database schema at revision {revision} ({db.engine.url.render_as_string(hide_password=True)})")


@user_cli.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="clerk", show_default=True)
def user_add(username: str, role: str) -> None:
    """Create an account; the password is the first line of stdin (a second identical line confirms it)."""
    from flask import current_app

    lines = sys.stdin.read().splitlines()
    if not lines or not lines[0]:
        raise click.ClickException("no password on stdin (first line)")
    password = lines[0]
    if len(lines) > 1 and lines[1] and lines[1] != password:
        raise click.ClickException("the confirmation line does not match the password")
    db = hall(current_app).db
    try:
        with db.write() as session:
            add_user(session, username, password, role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {username} ({role}) created")


def register_cli(app: Flask) -> None:
    app.cli.add_command(user_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(devices_cli)
    try:
        import layout.cli  # noqa: F401
    except ImportError:
        return
    from layout.cli import register_layout_cli

    register_layout_cli(app)
