"""Handlers of /api/v1: parse, hand a command to the bus or ask a query, answer JSON. No rules live here."""

from __future__ import annotations

import ipaddress

from flask import current_app, g, jsonify, request

from server.api import bp
from server.api.issuing import REPLAYED_HEADER, from_a_kiosk, idempotency_key, issuing_kiosk
from server.api.validation import json_body, optional_text
from server.auth import login, optional_staff, require_staff, require_window_staff
from server.domain import commands
from server.domain.events import Event
from server.extensions import limiter
from server.layout_view import site_layout
from server.validation import check
from server.wiring import hall


def _issue_limit_off() -> bool:
    if current_app.config["ISSUE_RATE_LIMIT"].strip() in ("", "0") or from_a_kiosk():
        return True
    exempt = current_app.config.get("RATE_LIMIT_EXEMPT") or ()
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in exempt)


def _issue_limit() -> str:
    # Flask-Limiter parses the string before it asks exempt_when, so "off" still needs a valid one.
    return "1/second" if _issue_limit_off() else current_app.config["ISSUE_RATE_LIMIT"]


@bp.get("/sites")
def sites():
    return jsonify([{"id": site.id, "name": site.name, "name_en": site.name_en, "level": site.level}
                    for site in hall().layout.sites])


@bp.get("/sites/<site_id>/layout")
def layout(site_id: str):
    return jsonify(site_layout(hall().context, hall().site(site_id)))


@bp.post("/sites/<site_id>/tickets")
@limiter.limit(_issue_limit, exempt_when=_issue_limit_off)
def issue_ticket(site_id: str):
    hall().site(site_id)
    body = json_body(required={"service": str}, optional={"priority": str, "kiosk": str})
    key = idempotency_key(issuing_kiosk(site_id))
    view = hall().handle(commands.IssueTicket(site_id, body["service"], body.get("priority"), body.get("kiosk"),
                                              idempotency_key=key))
    if view.pop("replayed", False):  # a retry: the ticket its first request made
        return jsonify(view), 200, {REPLAYED_HEADER: "true"}
    return jsonify(view), 201


@bp.get("/tickets/<ticket_id>")
def ticket(ticket_id: str):
    return jsonify(hall().queries.ticket(ticket_id))


@bp.get("/sites/<site_id>/queues")
def queues(site_id: str):
    return jsonify(hall().queries.queues(site_id))


@bp.post("/auth/login")
def auth_login():
    body = json_body(required={"username": str, "password": str})
    token, user = login(body["username"], body["password"])
    return jsonify({"token": token, "username": user.username, "role": user.role,
                    "expires_in": current_app.config["TOKEN_MAX_AGE"]})


@bp.get("/auth/me")
@require_staff
def auth_me():
    return jsonify({"id": g.actor.id, "username": g.actor.username, "role": g.actor.role})


@bp.get("/sites/<site_id>/windows/<window_id>")
def window(site_id: str, window_id: str):
    return jsonify(hall().queries.window(site_id, window_id, staff=optional_staff(site_id) is not None))


def _window_action(command_type: type[commands.WindowCommand], site_id: str, window_id: str, **values):
    result = hall().handle(command_type(site_id, window_id, g.actor, **values))
    return result.payload() if isinstance(result, Event) else result


@bp.post("/sites/<site_id>/windows/<window_id>/open")
@require_window_staff
def open_window(site_id: str, window_id: str):
    return jsonify(_window_action(commands.OpenWindow, site_id, window_id))


@bp.post("/sites/<site_id>/windows/<window_id>/pause")
@require_window_staff
def pause_window(site_id: str, window_id: str):
    body = json_body(optional={"reason": str})
    return jsonify(_window_action(commands.PauseWindow, site_id, window_id, reason=body.get("reason")))


@bp.post("/sites/<site_id>/windows/<window_id>/close")
@require_window_staff
def close_window(site_id: str, window_id: str):
    return jsonify(_window_action(commands.CloseWindow, site_id, window_id))


@bp.post("/sites/<site_id>/windows/<window_id>/call-next")
@require_window_staff
def call_next(site_id: str, window_id: str):
    ticket = _window_action(commands.CallNext, site_id, window_id)
    if ticket is None:
        return "", 204
    return jsonify(ticket)


@bp.post("/sites/<site_id>/windows/<window_id>/recall")
@require_window_staff
def recall(site_id: str, window_id: str):
    return jsonify(_window_action(commands.Recall, site_id, window_id))


@bp.post("/sites/<site_id>/windows/<window_id>/no-show")
@require_window_staff
def no_show(site_id: str, window_id: str):
    return jsonify(_window_action(commands.NoShow, site_id, window_id))


@bp.post("/sites/<site_id>/windows/<window_id>/start")
@require_window_staff
def start(site_id: str, window_id: str):
    return jsonify(_window_action(commands.Start, site_id, window_id))


@bp.post("/sites/<site_id>/windows/<window_id>/finish")
@require_window_staff
def finish(site_id: str, window_id: str):
    body = json_body(required={"outcome": str}, optional={"missing": list})
    reason = body.get("reason")
    if isinstance(reason, str) and not reason.strip():
        reason = None  # a blank reason is no reason: the rule says reason_required
    if reason is not None:
        check("reason", reason, str)
    missing = body.get("missing")
    for index, entry in enumerate(missing or ()):
        check(f"missing[{index}]", entry, str)
    return jsonify(_window_action(commands.Finish, site_id, window_id, outcome=body["outcome"], reason=reason,
                                  missing=None if missing is None else tuple(missing),
                                  applicant_name=optional_text("applicant_name"),
                                  applicant_phone=optional_text("applicant_phone")))


@bp.post("/sites/<site_id>/windows/<window_id>/transfer")
@require_window_staff
def transfer(site_id: str, window_id: str):
    body = json_body(required={"service": str})
    return jsonify(_window_action(commands.Transfer, site_id, window_id, service=body["service"]))


@bp.post("/tickets/<ticket_id>/cancel")
def cancel_ticket(ticket_id: str):
    """The holder (the id is the proof) or staff (a bearer token) cancels a waiting ticket."""
    site_id = hall().queries.ticket_site(ticket_id)
    actor = optional_staff(site_id)
    return jsonify(hall().handle(commands.CancelTicket(site_id, ticket_id, actor)))


@bp.post("/sites/<site_id>/tickets/<ticket_id>/requeue")
@require_window_staff
def requeue_ticket(site_id: str, ticket_id: str):
    return jsonify(hall().handle(commands.RequeueTicket(site_id, ticket_id, g.actor)))
