"""``flask --app server user add|list|disable|enable|passwd``, ``db upgrade`` and ``layout check``."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from server.accounts import AccountError, add_user, list_users, set_active, set_password
from server.device_cli import devices_cli
from server.domain.access import ROLES
from server.schema import head_revision
from server.wiring import hall

user_cli = AppGroup("user", help="Staff accounts (clerk, manager, backoffice, admin).")
db_cli = AppGroup("db", help="The database schema.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema up to date (the server does it on start too; run it before starting after an upgrade)."""
    from alembic.runtime.migration import MigrationContext

    db = hall(current_app).db
    db.schema.try_now()  # the upgrade itself (a no-op at the head); a failure is kept in last_error
    with db.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    where = db.engine.url.render_as_string(hide_password=True)
    if revision != head_revision():
        raise click.ClickException(f"database schema at revision {revision}, not {head_revision()} ({where}): "
                                   f"{db.schema.last_error or 'the upgrade did not finish'}")
    click.echo(f"database schema at revision {revision} ({where})")


def _password_from_stdin() -> str:
    lines = sys.stdin.read().splitlines()
    if not lines or not lines[0]:
        raise click.ClickException("no password on stdin (first line)")
    if len(lines) > 1 and lines[1] and lines[1] != lines[0]:
        raise click.ClickException("the confirmation line does not match the password")
    return lines[0]


def _write(change, *args):
    try:
        with hall(current_app).db.write() as session:
            return change(session, *args)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc


@user_cli.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="clerk", show_default=True)
@click.option("--site", "sites", multiple=True, metavar="SITE",
              help="A site the account serves (repeat for several); without it, every site.")
@click.option("--department", metavar="DEPT", help="The department (required for backoffice).")
def user_add(username: str, role: str, sites: tuple[str, ...], department: str | None) -> None:
    """Create an account; the password is the first line of stdin (a second identical line confirms it)."""
    password = _password_from_stdin()
    layout = hall(current_app).layout
    _write(lambda session: add_user(session, username, password, role, sites or None, department, layout))
    where = ", ".join(sites) if sites else "every site"
    click.echo(f"user {username} ({role}, {where}{f', {department}' if department else ''}) created")


@user_cli.command("list")
def user_list() -> None:
    """Every account: name, role, sites, department, active (never a password hash)."""
    with hall(current_app).db.read() as session:
        users = list_users(session)
    rows = [("NAME", "ROLE", "SITES", "DEPARTMENT", "ACTIVE")] + [
        (user["username"], user["role"], ",".join(user["sites"]) if user["sites"] is not None else "*",
         user["department"] or "-", "yes" if user["active"] else "no") for user in users]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        click.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False)) + "  " + row[4])


@user_cli.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable an account; its tokens stop working at once."""
    changed = _write(set_active, username, False)
    click.echo(f"user {username} disabled" if changed else f"user {username} was already disabled")


@user_cli.command("enable")
@click.argument("username")
def user_enable(username: str) -> None:
    """Enable a disabled account again (it logs in anew: its old tokens stay invalid)."""
    changed = _write(set_active, username, True)
    click.echo(f"user {username} enabled" if changed else f"user {username} was already enabled")


@user_cli.command("passwd")
@click.argument("username")
def user_passwd(username: str) -> None:
    """Set a new password from stdin (first line; a second identical line confirms it); old tokens stop working."""
    password = _password_from_stdin()
    _write(set_password, username, password)
    click.echo(f"password of {username} changed; its earlier logins have ended")


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
