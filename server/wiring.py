"""The hall's services as the composition root (``server.app.create_app``) wired them, and the typed
accessor every route and Socket.IO handler uses to reach them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from layout.model import Layout, Site
from server.db import Database
from server.domain.commands import Command
from server.service_layer.context import HallContext
from server.service_layer.messagebus import MessageBus
from server.service_layer.queries import HallQueries

EXTENSION = "yichuang.hall"


def _no_printer(site: str, kiosk: str) -> dict | None:
    return None


def _no_screens(site: str | None = None) -> list[dict]:
    return []


@dataclass
class HallServices:
    db: Database
    context: HallContext
    bus: MessageBus
    queries: HallQueries
    # What the screen packages know and the server asks about (filled in by the composition root).
    printer_state: Callable[[str, str], dict | None] = field(default=_no_printer)
    connected_screens: Callable[..., list[dict]] = field(default=_no_screens)
    event_counts: Callable[[], dict[str, int]] = field(default=dict)
    started: list[Callable[[], None]] = field(default_factory=list)
    stopped: list[Callable[[], None]] = field(default_factory=list)

    @property
    def layout(self) -> Layout:
        """The running layout: the context's, so that a reload (server.layout_reload) switches both at once."""
        return self.context.layout

    def site(self, site_id: str) -> Site:
        return self.context.site(site_id)

    def handle(self, command: Command) -> Any:
        return self.bus.handle(command)


def hall(app: Flask | None = None) -> HallServices:
    """The hall of ``app`` (default: the running app)."""
    return (app or current_app).extensions[EXTENSION]
