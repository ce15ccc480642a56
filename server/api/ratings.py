"""好差评 over HTTP: the form (GET /rating-form), a ticket's rating (POST and GET /tickets/<id>/rating) and a
clerk's own services as rated (GET /sites/<site>/my-ratings).

Who may rate: the holder of the ticket's id (``phone``), the pad of the window that served it (``pad``, its device
token in ``X-Kiosk-Token``: nobody else rates another citizen's service from a pad) or a kiosk with its token
(``kiosk``). One rating per ticket, whichever comes first."""

from __future__ import annotations

import datetime as dt

from flask import g, jsonify, request

from server.api import bp
from server.api.issuing import KIOSK_TOKEN_HEADER
from server.api.validation import json_body
from server.auth import require_window_staff
from server.device_tokens import require_token
from server.domain.errors import BadRequest, NotFound
from server.domain.ratings import NotRateable, RateTicket, form_of
from server.models import Ticket
from server.service_layer.rating_views import clerk_ratings, ticket_rating
from server.wiring import hall

MY_RATINGS_DAYS = 31


@bp.get("/rating-form")
def rating_form():
    site_id = request.args.get("site")
    return jsonify(form_of(hall().site(site_id) if site_id is not None else None).view())


def _ticket(session, ticket_id: str) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    return ticket


@bp.post("/tickets/<ticket_id>/rating")
def rate(ticket_id: str):
    body = json_body(required={"channel": str}, optional={"phone": str, "kiosk": str})  # the rest: the form's rules
    with hall().db.read() as session:
        ticket = _ticket(session, ticket_id)
        site_id, window = ticket.site, ticket.window
    channel = body["channel"]
    if channel == "pad":
        if window is None:
            raise NotRateable()
        require_token(site_id, "pad", window, request.headers.get(KIOSK_TOKEN_HEADER))
    elif channel == "kiosk":
        kiosk = body.get("kiosk")
        if kiosk is None:
            raise BadRequest("kiosk_required", "取号机评价须写明 kiosk / a kiosk's rating names its kiosk")
        require_token(site_id, "kiosk", kiosk, request.headers.get(KIOSK_TOKEN_HEADER))
    view = hall().handle(RateTicket(site_id, ticket_id, body.get("level"), body.get("reasons"), body.get("comment"),
                                    channel, body.get("phone")))
    return jsonify(view), 201


@bp.get("/tickets/<ticket_id>/rating")
def ticket_rating_view(ticket_id: str):
    with hall().db.read() as session:
        ticket = _ticket(session, ticket_id)
        return jsonify(ticket_rating(session, hall().site(ticket.site), ticket))


@bp.get("/sites/<site_id>/my-ratings")
@require_window_staff
def my_ratings(site_id: str):
    site = hall().site(site_id)
    since = hall().context.today(site) - dt.timedelta(days=MY_RATINGS_DAYS - 1)
    with hall().db.read() as session:
        return jsonify(clerk_ratings(session, site, g.actor.id, since))
