"""Socket.IO ``subscribe``: the client joins its audience's rooms, gets a snapshot, then every event of
its stream in seq order (events are emitted by the bus after each commit).

    subscribe {"site", "display"?, "token"?, "ticket"?, "kiosk"?, "after"?, "batch"?, "request"?}

Without ``token`` the stream is the public one (what a lobby shows); a staff token gives the staff
stream (ids, clerks, printers, screens); each has its own gapless seq. ``ticket`` (its id) adds the
``ticket`` events of that ticket; ``kiosk`` adds that kiosk's ``printer`` and ``print_job`` events.
``batch: true`` streams the audience's events as one ``events`` frame per commit (``server.publisher``).
``request`` (a whole number the client counts its subscribes by) comes back in the snapshot: a client that
subscribed again meanwhile knows the answer to an earlier subscribe and drops it."""

from __future__ import annotations

from flask import current_app, request
from flask_socketio import SocketIO, join_room, leave_room, rooms

from server.auth import actor_from_token
from server.domain.access import check_site
from server.domain.errors import DomainError, NotFound
from server.publisher import ROOM_PREFIXES, batch_room, kiosk_room, public_room, staff_room, ticket_room
from server.staff_sessions import staff_sessions
from server.validation import fields
from server.wiring import hall

SUBSCRIBE_FIELDS = {"display": str, "token": str, "ticket": str, "kiosk": str, "after": int, "batch": bool,
                    "request": int}


def subscribe(socketio: SocketIO, data: object) -> dict:
    try:
        message = fields(data, required={"site": str}, optional=SUBSCRIBE_FIELDS)
        services = hall()
        site = services.site(message["site"])
        if message.get("display") is not None and site.display(message["display"]) is None:
            raise NotFound("display", message["display"])
        kiosk_id = message.get("kiosk")
        if kiosk_id is not None and site.kiosk(kiosk_id) is None:
            raise NotFound("kiosk", kiosk_id)
        staff = message.get("token") is not None
        if staff:
            check_site(actor_from_token(message["token"]), site.id)
        ticket = services.queries.ticket_fields(site.id, message["ticket"]) if message.get("ticket") else None
    except DomainError as error:
        socketio.emit("subscribe_error", error.payload(), to=request.sid)
        return error.payload()
    for room in rooms():
        if room.startswith(ROOM_PREFIXES):
            leave_room(room)
    # Join first, then read: an event committed in between reaches the client twice at worst
    # (once live, once in the snapshot) and the client drops what its snapshot seq already covers.
    stream_room = (batch_room(site.id, staff) if message.get("batch")
                   else staff_room(site.id) if staff else public_room(site.id))
    join_room(stream_room)
    if staff:  # checked again while it lasts (server.staff_sessions)
        staff_sessions(current_app).add(request.sid, site.id, message["token"], (stream_room,))
    else:
        staff_sessions(current_app).drop(request.sid)
    if ticket is not None:
        join_room(ticket_room(ticket["id"]))
        ticket = services.queries.ticket_fields(site.id, ticket["id"])
    if kiosk_id is not None:
        join_room(kiosk_room(site.id, kiosk_id))
    snapshot = services.queries.snapshot(site.id, message.get("after"), staff=staff)
    if ticket is not None:
        snapshot["ticket"] = ticket
    if kiosk_id is not None:
        snapshot["printer"] = services.printer_state(site.id, kiosk_id)
    if message.get("request") is not None:
        snapshot["request"] = message["request"]
    socketio.emit("snapshot", snapshot, to=request.sid)
    return {"ok": True, "seq": snapshot["seq"], "audience": snapshot["audience"]}


def register_events(socketio: SocketIO) -> None:
    """Attach the handlers to the app's Socket.IO server."""
    socketio.on_event("subscribe", lambda data=None: subscribe(socketio, data))

