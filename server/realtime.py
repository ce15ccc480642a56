"""Socket.IO: ``subscribe`` answers a snapshot, then the client is in its site's room and gets every
event of the site in seq order (events are emitted by the hall after each commit)."""

from __future__ import annotations

from flask import request
from flask_socketio import join_room, leave_room, rooms

from server.extensions import hall, socketio
from server.hall import NotFound


def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def _text(data: dict, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 100:
        raise ValueError(name)
    return value


def subscribe(data):
    if not isinstance(data, dict):
        payload = _error("invalid_message", "subscribe expects an object")
        socketio.emit("subscribe_error", payload, to=request.sid)
        return payload
    try:
        site_id = _text(data, "site")
        display_id = _text(data, "display")
        if site_id is None:
            raise ValueError("site")
        after = data.get("after")
        if after is not None and (isinstance(after, bool) or not isinstance(after, int) or after < 0):
            raise ValueError("after")
    except ValueError as exc:
        payload = _error("invalid_field", f"field {exc.args[0]!r} must be a non-empty string "
                                          "('after': a seq, a whole number >= 0)")
        socketio.emit("subscribe_error", payload, to=request.sid)
        return payload
    try:
        site = hall().site(site_id)
        if display_id is not None and site.display(display_id) is None:
            raise NotFound("display", display_id)
    except NotFound as exc:
        payload = _error(f"unknown_{exc.kind}", f"unknown {exc.kind}: {exc.ident}")
        socketio.emit("subscribe_error", payload, to=request.sid)
        return payload
    for room in rooms():
        if room.startswith("site:") and room != f"site:{site.id}":
            leave_room(room)
    # Join first, then read: an event committed in between reaches the client twice at worst
    # (once live, once in the snapshot) and the client drops what its snapshot seq already covers.
    join_room(f"site:{site.id}")
    snapshot = hall().snapshot(site.id, after)
    socketio.emit("snapshot", snapshot, to=request.sid)
    return {"ok": True, "seq": snapshot["seq"]}


def register_events() -> None:
    """Attach the handlers to the Socket.IO server of the app being created (one per create_app)."""
    socketio.on_event("subscribe", subscribe)
