"""Cases (办件) over HTTP: the holder's tracking view, the back office's list and decisions, one case for
the 综合出件 window, and the kiosk's pickup (领取办件结果). Parse, hand a command to the bus or ask a
query, answer JSON."""

from __future__ import annotations

from flask import g, jsonify, request

from server.api import bp
from server.api.issuing import issuing_kiosk
from server.api.routes import _issue_limit, _issue_limit_off
from server.api.validation import json_body, optional_text
from server.auth import require_staff
from server.domain.cases import (
    NOTE_MAX,
    STATUSES,
    DecideCase,
    IssuePickup,
    MarkMailed,
    MarkReady,
    check_department,
)
from server.domain.errors import BadRequest
from server.extensions import limiter
from server.service_layer.case_queries import CaseQueries
from server.wiring import hall


def _queries() -> CaseQueries:
    return CaseQueries(hall().db, hall().context)


@bp.get("/cases/<case_id>")
def case(case_id: str):
    return jsonify(_queries().holder(case_id))


@bp.get("/sites/<site_id>/cases")
@require_staff
def cases(site_id: str):
    status = request.args.get("status") or None
    department = request.args.get("department") or None
    statuses: tuple[str, ...] = ()
    if status is not None:
        statuses = tuple(part for part in status.split(",") if part)
        if not statuses or any(part not in STATUSES for part in statuses):
            raise BadRequest("invalid_query", f"status 应为 {', '.join(STATUSES)} 之一 / status must be one of "
                                              f"{', '.join(STATUSES)}")
    if g.actor.role == "backoffice":
        department = department or g.actor.department
        check_department(g.actor, department)
    elif department is not None and hall().site(site_id).department(department) is None:
        raise BadRequest("invalid_query", f"没有这个部门：{department[:40]} / no such department")
    return jsonify(_queries().listed(site_id, statuses, department))


@bp.get("/sites/<site_id>/cases/<number>")
@require_staff
def case_by_number(site_id: str, number: str):
    view = _queries().one(site_id, number)
    check_department(g.actor, view["department"])
    return jsonify(view)


@bp.get("/sites/<site_id>/tickets/<ticket_id>/case")
@require_staff
def case_of_ticket(site_id: str, ticket_id: str):
    return jsonify(_queries().of_ticket(site_id, ticket_id))


@bp.post("/sites/<site_id>/cases/<number>/decide")
@require_staff
def decide(site_id: str, number: str):
    body = json_body(required={"decision": str})
    return jsonify(hall().handle(DecideCase(site_id, number, body["decision"], optional_text("note", NOTE_MAX),
                                             g.actor)))


@bp.post("/sites/<site_id>/cases/<number>/ready")
@require_staff
def ready(site_id: str, number: str):
    return jsonify(hall().handle(MarkReady(site_id, number, g.actor)))


@bp.post("/sites/<site_id>/cases/<number>/mail")
@require_staff
def mail(site_id: str, number: str):
    json_body()
    return jsonify(hall().handle(MarkMailed(site_id, number, optional_text("tracking") or "", g.actor)))


@bp.post("/sites/<site_id>/pickups")
@limiter.limit(_issue_limit, exempt_when=_issue_limit_off)
def pickup(site_id: str):
    hall().site(site_id)
    body = json_body(required={"case": str}, optional={"kiosk": str})
    kiosk = issuing_kiosk(site_id)
    view = hall().handle(IssuePickup(site_id, body["case"], kiosk if kiosk is not None else body.get("kiosk")))
    return jsonify(view), 201
