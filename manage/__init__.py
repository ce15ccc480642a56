"""Hall management (大厅管理): the manager's API and pages — statistics and their exports now; the live
board, alerts and elastic windows build on the same blueprints. ``register(app)`` is called by the
composition root."""

from __future__ import annotations

from flask import Blueprint, Flask

api = Blueprint("manage_api", __name__, url_prefix="/api/v1")

from manage import alerts_api, monitor_api, stats_api  # noqa: E402,F401  (attach the routes to the blueprint)


def register(app: Flask) -> None:
    app.register_blueprint(api)
