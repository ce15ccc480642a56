"""Yichuang (一窗) server: ``create_app`` builds the Flask app with its API, pages and Socket.IO."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from server.config import ROOT, from_environment
from server.cpu import set_async_mode
from server.extensions import limiter, socketio
from server.message_queue import HallRedisManager, quick_failing_options


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.update(from_environment(Path(app.instance_path)))
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    set_async_mode(app.config["ASYNC_MODE"])
    queue = {"client_manager": HallRedisManager(app.config["REDIS_URL"])} if app.config["REDIS_URL"] else {}
    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"], cors_allowed_origins=app.config.get("CORS_ORIGINS"),
                      ping_interval=10, ping_timeout=10, json=app.json, **queue)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    # Redis down or frozen must not stop the kiosks: count in memory until it answers again. A limiter
    # failure costs two storage calls, and the LAN answers in well under a millisecond.
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", quick_failing_options(0.25))
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    if app.config.get("PROXY_HOPS"):
        # Outside the Socket.IO middleware, so it and Flask both see the client's address and scheme.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

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
