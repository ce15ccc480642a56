"""``flask --app server devices tokens`` and ``devices rotate``: the device tokens of the layout's kiosks,
print agents, lobby displays and window screens (see ``server.device_tokens``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from server.device_tokens import KINDS, device_key, devices, issue_missing, rotate
from server.wiring import hall

devices_cli = AppGroup("devices", help="Tokens of the kiosks, print agents and screens.")


def _base_url(url: str | None) -> str:
    return (url or current_app.config.get("PUBLIC_URL") or "http://SERVER").rstrip("/")


def device_lines(tokens: dict[str, str], base: str, site: str | None = None) -> list[str]:
    """One line per device: what to open (or, for a print agent, what to put in its environment file)."""
    lines = []
    for device in devices(hall(current_app).layout):
        if site is not None and device.site != site:
            continue
        token = tokens[device.key]
        lines.append(f"{device.key:<28} {base}{device.page}#token={token}   {device.name}")
        if device.agent:
            lines.append(f"{device.key:<28} AGENT_TOKEN={token}   "
                         f"(its print agent: /etc/yichuang/agent-{device.id}.env)")
    return lines


@devices_cli.command("tokens")
@click.option("--site", default=None, help="only the devices of this site")
@click.option("--url", default=None, help="the hall's address in the lines printed (default HALL_PUBLIC_URL)")
def tokens_command(site: str | None, url: str | None) -> None:
    """Make the missing tokens and print every device's address with its token."""
    path = Path(current_app.config["DEVICE_TOKENS_FILE"])
    tokens = issue_missing(hall(current_app).layout, path)
    click.echo(f"# {path} (the server processes read it again within a second of a change)")
    for line in device_lines(tokens, _base_url(url), site):
        click.echo(line)


@devices_cli.command("rotate")
@click.argument("device")
@click.option("--url", default=None, help="the hall's address in the line printed (default HALL_PUBLIC_URL)")
def rotate_command(device: str, url: str | None) -> None:
    """Replace the token of DEVICE (site/kind/id, e.g. county/kiosk/k2); the servers take it within a second."""
    known = {item.key: item for item in devices(hall(current_app).layout)}
    if device not in known:
        parts = device.split("/")
        hint = f" (kind is one of {', '.join(KINDS)})" if len(parts) == 3 and parts[1] not in KINDS else ""
        raise click.ClickException(f"no device {device!r} in the layout{hint}; e.g. "
                                   f"{device_key('county', 'kiosk', 'k2')}")
    path = Path(current_app.config["DEVICE_TOKENS_FILE"])
    token = rotate(path, device)
    item = known[device]
    click.echo(f"{device}: new token (the servers take it within a second); open {_base_url(url)}{item.page}"
               f"#token={token}")
    if item.agent:
        click.echo(f"print agent: AGENT_TOKEN={token}")
