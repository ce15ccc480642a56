"""The kiosk: the touch page, the phone status page, ticket printing (direct and through a print
agent) and printer health. ``register(app)`` is called by ``create_app``."""

from __future__ import annotations

from flask import Blueprint, Flask

pages = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/static/kiosk")
api = Blueprint("kiosk_api", __name__, url_prefix="/api/v1")

from kiosk import print_api, routes  # noqa: E402,F401  (attach the routes to the blueprints)


def register(app: Flask) -> None:
    from kiosk.events import register_agent_events
    from kiosk.startup import start_print_services
    from server.bootstrap import on_boot

    app.register_blueprint(pages)
    app.register_blueprint(api)
    register_agent_events()
    on_boot(app, start_print_services)
