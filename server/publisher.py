"""The screens' fan-out: each committed event goes to the rooms of its audiences (see
``server.domain.events``). It runs as the bus's announcer, in commit order.

A subscriber that asked for ``batch`` (the hall's own screens) is in its audience's batch room instead and gets
one ``events`` frame per commit, ``{"seq": first, "last": last, "events": [[name, payload], …]}``, each payload
exactly as its own event would carry it: a call that is three events (``called``, ``waiting``, ``window``)
costs each such screen one WebSocket frame instead of three."""

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


def batch_room(site: str, staff: bool) -> str:
    """Numbered like its audience's room (the prefix): server.message_queue orders its frames by seq too."""
    return f"{staff_room(site) if staff else public_room(site)}:batch"


ROOM_PREFIXES = ("site:", "staff:", "ticket:", "kiosk:")
BATCH_EVENT = "events"


class SocketPublisher:
    def __init__(self, socketio: SocketIO) -> None:
        self._socketio = socketio
        # Per site, the payloads of the commit being announced (a site's commits are announced one at a
        # time, in its serial section): staff (False) and public (True).
        self._batches: dict[str, dict[bool, list]] = {}

    def commit(self, site: str) -> None:
        """After the announcements of one commit: its events as one frame to each batch room."""
        for public, events in self._batches.pop(site, {}).items():
            if events:
                self._socketio.emit(BATCH_EVENT, {"seq": events[0][1]["seq"], "last": events[-1][1]["seq"],
                                                  "events": [list(event) for event in events]},
                                    to=batch_room(site, staff=not public))

    def __call__(self, event: Event) -> None:
        emit = self._socketio.emit
        if isinstance(event, TicketChanged):
            emit("ticket", {"ticket": event.ticket}, to=ticket_room(event.ticket["id"]))
            return
        if event.kind is None:
            return
        payload = event.payload()
        emit(event.kind, payload, to=staff_room(event.site))
        batch = self._batches.setdefault(event.site, {False: [], True: []})
        batch[False].append((event.kind, payload))
        if event.public:
            view = event.public_view()
            emit(event.kind, view, to=public_room(event.site))
            batch[True].append((event.kind, view))
        if isinstance(event, PrintJobChanged | PrinterStateChanged):
            fields = _KIOSK_FIELDS[event.kind]
            emit(event.kind, {key: payload[key] for key in fields}, to=kiosk_room(event.site, event.kiosk))
