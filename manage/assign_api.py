"""POST /api/v1/sites/<site>/windows/<window>/assign {"queues": [ids] | null, "until": "HH:MM" | null,
"reason"?}: a manager sends a window to serve those queues, in that order, until a local time (弹性窗口)."""

from __future__ import annotations

from flask import g, jsonify

from manage import api
from manage.access import require_manager
from server.api.validation import json_body
from server.domain.assignments import AssignWindow
from server.domain.errors import BadRequest
from server.validation import check
from server.wiring import hall


@api.post("/sites/<site_id>/windows/<window_id>/assign")
@require_manager
def assign(site_id: str, window_id: str):
    services = hall()
    services.context.window(services.site(site_id), window_id)  # 404 before the body is read
    body = json_body(optional={"until": str, "reason": str})
    if "queues" not in body:
        raise BadRequest("missing_field", "缺少字段 queues（撤销请传 null）/ missing field 'queues' (null undoes)")
    queues = body["queues"]
    if queues is not None:
        if not isinstance(queues, list):
            raise BadRequest("invalid_field", "字段 queues 应为队列编号的列表或 null / field 'queues' must be a list "
                                              "of queue ids or null")
        for index, queue in enumerate(queues):
            check(f"queues[{index}]", queue, str)
        queues = tuple(queues)
    event = services.handle(AssignWindow(site_id, window_id, g.actor, queues, body.get("until"),
                                         body.get("reason")))
    return jsonify(event.payload())
