"""Process-wide objects: Socket.IO and the rate limiter (``create_app`` initialises them)."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import SocketIO

socketio = SocketIO()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
