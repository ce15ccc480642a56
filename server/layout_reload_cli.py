"""``flask --app server layout reload``: validate the layout file (HALL_LAYOUT) and switch every running
server process to it, through Redis; print what each process did. Exit 0 when every process serves the
file's layout, 1 when the file is refused (the running layout stays) or a process did not switch, 2 when
no process could be asked (no HALL_REDIS_URL, or none listening)."""

from __future__ import annotations

import json
import time
import uuid

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from layout.cli import layout_cli
from layout.loader import LayoutError, load_layout
from server.layout_reload import counts, fingerprint, reloader

STAYS = "布局有误，运行中的布局保持不变 / the running layout stays"


@click.command("reload")
@click.option("--wait", "wait_seconds", type=float, default=10.0, show_default=True,
              help="How long to wait for the server processes' answers, in seconds.")
@with_appcontext
def reload_command(wait_seconds: float) -> None:
    """重新加载布局 Check the layout file and switch every running server process to it."""
    path = current_app.config["LAYOUT"]
    try:
        layout = load_layout(path)
    except LayoutError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(error.problems)} problems: {STAYS}", err=True)
        raise SystemExit(1) from None
    wanted = fingerprint(layout)
    click.echo(f"OK: {counts(layout)} in {path} (layout {wanted})")
    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        click.echo("HALL_REDIS_URL is not set, so the server processes cannot be asked from here: reload "
                   "each with `systemctl reload yichuang@PORT` (SIGHUP)", err=True)
        raise SystemExit(2)
    replies, asked = _ask(redis_url, reloader(current_app), wanted, wait_seconds)
    if asked == 0:
        click.echo("no server process listens on this Redis: nothing was reloaded", err=True)
        raise SystemExit(2)
    for reply in sorted(replies, key=lambda reply: reply["pid"]):
        _report(reply)
    serving = sum(1 for reply in replies if reply["ok"] and reply["fingerprint"] == wanted)
    if len(replies) < asked:
        click.echo(f"{asked - len(replies)} of {asked} processes did not answer within {wait_seconds:g} s",
                   err=True)
    click.echo(f"{serving} of {asked} server processes serve layout {wanted}")
    raise SystemExit(0 if serving == asked else 1)


def _ask(redis_url: str, channels, wanted: str, wait_seconds: float) -> tuple[list[dict], int]:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channels.replies)
    request = uuid.uuid4().hex
    message = {"request": request, "origin": "cli", "fingerprint": wanted, "reply": True}
    asked = client.publish(channels.requests, json.dumps(message))
    replies: list[dict] = []
    deadline = time.monotonic() + wait_seconds
    while len(replies) < asked and (remaining := deadline - time.monotonic()) > 0:
        message = pubsub.get_message(timeout=min(remaining, 1.0))
        if message is None:
            continue
        reply = json.loads(message["data"])
        if reply.get("request") == request:
            replies.append(reply)
    pubsub.close()
    return replies, asked


def _report(reply: dict) -> None:
    pid, layout = reply["pid"], reply["fingerprint"]
    if not reply["ok"]:
        click.echo(f"process {pid}: refused the file ({len(reply['problems'])} problems); its running layout "
                   f"{layout} stays", err=True)
        for problem in reply["problems"]:
            click.echo(f"  {problem}", err=True)
        return
    click.echo(f"process {pid}: {'switched to' if reply['changed'] else 'already served'} layout {layout} "
               f"({reply['counts']})")
    for note in reply["restart_needed"]:
        click.echo(f"  restart needed: {note}")


def register(app: Flask) -> None:
    """Add ``reload`` to the ``layout`` command group (``layout check`` lives in layout/, which knows no
    server)."""
    layout_cli.add_command(reload_command)
