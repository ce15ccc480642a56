"""Alerts for the manager: the log (GET /sites/<site>/alerts?status=open|all) and the acknowledgement
(POST /sites/<site>/alerts/<id>/ack)."""

from __future__ import annotations

from flask import g, jsonify, request

from manage import api
from manage.access import require_manager
from server.alert_store import SqlAlertStore
from server.domain.alerts import AckAlert
from server.domain.errors import BadRequest
from server.service_layer.handlers.alerts import alert_view
from server.wiring import hall

STATUSES = ("open", "all")


@api.get("/sites/<site_id>/alerts")
@require_manager
def alerts(site_id: str):
    site = hall().site(site_id)
    status = request.args.get("status", "open")
    if status not in STATUSES:
        raise BadRequest("invalid_status", "status 应为 open 或 all / status must be open or all")
    with hall().db.read() as session:
        store = SqlAlertStore(session)
        rows = store.open_alerts(site.id) if status == "open" else store.log(site.id)
        return jsonify([alert_view(alert, site) for alert in rows])


@api.post("/sites/<site_id>/alerts/<int:alert_id>/ack")
@require_manager
def ack(site_id: str, alert_id: int):
    hall().site(site_id)
    return jsonify(hall().handle(AckAlert(site_id, alert_id, g.actor)))
