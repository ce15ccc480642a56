"""/api/v1 routes of printing: print jobs (list, status, reprint) and printer health. Errors are the
API's JSON errors (the app-wide handlers answer JSON for every /api/ path)."""

from __future__ import annotations

from flask import jsonify, request

from kiosk import api
from kiosk.jobs import STATUSES, PrintService
from kiosk.startup import kiosk_services
from server.api.validation import json_body
from server.auth import require_staff
from server.domain.errors import BadRequest
from server.wiring import hall

LIST_LIMIT_MAX = 500


def _printing() -> PrintService:
    return kiosk_services().printing


@api.get("/sites/<site_id>/print-jobs")
@require_staff
def list_print_jobs(site_id: str):
    hall().site(site_id)
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest("invalid_status", f"status 应为 {'、'.join(STATUSES)} 之一 / status must be one of "
                                           f"{', '.join(STATUSES)}")
    limit = request.args.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= LIST_LIMIT_MAX:
        raise BadRequest("invalid_limit", f"limit 应为 1 到 {LIST_LIMIT_MAX} 的整数 / limit must be 1 to "
                                          f"{LIST_LIMIT_MAX}")
    kiosk_id = request.args.get("kiosk") or None
    return jsonify(_printing().jobs(site_id, status, kiosk_id, int(limit)))


@api.get("/print-jobs/<int:job_id>")
def print_job_status(job_id: int):
    # Public, for the kiosk screen: job ids are sequential, so it shows no ticket id and no number.
    job = _printing().job(job_id)
    return jsonify({"id": job["id"], "status": job["status"], "reason": job["reason"]})


@api.post("/sites/<site_id>/print-jobs/<int:job_id>/reprint")
@require_staff
def reprint_job(site_id: str, job_id: int):
    hall().site(site_id)
    return jsonify(_printing().reprint_job(site_id, job_id)), 201


@api.post("/tickets/<ticket_id>/reprint")
@require_staff(ticket_arg="ticket_id")
def reprint_ticket(ticket_id: str):
    body = json_body(optional={"kiosk": str})
    return jsonify(_printing().reprint_ticket(ticket_id, body.get("kiosk"))), 201


@api.get("/sites/<site_id>/printers")
def printers(site_id: str):
    return jsonify(kiosk_services().health.site_printers(site_id))
