"""GET /api/v1/sites/<site>/monitor: the manager's live figures (the board reads it, then follows events)."""

from __future__ import annotations

from flask import jsonify

from manage import api
from manage.access import require_manager
from server.service_layer.monitor import site_monitor
from server.wiring import hall


@api.get("/sites/<site_id>/monitor")
@require_manager
def monitor(site_id: str):
    services = hall()
    return jsonify(site_monitor(services.db, services.context, services.site(site_id)))
