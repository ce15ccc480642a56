"""The pages of cases. Everything a page does goes through /api/v1; the printable documents and the
tracking page are drawn on the server from the case or ticket the id names (the id is the proof)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, current_app, render_template, request

from server.domain.cases import STATUS_NAMES, STATUS_NAMES_EN
from server.domain.errors import NotFound
from server.service_layer.case_documents import document_facts
from server.service_layer.case_queries import CaseQueries
from server.wiring import hall

pages = Blueprint("backoffice", __name__, static_folder="static", static_url_path="/static/backoffice",
                  template_folder="templates")


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
              "departments": {d.id: d.name for d in site.departments}, "statuses": STATUS_NAMES,
              **english_names(site)}
    return render_template("backoffice/board.html", site=site, config=config)


@pages.get("/c/<case_id>")
def tracking(case_id: str):
    view = CaseQueries(hall().db, hall().context).holder(case_id)
    site = hall().site(view["site"])
    page = {"case": view, "statuses": STATUS_NAMES, "timezone": site.timezone, **english_names(site)}
    return _private(Response(render_template("backoffice/tracking.html", case=view, site=site, page=page)))


@pages.get("/c/<case_id>/qr.svg")
def tracking_qr(case_id: str):
    CaseQueries(hall().db, hall().context).holder(case_id)  # 404 for an id that names no case
    response = Response(qr_svg(f"{public_base()}/c/{case_id}"), mimetype="image/svg+xml")
    return _private(response)


@pages.get("/documents/<ticket_id>")
def document(ticket_id: str):
    """The window's document of a finished ticket, on A4 from the clerk's browser (the id is the proof)."""
    facts = document_facts(hall().db, hall().context, ticket_id, public_base())
    return _private(Response(render_template("backoffice/document.html", **facts)))


def english_names(site) -> dict:
    """What the pages' English switch shows: the layout's English names where it gives them (the
    page falls back to the Chinese one), and the English words of the case statuses."""
    return {"site_name_en": site.name_en, "statuses_en": STATUS_NAMES_EN,
            "services_en": {service.id: service.name_en for service in site.services if service.name_en}}


def qr_svg(url: str) -> bytes:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    output = io.BytesIO()
    image.save(output)
    return output.getvalue()
