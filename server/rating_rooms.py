"""Where 好差评 is heard live, fed after the commit: the window's pad room ``pad:<site>:<window>`` (a pad joins it
with its device token) gets ``rate`` when the window finishes a ticket with an outcome — within the second, the
pad shows that ticket's form — ``pad_window`` when the window's state or clerk changes, and ``rated`` when the
ticket it offers was rated (on the phone first, say); the ticket's own room (its holder's phone) gets ``rated``.
Nothing here rewrites the finish: it reacts to the events the commit announced."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from flask_socketio import SocketIO
from sqlalchemy import select

from server.db import Database
from server.domain.events import TicketChanged, WindowChanged
from server.domain.ratings import PAD_SECONDS, TicketRated, form_of
from server.models import Ticket, User
from server.publisher import ticket_room
from server.service_layer.context import HallContext, iso


def pad_room(site: str, window: str) -> str:
    return f"pad:{site}:{window}"


class Served(NamedTuple):
    """What a pad's form names of a ticket just served (a ``Ticket`` row has the same attributes)."""

    id: str
    number: str
    service: str
    window: str
    finished_at: dt.datetime | None


def offer(site, ticket: Ticket | Served, now: dt.datetime) -> dict:
    """What a pad shows for a ticket just served (the pad is that window's device: it may hold the id);
    ``seconds``: how long the form stays, counted by the server's clock (a pad's own may be off)."""
    service = site.service(ticket.service)
    elapsed = (now - ticket.finished_at).total_seconds() if ticket.finished_at else 0
    return {"ticket": ticket.id, "number": ticket.number, "service": ticket.service,
            "service_name": service.name if service else ticket.service, "window": ticket.window,
            "finished_at": iso(ticket.finished_at), "seconds": max(0, int(PAD_SECONDS - max(0, elapsed))),
            "form": form_of(site).view()}


class RatingRooms:
    def __init__(self, socketio: SocketIO, db: Database, context: HallContext) -> None:
        self._socketio, self._db, self._context = socketio, db, context
        self._clerks: dict[int, str] = {}  # account id → name, for the pads' idle screen

    def clerk_name(self, clerk_id: int | None) -> str | None:
        if clerk_id is None:
            return None
        if clerk_id not in self._clerks:
            with self._db.read() as session:
                name = session.scalar(select(User.username).where(User.id == clerk_id))
            if name is None:
                return None
            self._clerks[clerk_id] = name
        return self._clerks[clerk_id]

    def finished(self, event: TicketChanged) -> None:
        fields = event.ticket
        if event.action != "finish" or not fields.get("outcome") or not fields.get("window"):
            return
        site = self._context.site(event.site)
        finished_at = fields["finished_at"]
        served = Served(fields["id"], fields["number"], event.service, fields["window"],
                        dt.datetime.fromisoformat(finished_at).replace(tzinfo=None) if finished_at else None)
        payload = offer(site, served, self._context.now())  # from the event: no read of the ticket
        self._socketio.emit("rate", payload, to=pad_room(event.site, fields["window"]))

    def window_changed(self, event: WindowChanged) -> None:
        self._socketio.emit("pad_window", {"window": event.window, "state": event.state,
                                           "clerk_name": self.clerk_name(event.clerk)},
                            to=pad_room(event.site, event.window))

    def rated(self, event: TicketRated) -> None:
        payload = {"ticket": event.ticket_id, "level": event.level, "channel": event.channel, "at": event.at}
        self._socketio.emit("rated", payload, to=ticket_room(event.ticket_id))
        if event.window:
            self._socketio.emit("rated", payload, to=pad_room(event.site, event.window))


def wire_rating_rooms(bus, socketio: SocketIO, db: Database, context: HallContext) -> RatingRooms:
    rooms = RatingRooms(socketio, db, context)
    bus.subscribe(TicketChanged, rooms.finished)
    bus.subscribe(WindowChanged, rooms.window_changed)
    bus.subscribe(TicketRated, rooms.rated)
    return rooms
