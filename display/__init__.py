"""Display: the lobby TV (大厅综合屏) and the window screens (窗口屏), their Socket.IO handlers and
the registry of connected screens."""

from __future__ import annotations

from flask import Flask

# The server is imported inside the functions so that display.voice (the voice pack tools) stays
# importable on its own.


def register(app: Flask) -> None:
    from display.events import register_events
    from display.routes import api, pages
    from server.bootstrap import on_boot

    app.register_blueprint(pages)
    app.register_blueprint(api)
    register_events()
    on_boot(app, _start_registry)


def _start_registry(app: Flask, wiring) -> None:
    from display.screens import ScreenRegistry

    wiring.extras.setdefault("screens", ScreenRegistry())


def connected_screens(app: Flask) -> list[dict]:
    """Every screen connected to this server process: sid, site, kind, display, audio, since, address."""
    from display.events import connected_screens as listed

    return listed(app)
