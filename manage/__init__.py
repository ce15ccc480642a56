"""Hall management (大厅管理): the manager's page (the live board, alerts, suggestions, statistics with charts
and exports) and its API (monitor, alerts, statistics). ``register(app)`` is called by the composition root."""

from __future__ import annotations

from flask import Blueprint, Flask

api = Blueprint("manage_api", __name__, url_prefix="/api/v1")

from manage import (  # noqa: E402,F401  (attach the routes to the blueprint)
    alerts_api,
    assign_api,
    monitor_api,
    rectifications_api,  # 好差评 follow-up
    stats_api,
    window_alerts_api,
)


def register(app: Flask) -> None:
    from manage.routes import pages

    app.register_blueprint(pages)
    app.register_blueprint(api)
