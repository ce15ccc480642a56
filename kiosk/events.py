"""Socket.IO handlers of the print agents, in their own namespace (/agent) so that their connect and
disconnect handlers never collide with the screens' ones on the default namespace.

    agent_hello   {"site", "kiosk", "token"}             → joins kiosk:<site>:<kiosk>, gets its open jobs
    print_ack     {"job", "status": printed|failed, "reason"?, "printer_state"?}
    agent_printer {"state", "detail"?}                   → the agent's view of its printer
Every handler validates its message and answers ``{"ok": true, ...}`` or ``{"error": {code, message}}``
(the client's ``call`` gets the answer; an ``agent_error`` event carries it too).

``token`` is the kiosk's own device token (server/device_tokens.py): a hello without it is refused with
``token_required``, with another kiosk's or a made-up one with ``invalid_token``; only a connection whose
hello was accepted receives that kiosk's jobs and may acknowledge them or report its printer. A layout with
a print-agent kiosk that has no token is refused at start (``require_agent_tokens``).
"""

from __future__ import annotations

import logging

from flask import Flask, request
from flask_socketio import SocketIO, join_room

from kiosk.jobs import AGENT_NAMESPACE, agent_room
from kiosk.printing.status_query import STATE_NAMES
from kiosk.startup import kiosk_services
from server.device_tokens import MAKE_TOKENS, missing_agent_tokens, require_token
from server.domain.errors import BadRequest, DomainError, NotFound
from server.extensions import socketio
from server.validation import fields
from server.wiring import hall

log = logging.getLogger(__name__)


def _refuse(error: DomainError) -> dict:
    payload = error.payload()
    socketio.emit("agent_error", payload, to=request.sid, namespace=AGENT_NAMESPACE)
    return payload


def require_agent_tokens(app: Flask) -> None:
    """Refuse to serve when a kiosk prints through an agent but has no token: anyone could then take its jobs,
    mark them printed (staff would never hear of a lost ticket) and report a false paper-out."""
    missing = missing_agent_tokens(hall(app).layout, app.config.get("DEVICE_TOKENS") or {})
    if missing:
        raise RuntimeError(
            f"取号机 {', '.join(missing)} 通过打印终端打印，但没有设备口令；请运行 {MAKE_TOKENS} / kiosk(s) "
            f"{', '.join(missing)} print through a print agent but have no device token: run `{MAKE_TOKENS}` "
            f"(it writes {app.config.get('DEVICE_TOKENS_FILE')}) and give each agent its AGENT_TOKEN")


def _registered() -> tuple[str, str]:
    agent = kiosk_services().health.agent_of(request.sid)
    if agent is None:
        raise BadRequest("hello_first", "请先发送 agent_hello / send agent_hello first")
    return agent


def agent_hello(data):
    try:
        message = fields(data, required={"site": str, "kiosk": str}, optional={"token": str})
        site_id, kiosk_id = message["site"], message["kiosk"]
        site = hall().site(site_id)
        kiosk = site.kiosk(kiosk_id)
        if kiosk is None:
            raise NotFound("kiosk", kiosk_id)
        if kiosk.printer is None or kiosk.printer.type != "agent":
            raise BadRequest("not_an_agent_kiosk", f"取号机 {kiosk_id} 的打印机不是 agent 类型 / kiosk "
                                                     f"{kiosk_id} does not print through an agent")
        require_token(site.id, "kiosk", kiosk.id, message.get("token"))
    except DomainError as error:
        return _refuse(error)
    services = kiosk_services()
    join_room(agent_room(site.id, kiosk.id))
    services.health.agent_connected(request.sid, site.id, kiosk.id)
    orders = services.printing.pending_orders(site.id, kiosk.id)
    for order in orders:
        socketio.emit("print_job", order, to=request.sid, namespace=AGENT_NAMESPACE)
    log.info("print agent of %s/%s connected; %d open jobs sent", site.id, kiosk.id, len(orders))
    return {"ok": True, "site": site.id, "kiosk": kiosk.id, "pending": len(orders),
            "printer": {"paper_mm": kiosk.printer.paper_mm, "qr": kiosk.printer.qr},
            "ack_seconds": services.printing.ack_seconds}


def print_ack(data):
    try:
        message = fields(data, required={"job": int, "status": str}, optional={"reason": str})
        services = kiosk_services()
        site_id, kiosk_id = _registered()
        job_id = message["job"]
        if job_id < 1:
            raise BadRequest("invalid_field", "字段 job 应为打印任务编号 / field 'job' must be a job id")
        status = message["status"]
        if status not in ("printed", "failed"):
            raise BadRequest("invalid_field", "字段 status 应为 printed 或 failed / field 'status' must be "
                                                "printed or failed")
        reason = message.get("reason")
        if status == "failed" and reason is None:
            reason = "打印终端报告失败 / the print agent reported a failure"
        printer_state = message.get("printer_state")
        if printer_state is not None and printer_state not in STATE_NAMES:
            raise BadRequest("invalid_field", f"printer_state 应为 {', '.join(STATE_NAMES)} 之一")
        view = services.printing.acknowledge(site_id, kiosk_id, job_id, status, reason, printer_state)
    except DomainError as error:
        return _refuse(error)
    if status == "failed" and printer_state is not None:
        services.health.print_failed(site_id, kiosk_id, printer_state, reason)
    elif status == "printed":
        services.health.print_succeeded(site_id, kiosk_id)
    return {"ok": True, "job": job_id, "status": view["status"] if view else status}


def agent_printer(data):
    try:
        message = fields(data, required={"state": str}, optional={"detail": str})
        _registered()
        state = message["state"]
        if state not in STATE_NAMES:
            raise BadRequest("invalid_field", f"字段 state 应为 {', '.join(STATE_NAMES)} 之一 / field 'state' "
                                                f"must be one of {', '.join(STATE_NAMES)}")
        detail = message.get("detail") or state
    except DomainError as error:
        return _refuse(error)
    kiosk_services().health.agent_reported(request.sid, state, detail)
    return {"ok": True}


def agent_disconnect(*_reason):
    kiosk_services().health.agent_disconnected(request.sid)


def register_agent_events(socketio: SocketIO) -> None:
    """Attach the handlers to the app's Socket.IO server."""
    socketio.on_event("agent_hello", agent_hello, namespace=AGENT_NAMESPACE)
    socketio.on_event("print_ack", print_ack, namespace=AGENT_NAMESPACE)
    socketio.on_event("agent_printer", agent_printer, namespace=AGENT_NAMESPACE)
    socketio.on_event("disconnect", agent_disconnect, namespace=AGENT_NAMESPACE)
