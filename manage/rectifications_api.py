"""好差评 follow-up for the manager: the rectifications of bad ratings (GET /sites/<site>/rectifications
?status=open|closed|all) and an action on one (POST /sites/<site>/rectifications/<id> {"action", "note"}:
contact 回访, resolve 整改完成, appeal 申诉复核, close 办结), each kept with its note, who and when. Closing an appealed one gives the review's verdict (``"appeal": "upheld"``
sets the rating aside: kept, out of the figures; ``"rejected"``, the default, keeps it counted)."""

from __future__ import annotations

from flask import g, jsonify, request

from manage import api
from manage.access import require_manager
from server.api.validation import json_body
from server.domain.errors import BadRequest
from server.domain.rectifications import ActOnRectification
from server.service_layer.rating_views import rectification_views
from server.wiring import hall

STATUSES = {"open": False, "closed": True, "all": None}


@api.get("/sites/<site_id>/rectifications")
@require_manager
def rectifications(site_id: str):
    site = hall().site(site_id)
    status = request.args.get("status", "open")
    if status not in STATUSES:
        raise BadRequest("invalid_status", "status 应为 open、closed 或 all / status must be open, closed or all")
    with hall().db.read() as session:
        return jsonify(rectification_views(session, site, hall().context.today(site), STATUSES[status]))


@api.post("/sites/<site_id>/rectifications/<int:rectification_id>")
@require_manager
def act(site_id: str, rectification_id: int):
    hall().site(site_id)
    body = json_body(required={"action": str}, optional={"appeal": str})
    return jsonify(hall().handle(ActOnRectification(site_id, rectification_id, body["action"], body.get("note"),
                                                    g.actor, body.get("appeal"))))
