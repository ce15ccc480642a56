"""The pages of cases. Everything a page does goes through /api/v1; the printable documents and the
tracking page are drawn on the server from the case or ticket the id names (the id is the proof)."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import select

from server.domain.cases import STATUS_NAMES
from server.domain.errors import NotFound
from server.domain.personal import mask_mobile
from server.models import Case, Ticket
from server.service_layer.case_queries import CaseQueries
from server.wiring import hall

pages = Blueprint("backoffice", __name__, static_folder="static", static_url_path="/static/backoffice",
                  template_folder="templates")
DOCUMENT_TITLES = {"accepted": "受理通知书", "notified": "一次性告知书", "rejected": "不予受理凭证"}


@pages.errorhandler(NotFound)
def not_found(error: NotFound):
    return render_template("backoffice/problem.html", message=error.message), 404


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL is the holder's only secret
    return response


def public_base() -> str:
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


@pages.get("/backoffice/<site_id>")
def board(site_id: str):
    site = hall().site(site_id)
    config = {"site": site.id, "site_name": site.name, "api": "/api/v1", "timezone": site.timezone,
              "departments": {d.id: d.name for d in site.departments}, "statuses": STATUS_NAMES}
    return render_template("backoffice/board.html", site=site, config=config)


@pages.get("/c/<case_id>")
def tracking(case_id: str):
    view = CaseQueries(hall().db, hall().context).holder(case_id)
    site = hall().site(view["site"])
    page = {"case": view, "statuses": STATUS_NAMES, "timezone": site.timezone}
    return _private(Response(render_template("backoffice/tracking.html", case=view, site=site, page=page)))


@pages.get("/c/<case_id>/qr.svg")
def tracking_qr(case_id: str):
    CaseQueries(hall().db, hall().context).holder(case_id)  # 404 for an id that names no case
    response = Response(qr_svg(f"{public_base()}/c/{case_id}"), mimetype="image/svg+xml")
    return _private(response)


@pages.get("/documents/<ticket_id>")
def document(ticket_id: str):
    """The window's document of a finished ticket, on A4 from the clerk's browser (the id is the proof)."""
    services = hall()
    with services.db.read() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.outcome not in DOCUMENT_TITLES:
            raise NotFound("ticket", ticket_id)
        case = session.scalars(select(Case).where(Case.ticket_id == ticket.id)).first()
        site = services.site(ticket.site)
        service = site.service(ticket.service)
        department = site.department(service.department) if service else None
        window = site.window(ticket.window) if ticket.window else None
        facts = {
            "kind": ticket.outcome, "title": DOCUMENT_TITLES[ticket.outcome], "site": site,
            "service_name": service.name if service else ticket.service,
            "department_name": department.name if department else "",
            "window_name": window.name if window else "", "ticket_number": ticket.number,
            "at": _local(site.timezone, ticket.finished_at), "reason": ticket.reason,
            "missing": json.loads(ticket.missing) if ticket.missing else [],
            "checklist": list(service.checklist) if service else [],
        }
        if ticket.outcome == "accepted" and case is None:
            raise NotFound("ticket", ticket_id)
        if case is not None:
            facts.update(case_id=case.id, applicant_name=case.applicant_name,
                         applicant_phone=mask_mobile(case.applicant_phone) if case.applicant_phone else None,
                         promised_days=service.promised_days if service else None)
    if "case_id" in facts:
        facts["case"] = CaseQueries(services.db, services.context).holder(facts["case_id"])
    return _private(Response(render_template("backoffice/document.html", **facts)))


def _local(timezone: str, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def qr_svg(url: str) -> bytes:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    output = io.BytesIO()
    image.save(output)
    return output.getvalue()
