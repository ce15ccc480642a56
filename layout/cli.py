"""``flask layout check PATH``: validate a layout file before a hall runs on it."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from layout.loader import LayoutError, load_layout

layout_cli = AppGroup("layout", help="大厅布局 Hall layout files.")


# The check reads only the file, so it needs no app context (and no database) to run.
@layout_cli.command("check", with_appcontext=False)
@click.argument("path", type=click.Path(path_type=Path))
def check_command(path: Path) -> None:
    """校验布局文件 Check the layout file PATH; print every problem found."""
    try:
        layout = load_layout(path)
    except LayoutError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    services = sum(len(site.services) for site in layout.sites)
    windows = sum(len(site.windows) for site in layout.sites)
    click.echo(f"OK: {len(layout.sites)} sites, {services} services, {windows} windows")


def register_layout_cli(app: Flask) -> None:
    """Add the ``layout`` command group to ``app``'s ``flask`` command."""
    app.cli.add_command(layout_cli)
