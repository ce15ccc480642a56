"""The kiosk: the touch page, the phone status page, ticket printing (direct and through a print
agent) and printer health. ``register(app, hall)`` is called by the composition root."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_socketio import SocketIO

from server.wiring import HallServices

pages = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/static/kiosk")
api = Blueprint("kiosk_api", __name__, url_prefix="/api/v1")

from kiosk import booking, document_print, print_api, routes  # noqa: E402,F401  (attach the routes to the blueprints)
from kiosk.events import register_agent_events, require_agent_tokens  # noqa: E402
from kiosk.startup import wire_print_services  # noqa: E402


def register(app: Flask, socketio: SocketIO, hall: HallServices) -> None:
    app.register_blueprint(pages)
    app.register_blueprint(api)
    register_agent_events(socketio)
    wire_print_services(app, hall)
    # At start, not here: `flask --app server devices tokens` builds the app to make the missing tokens.
    hall.started.insert(0, lambda: require_agent_tokens(app))
