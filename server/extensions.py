"""Process-wide objects: Socket.IO, the rate limiter, and the wired hall of the current app."""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import SocketIO

socketio = SocketIO()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def hall():
    """The hall of the running app (built once by ``server.bootstrap.boot``)."""
    from server.bootstrap import boot

    return boot(current_app).hall
