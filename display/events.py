"""Socket.IO handlers of the screens: ``screen_status`` (is the sound playing?) and ``disconnect``.

A screen reports its audio after every (re)connect and whenever it changes; the registry keeps one
entry per connection, and a ``screen`` event is announced to the site when a display's state
changes, so the counter pages can warn the clerks of a muted or unplugged TV.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, request

from display.screens import AUDIO_STATES, SCREEN_KINDS, ScreenKey, ScreenRegistry, ScreenState
from server.bootstrap import boot
from server.extensions import socketio
from server.hall import NotFound

log = logging.getLogger(__name__)


class StatusError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    def payload(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


def registry() -> ScreenRegistry:
    return boot(current_app).extras["screens"]


def connected_screens(app: Flask) -> list[dict]:
    """Every screen connected to this server process: sid, site, kind, display, audio, since, address."""
    return boot(app).extras["screens"].screens()


def _text(data: dict, name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise StatusError("invalid_field", f"字段 {name} 应为非空字符串 / field {name!r} must be a non-empty string")
    return value


def parse_status(data: object) -> tuple[ScreenKey, str]:
    """The screen and its audio state from a ``screen_status`` message, checked against the layout."""
    if not isinstance(data, dict):
        raise StatusError("invalid_message", "screen_status 应为对象 / screen_status expects an object")
    site_id, display_id = _text(data, "site"), _text(data, "display")
    kind, audio = _text(data, "kind", "lobby"), _text(data, "audio")
    if kind not in SCREEN_KINDS:
        raise StatusError("invalid_field", f"kind 只能是 {' / '.join(SCREEN_KINDS)} / unknown kind {kind!r}")
    if audio not in AUDIO_STATES:
        raise StatusError("invalid_field", f"audio 只能是 {' / '.join(AUDIO_STATES)} / unknown audio {audio!r}")
    try:
        site = boot(current_app).hall.site(site_id)
    except NotFound as exc:
        raise StatusError("unknown_site", f"没有这个服务大厅：{site_id} / unknown site") from exc
    if kind == "lobby" and site.display(display_id) is None:
        raise StatusError("unknown_display", f"没有这块显示屏：{display_id} / unknown display")
    if kind == "window" and site.window(display_id) is None:
        raise StatusError("unknown_window", f"没有这个窗口：{display_id} / unknown window")
    return ScreenKey(site.id, kind, display_id), audio


def _announce(changes: list[ScreenState]) -> None:
    hall = boot(current_app).hall
    for state in changes:
        try:
            hall.announce(state.key.site, "screen", state.payload())
        except Exception:
            # The registry is right either way; announce again at the screen's next report.
            log.exception("announcing screen %s failed", state.key)
            registry().forget(state)


def screen_status(data: object = None) -> dict:
    try:
        key, audio = parse_status(data)
    except StatusError as error:
        socketio.emit("screen_status_error", error.payload(), to=request.sid)
        return error.payload()
    _announce(registry().report(request.sid, key, audio, request.remote_addr))
    return {"ok": True}


def screen_disconnected(reason: object = None) -> None:
    _announce(registry().drop(request.sid))


def register_events() -> None:
    """Attach the handlers to the Socket.IO server of the app being created."""
    socketio.on_event("screen_status", screen_status)
    previous = _current_handler("disconnect")
    if previous is None:
        socketio.on_event("disconnect", screen_disconnected)
        return

    # Socket.IO keeps one handler per event name: keep a handler another package registered first.
    def both(reason: object = None) -> None:
        try:
            screen_disconnected(reason)
        finally:
            try:
                previous(request.sid, reason)
            except TypeError:  # a handler written for the older one-argument form
                previous(request.sid)

    socketio.on_event("disconnect", both)


def _current_handler(event: str):
    server = socketio.server
    return None if server is None else server.handlers.get("/", {}).get(event)
