"""The one place that wires the hall: layout, database, publisher, printing."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask, has_request_context, request

from layout.loader import load_layout
from layout.model import Layout
from server.db import Database
from server.hall import Event, Hall
from server.schema import upgrade

log = logging.getLogger(__name__)
_boot_lock = threading.Lock()


@dataclass
class Wiring:
    layout: Layout
    db: Database
    hall: Hall
    extras: dict = field(default_factory=dict)  # printing service, screen registry, metrics…


def database(app: Flask) -> Database:
    """The app's database with its schema brought up to date (the CLI needs only this)."""
    with _boot_lock:
        db = app.extensions.get("hall_db")
        if db is None:
            db = Database(app.config["DATABASE_URL"])
            upgrade(db.engine)
            app.extensions["hall_db"] = db
        return db


def socket_publisher(site_id: str, events: list[Event]) -> None:
    from server.extensions import socketio

    for kind, payload in events:
        socketio.emit(kind, payload, to=f"site:{site_id}")


def public_url(app: Flask, path: str) -> str:
    """An absolute URL for phones (the ticket QR): HALL_PUBLIC_URL, else the host the request came to."""
    base = app.config.get("PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    return f"{base.rstrip('/')}{path}" if base else path


def boot(app: Flask) -> Wiring:
    wiring = app.extensions.get("hall_wiring")
    if wiring is not None:
        return wiring
    db = database(app)
    with _boot_lock:
        wiring = app.extensions.get("hall_wiring")
        if wiring is not None:
            return wiring
        layout = app.config.get("LAYOUT_OBJECT") or load_layout(app.config["LAYOUT"])
        hall = Hall(layout=layout, db=db, publish=app.config.get("PUBLISHER") or socket_publisher,
                    ignore_hours=app.config["IGNORE_HOURS"])
        hall.status_url = lambda ticket_id: public_url(app, f"/t/{ticket_id}")
        if app.config.get("CLOCK") is not None:
            hall.clock = app.config["CLOCK"]
        wiring = Wiring(layout=layout, db=db, hall=hall)
        for hook in app.extensions.get("hall_boot_hooks", []):
            hook(app, wiring)
        app.extensions["hall_wiring"] = wiring
        log.info("hall ready: %d sites from %s", len(layout.sites), app.config["LAYOUT"])
        return wiring


def on_boot(app: Flask, hook) -> None:
    """Register ``hook(app, wiring)`` to run once when the hall is wired (printing, monitors…)."""
    app.extensions.setdefault("hall_boot_hooks", []).append(hook)
