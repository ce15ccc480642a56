"""Yichuang (一窗) server: ``create_app`` builds the Flask app with its API, pages and Socket.IO."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from server.config import ROOT, from_environment
from server.cpu import set_async_mode
from server.extensions import limiter, socketio


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.update(from_environment(Path(app.instance_path)))
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    set_async_mode(app.config["ASYNC_MODE"])
    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"], message_queue=app.config["REDIS_URL"],
                      cors_allowed_origins=app.config.get("CORS_ORIGINS"), ping_interval=10, ping_timeout=10,
                      json=app.json)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    limiter.init_app(app)

    from server.api import bp as api_blueprint
    from server.api.errors import register_error_handlers
    from server.cli import register_cli
    from server.realtime import register_events

    register_events()
    app.register_blueprint(api_blueprint)
    register_error_handlers(app)
    register_cli(app)
    _register_pages(app)
    return app


def _register_pages(app: Flask) -> None:
    """The screens' blueprints, each owning its routes, templates, static files and events."""
    import importlib

    for name in ("kiosk", "counter", "display", "server.ops", "server.vendor"):
        module = importlib.import_module(name)
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
