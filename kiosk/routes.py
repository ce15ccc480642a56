"""The kiosk's pages: the touch page, its catalogue, the phone status page, the QR code and the ticket
preview. An id that names nothing gets a Chinese 404 page, never a stack trace."""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template

from kiosk import pages
from kiosk.catalogue import kiosk_catalogue
from kiosk.printing import ticket_png
from kiosk.ticket_print import DEFAULT_PAPER_MM, absolute_status_url, public_base, qr_svg, ticket_print
from layout.model import Kiosk, Site
from server.cpu import run_cpu_bound
from server.domain.errors import NotFound
from server.vocabulary import page_vocabulary
from server.wiring import hall

# A ticket's QR code and preview never change; phones may keep them.
IMAGE_CACHE = "private, max-age=86400"


def not_found_page(error: NotFound):
    return render_template("kiosk/not_found.html", chinese=error.chinese, english=f"{error.english}.",
                           ident=error.ident), 404


def _site_and_kiosk(site_id: str, kiosk_id: str) -> tuple[Site, Kiosk]:
    site = hall().site(site_id)
    kiosk = site.kiosk(kiosk_id)
    if kiosk is None:
        raise NotFound("kiosk", kiosk_id)
    return site, kiosk


@pages.get("/kiosk/<site_id>/<kiosk_id>")
def kiosk_page(site_id: str, kiosk_id: str):
    try:
        site, kiosk = _site_and_kiosk(site_id, kiosk_id)
    except NotFound as error:
        return not_found_page(error)
    return render_template("kiosk/kiosk.html", site=site, kiosk=kiosk,
                           catalogue=kiosk_catalogue(hall().context, site, kiosk), vocabulary=page_vocabulary())


@pages.get("/kiosk/<site_id>/<kiosk_id>/services.json")
def kiosk_services(site_id: str, kiosk_id: str):
    # Under /kiosk/, not /api/: the error handlers only answer JSON for /api/ paths, so say it here.
    try:
        site, kiosk = _site_and_kiosk(site_id, kiosk_id)
    except NotFound as error:
        return jsonify(error.payload()), error.status
    return jsonify(kiosk_catalogue(hall().context, site, kiosk))


@pages.get("/kiosk/<site_id>/<kiosk_id>/tickets/<ticket_id>.png")
def kiosk_ticket_png(site_id: str, kiosk_id: str, ticket_id: str):
    try:
        site, kiosk = _site_and_kiosk(site_id, kiosk_id)
        view = hall().queries.ticket(ticket_id)
        if view["site"] != site.id:
            raise NotFound("ticket", ticket_id)
    except NotFound as error:
        return not_found_page(error)
    return _ticket_png(site, view, kiosk)


@pages.get("/t/<ticket_id>")
def status_page(ticket_id: str):
    try:
        view = hall().queries.ticket(ticket_id)
    except NotFound as error:
        return not_found_page(error)
    site = hall().site(view["site"])
    windows = [site.window(ident) for ident in view["windows"]]
    zone = site.zone(view["zone"]) if view.get("zone") else None
    page = {
        "ticket": view,
        "site": {"id": site.id, "name": site.name, "name_en": site.name_en},
        "windows": {w.id: {"number": w.number, "name": w.name, "zone": w.zone} for w in site.windows},
        "zones": {z.id: z.name for z in site.zones},
        "vocabulary": page_vocabulary(),
    }
    response = Response(render_template("kiosk/status.html", ticket=view, site=site, zone=zone,
                                        window_numbers=[w.number for w in windows if w is not None], page=page))
    # The page is a live view: a cached copy would show a stale queue position on the way back.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL is the ticket's only secret
    return response


@pages.get("/t/<ticket_id>/qr.svg")
def status_qr(ticket_id: str):
    try:
        view = hall().queries.ticket(ticket_id)
    except NotFound as error:
        return not_found_page(error)
    url = absolute_status_url(public_base(current_app) or "/", view)
    response = Response(run_cpu_bound(qr_svg, url), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = IMAGE_CACHE
    return response


@pages.get("/t/<ticket_id>/ticket.png")
def status_ticket_png(ticket_id: str):
    try:
        view = hall().queries.ticket(ticket_id)
    except NotFound as error:
        return not_found_page(error)
    site = hall().site(view["site"])
    return _ticket_png(site, view, None)


def _ticket_png(site: Site, view: dict, kiosk: Kiosk | None) -> Response:
    paper_mm = kiosk.printer.paper_mm if kiosk is not None and kiosk.printer is not None else DEFAULT_PAPER_MM
    ticket = ticket_print(site, view, absolute_status_url(public_base(current_app) or "/", view))
    response = Response(run_cpu_bound(ticket_png, ticket, paper_mm), mimetype="image/png")
    # The preview shows the queue position at the time it is drawn, so it is not kept for long.
    response.headers["Cache-Control"] = "private, max-age=30"
    return response
