"""The display package as the composition root wires it: pages, the screens' API, their Socket.IO
handlers and the registry of connected screens."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from display.events import register_events
from display.routes import api, pages
from display.screens import EXTENSION, ScreenRegistry
from server.wiring import HallServices


def register(app: Flask, socketio: SocketIO, hall: HallServices) -> None:
    registry = ScreenRegistry()
    app.extensions[EXTENSION] = registry
    hall.connected_screens = registry.screens
    app.register_blueprint(pages)
    app.register_blueprint(api)
    register_events(socketio)
