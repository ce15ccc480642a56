"""The rating pad (评价器) at a window, facing the citizen: ``/rate/<site>/<window>#token=…`` (its line of
``flask --app server devices tokens``). The page joins the window's pad room with its device token
(``pad_subscribe {"site", "window", "token"}`` → ``pad_snapshot``, or ``pad_error``), shows the window and
clerk while idle, the form of each ticket the window finishes (``rate``), and rates with that token
(``POST /api/v1/tickets/<id>/rating``, channel ``pad``)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request
from flask_socketio import join_room, leave_room, rooms

from server import store
from server.device_tokens import require_token
from server.domain.errors import DomainError, NotFound
from server.domain.ratings import PAD_SECONDS, form_of
from server.extensions import socketio
from server.rating_rooms import RatingRooms, offer, pad_room
from server.rating_store import SqlRatingStore
from server.validation import fields
from server.wiring import hall

pages = Blueprint("pad", __name__, template_folder="templates")
THANKS_SECONDS = 6


@pages.errorhandler(NotFound)
def not_found(error: NotFound):
    return render_template("counter/problem.html", title="找不到页面", status=404, message=error.message), 404


@pages.get("/rate/<site_id>/<window_id>")
def pad_page(site_id: str, window_id: str):
    site = hall().site(site_id)
    window = hall().context.window(site, window_id)
    config = {"site": site.id, "site_name": site.name, "window": window.id, "window_number": window.number,
              "window_name": window.name, "api": "/api/v1", "form": form_of(site).view(),
              "rate_seconds": PAD_SECONDS, "thanks_seconds": THANKS_SECONDS}
    return render_template("counter/pad.html", site=site, window=window, config=config)


def pad_snapshot(site_id: str, window_id: str) -> dict:
    services = hall()
    site = services.site(site_id)
    services.context.window(site, window_id)
    since = services.context.now() - dt.timedelta(seconds=PAD_SECONDS)
    with services.db.read() as session:
        state = store.window_state(session, site.id, window_id)
        pending = SqlRatingStore(session).pending_for_pad(site.id, window_id, since)
        offered = offer(site, pending, services.context.now()) if pending is not None else None
        state_now = "closed" if state.day != services.context.today(site) else state.state
        clerk = state.clerk_id if state_now != "closed" else None
    name = RatingRooms(socketio, services.db, services.context).clerk_name(clerk)
    return {"window": window_id, "state": state_now, "clerk_name": name, "pending": offered,
            "form": form_of(site).view()}


def subscribe_pad(data: object) -> dict:
    try:
        message = fields(data, required={"site": str, "window": str}, optional={"token": str})
        site = hall().site(message["site"])
        hall().context.window(site, message["window"])
        require_token(site.id, "pad", message["window"], message.get("token"))
        for room in rooms():
            if room.startswith("pad:"):
                leave_room(room)
        join_room(pad_room(site.id, message["window"]))  # first: a finish meanwhile reaches it, or the snapshot
        snapshot = pad_snapshot(site.id, message["window"])
    except DomainError as error:
        socketio.emit("pad_error", error.payload(), to=request.sid)
        return error.payload()
    socketio.emit("pad_snapshot", snapshot, to=request.sid)
    return {"ok": True}


def register(app) -> None:
    app.register_blueprint(pages)
    socketio.on_event("pad_subscribe", lambda data=None: subscribe_pad(data))
