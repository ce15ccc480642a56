"""What follows a case's move after its commit, wired by the composition root with one call: the holder's
tracking page hears it (Socket.IO room ``case:<id>``, joined with ``subscribe_case {"case": id}``), and
when the result is ready the applicant is told (``server.notifier``), off the request's thread."""

from __future__ import annotations

import logging

from flask import Flask, request
from flask_socketio import SocketIO, join_room

from server.domain.cases import READY, CaseMoved
from server.domain.errors import DomainError
from server.notifier import Notice, Notifier, notifier_from, ready_text
from server.service_layer.case_queries import CaseQueries
from server.service_layer.case_views import pickup_queue
from server.service_layer.views import where
from server.validation import fields
from server.wiring import HallServices

log = logging.getLogger(__name__)
NOTIFIER_EXTENSION = "yichuang.notifier"


def case_room(case_id: str) -> str:
    return f"case:{case_id}"


class CaseReactions:
    def __init__(self, socketio: SocketIO, services: HallServices, notifier: Notifier, public_url) -> None:
        self._socketio, self._services, self.notifier, self._public_url = socketio, services, notifier, public_url
        self.queries = CaseQueries(services.db, services.context)

    def __call__(self, event: CaseMoved) -> None:
        # The room's name is the secret: the payload carries no id, name or phone.
        self._socketio.emit("case", {"number": event.number, "status": event.status}, to=case_room(event.case_id))
        if event.status == READY:
            url = self._public_url(f"/c/{event.case_id}")  # while the request's host is known
            self._socketio.start_background_task(self.notify_ready, event.case_id, url)

    def notify_ready(self, case_id: str, url: str) -> bool:
        try:
            found = self.queries.phone(case_id)
            if found is None:
                return False
            site_id, number, phone = found
            site = self._services.site(site_id)
            view = self.queries.holder(case_id)
            queue = pickup_queue(site)
            place = where(site, queue.id)[0]["text"] if queue is not None and where(site, queue.id) else ""
            return self.notifier.send(Notice(phone, number, ready_text(site.name, number, view["service_name"], place),
                                             url))
        except Exception:
            log.exception("the ready notice of a case failed")
            return False


def subscribe_case(socketio: SocketIO, services: HallServices, data: object) -> dict:
    try:
        message = fields(data, required={"case": str})
        view = CaseQueries(services.db, services.context).holder(message["case"])
    except DomainError as error:
        socketio.emit("subscribe_error", error.payload(), to=request.sid)
        return error.payload()
    join_room(case_room(message["case"]))
    socketio.emit("case_snapshot", view, to=request.sid)
    return {"ok": True}


def register(app: Flask, socketio: SocketIO, services: HallServices, public_url) -> CaseReactions:
    notifier = app.config.get("NOTIFIER") or notifier_from(app.config)
    reactions = CaseReactions(socketio, services, notifier, lambda path: public_url(app, path))
    services.bus.subscribe(CaseMoved, reactions)
    app.extensions[NOTIFIER_EXTENSION] = reactions
    socketio.on_event("subscribe_case", lambda data=None: subscribe_case(socketio, services, data))
    return reactions
