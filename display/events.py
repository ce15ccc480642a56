"""Socket.IO handlers of the screens: ``screen_status`` (is the sound playing?) and ``disconnect``.

A screen reports its audio after every (re)connect and whenever it changes; the registry keeps one
entry per connection, and a ``screen`` event is announced to the site when a display's state
changes, so the counter pages can warn the clerks of a muted or unplugged TV.

    screen_status {"site", "display", "kind"?: lobby|window, "audio": ok|blocked|no_voice, "token"}

``token`` is the screen's device token (server/device_tokens.py: a lobby display's ``<site>/display/<id>``,
a window screen's ``<site>/window/<id>``; its page reads it from its address, ``#token=…``). Without one the
report is refused (``screen_status_error`` ``token_required``; a wrong one ``invalid_token``): only the
screen itself may say it is muted, playing or there. Watching the calls needs no token (``subscribe``).
Reports are throttled per connection and per display (display/screens.py: ``too_many_reports``).
"""

from __future__ import annotations

import logging

from flask import request
from flask_socketio import SocketIO

from display.screens import AUDIO_STATES, SCREEN_KINDS, ScreenKey, ScreenState, screen_registry
from server.device_tokens import require_token
from server.domain.commands import RecordScreenState
from server.domain.errors import BadRequest, DomainError, NotFound
from server.extensions import socketio
from server.validation import fields
from server.wiring import hall

log = logging.getLogger(__name__)


def parse_status(data: object) -> tuple[ScreenKey, str]:
    """The screen and its audio state from a ``screen_status`` message, checked against the layout."""
    message = fields(data, required={"site": str, "display": str, "audio": str},
                     optional={"kind": str, "token": str})
    site_id, display_id, audio = message["site"], message["display"], message["audio"]
    kind = message.get("kind") or "lobby"
    if kind not in SCREEN_KINDS:
        raise BadRequest("invalid_field", f"kind 只能是 {' / '.join(SCREEN_KINDS)} / unknown kind {kind!r}")
    if audio not in AUDIO_STATES:
        raise BadRequest("invalid_field", f"audio 只能是 {' / '.join(AUDIO_STATES)} / unknown audio {audio!r}")
    site = hall().site(site_id)
    if kind == "lobby" and site.display(display_id) is None:
        raise NotFound("display", display_id)
    if kind == "window" and site.window(display_id) is None:
        raise NotFound("window", display_id)
    require_token(site.id, "display" if kind == "lobby" else "window", display_id, message.get("token"))
    return ScreenKey(site.id, kind, display_id), audio


def _announce(changes: list[ScreenState]) -> None:
    services = hall()
    for state in changes:
        try:
            services.handle(RecordScreenState(state.key.site, state.key.display, state.key.kind, state.audio,
                                              state.connected))
        except Exception:
            # The registry is right either way; announce again at the screen's next report.
            log.exception("announcing screen %s failed", state.key)
            screen_registry().forget(state)


def screen_status(data: object = None) -> dict:
    try:
        key, audio = parse_status(data)
        changes = screen_registry().report(request.sid, key, audio, request.remote_addr)
    except DomainError as error:
        socketio.emit("screen_status_error", error.payload(), to=request.sid)
        return error.payload()
    _announce(changes)
    return {"ok": True}


def screen_disconnected(reason: object = None) -> None:
    _announce(screen_registry().drop(request.sid))


def register_events(socketio: SocketIO) -> None:
    """Attach the handlers to the app's Socket.IO server."""
    socketio.on_event("screen_status", screen_status)
    socketio.on_event("disconnect", screen_disconnected)
