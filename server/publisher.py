"""The screens' fan-out: each committed event goes to the rooms of its audiences (see
``server.domain.events``). It runs as the bus's announcer, in commit order."""

from __future__ import annotations

from flask_socketio import SocketIO

from server.domain.events import Event, PrinterStateChanged, PrintJobChanged, TicketChanged

# What a kiosk page hears of its own printer and print jobs (no ticket id: the room is not a secret).
_KIOSK_FIELDS = {"print_job": ("site", "kiosk", "job", "ticket", "status", "reason"),
                 "printer": ("site", "kiosk", "state", "detail", "at")}


def public_room(site: str) -> str:
    return f"site:{site}"


def staff_room(site: str) -> str:
    return f"staff:{site}"


def ticket_room(ticket_id: str) -> str:
    return f"ticket:{ticket_id}"


def kiosk_room(site: str, kiosk: str) -> str:
    return f"kiosk:{site}:{kiosk}"


ROOM_PREFIXES = ("site:", "staff:", "ticket:", "kiosk:")


class SocketPublisher:
    def __init__(self, socketio: SocketIO) -> None:
        self._socketio = socketio

    def __call__(self, event: Event) -> None:
        emit = self._socketio.emit
        if isinstance(event, TicketChanged):
            emit("ticket", {"ticket": event.ticket}, to=ticket_room(event.ticket["id"]))
            return
        if event.kind is None:
            return
        payload = event.payload()
        emit(event.kind, payload, to=staff_room(event.site))
        if event.public:
            emit(event.kind, event.public_view(), to=public_room(event.site))
        if isinstance(event, PrintJobChanged | PrinterStateChanged):
            fields = _KIOSK_FIELDS[event.kind]
            emit(event.kind, {key: payload[key] for key in fields}, to=kiosk_room(event.site, event.kiosk))
