"""Socket.IO handlers of the print agents, in their own namespace (/agent) so that their connect and
disconnect handlers never collide with the screens' ones on the default namespace.

    agent_hello   {"site", "kiosk", "token"?}            → joins kiosk:<site>:<kiosk>, gets its open jobs
    print_ack     {"job", "status": printed|failed, "reason"?, "printer_state"?}
    agent_printer {"state", "detail"?}                   → the agent's view of its printer
Every handler validates its message and answers ``{"ok": true, ...}`` or ``{"error": {code, message}}``
(the client's ``call`` gets the answer; an ``agent_error`` event carries it too).
"""

from __future__ import annotations

import hmac
import logging

from flask import current_app, request
from flask_socketio import join_room

from kiosk.jobs import AGENT_NAMESPACE, agent_room
from kiosk.printing.status_query import STATE_NAMES
from kiosk.startup import health_of, printing_of
from server.bootstrap import boot
from server.extensions import socketio
from server.hall import NotFound

log = logging.getLogger(__name__)
TEXT_MAX = 200


class MessageError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _refuse(error: MessageError) -> dict:
    payload = {"error": {"code": error.code, "message": error.message}}
    socketio.emit("agent_error", payload, to=request.sid, namespace=AGENT_NAMESPACE)
    return payload


def _object(data: object) -> dict:
    if not isinstance(data, dict):
        raise MessageError("invalid_message", "消息应为 JSON 对象 / the message must be an object")
    return data


def _text(data: dict, name: str, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > TEXT_MAX:
        raise MessageError("invalid_field", f"字段 {name} 应为非空字符串 / field {name!r} must be a non-empty string")
    return value


def _check_token(token: object) -> None:
    # With AGENT_TOKEN configured, only agents that know it receive tickets and may acknowledge them.
    expected = current_app.config.get("AGENT_TOKEN")
    if expected and not (isinstance(token, str) and hmac.compare_digest(token.encode(), expected.encode())):
        raise MessageError("invalid_token", "打印终端口令错误 / wrong or missing agent token")


def _registered(wiring) -> tuple[str, str]:
    agent = health_of(wiring).agent_of(request.sid)
    if agent is None:
        raise MessageError("hello_first", "请先发送 agent_hello / send agent_hello first")
    return agent


def agent_hello(data):
    try:
        message = _object(data)
        site_id, kiosk_id = _text(message, "site"), _text(message, "kiosk")
        _check_token(message.get("token"))
        wiring = boot(current_app)
        try:
            site = wiring.hall.site(site_id)
        except NotFound as exc:
            raise MessageError("unknown_site", f"没有这个服务大厅 / unknown site: {site_id}") from exc
        kiosk = site.kiosk(kiosk_id)
        if kiosk is None:
            raise MessageError("unknown_kiosk", f"没有这台取号机 / unknown kiosk: {kiosk_id}")
        if kiosk.printer is None or kiosk.printer.type != "agent":
            raise MessageError("not_an_agent_kiosk", f"取号机 {kiosk_id} 的打印机不是 agent 类型 / kiosk "
                                                     f"{kiosk_id} does not print through an agent")
    except MessageError as error:
        return _refuse(error)
    join_room(agent_room(site.id, kiosk.id))
    health_of(wiring).agent_connected(request.sid, site.id, kiosk.id)
    orders = printing_of(wiring).pending_orders(site.id, kiosk.id)
    for order in orders:
        socketio.emit("print_job", order, to=request.sid, namespace=AGENT_NAMESPACE)
    log.info("print agent of %s/%s connected; %d open jobs sent", site.id, kiosk.id, len(orders))
    return {"ok": True, "site": site.id, "kiosk": kiosk.id, "pending": len(orders),
            "printer": {"paper_mm": kiosk.printer.paper_mm, "qr": kiosk.printer.qr},
            "ack_seconds": printing_of(wiring).ack_seconds}


def print_ack(data):
    try:
        message = _object(data)
        wiring = boot(current_app)
        site_id, kiosk_id = _registered(wiring)
        job_id = message.get("job")
        if not isinstance(job_id, int) or isinstance(job_id, bool) or job_id < 1:
            raise MessageError("invalid_field", "字段 job 应为打印任务编号 / field 'job' must be a job id")
        status = message.get("status")
        if status not in ("printed", "failed"):
            raise MessageError("invalid_field", "字段 status 应为 printed 或 failed / field 'status' must be "
                                                "printed or failed")
        reason = _text(message, "reason", required=False)
        if status == "failed" and reason is None:
            reason = "打印终端报告失败 / the print agent reported a failure"
        printer_state = message.get("printer_state")
        if printer_state is not None and printer_state not in STATE_NAMES:
            raise MessageError("invalid_field", f"printer_state 应为 {', '.join(STATE_NAMES)} 之一")
        try:
            view = printing_of(wiring).acknowledge(site_id, kiosk_id, job_id, status, reason, printer_state)
        except NotFound as exc:
            raise MessageError("unknown_print_job", f"没有这个打印任务 / unknown print job: {job_id}") from exc
    except MessageError as error:
        return _refuse(error)
    if status == "failed" and printer_state is not None:
        health_of(wiring).print_failed(site_id, kiosk_id, printer_state, reason)
    elif status == "printed":
        health_of(wiring).print_succeeded(site_id, kiosk_id)
    return {"ok": True, "job": job_id, "status": view["status"] if view else status}


def agent_printer(data):
    try:
        message = _object(data)
        wiring = boot(current_app)
        _registered(wiring)
        state = message.get("state")
        if state not in STATE_NAMES:
            raise MessageError("invalid_field", f"字段 state 应为 {', '.join(STATE_NAMES)} 之一 / field 'state' "
                                                f"must be one of {', '.join(STATE_NAMES)}")
        detail = _text(message, "detail", required=False) or state
    except MessageError as error:
        return _refuse(error)
    health_of(wiring).agent_reported(request.sid, state, detail)
    return {"ok": True}


def agent_disconnect(*_reason):
    health_of(boot(current_app)).agent_disconnected(request.sid)


def register_agent_events() -> None:
    """Attach the handlers to the Socket.IO server of the app being created."""
    socketio.on_event("agent_hello", agent_hello, namespace=AGENT_NAMESPACE)
    socketio.on_event("print_ack", print_ack, namespace=AGENT_NAMESPACE)
    socketio.on_event("agent_printer", agent_printer, namespace=AGENT_NAMESPACE)
    socketio.on_event("disconnect", agent_disconnect, namespace=AGENT_NAMESPACE)
