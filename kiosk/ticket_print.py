"""From an issued ticket (the hall's ticket view) to what is printed: the TicketPrint, its absolute
status URL, and the QR code of that URL for screens."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from flask import Flask, has_request_context, request

from kiosk.printing import TicketPrint
from kiosk.printing.ticket import Place
from layout.model import Site

DEFAULT_PAPER_MM = 80


def public_base(app: Flask) -> str | None:
    """Where phones reach the server: PUBLIC_URL when configured (behind a proxy it must be), else the
    host the current request came to, else None (outside a request, nothing better is known)."""
    configured = app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/") + "/"
    if has_request_context():
        return request.host_url
    return None


def absolute_status_url(base: str, ticket_view: dict) -> str:
    return urljoin(base, ticket_view["status_url"])


def _local_time(site: Site, iso_utc: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(site.timezone))


def ticket_print(site: Site, ticket_view: dict, qr_url: str) -> TicketPrint:
    """The printed ticket of an issued ticket view: number, item, zone, windows, queue position."""
    zone = site.zone(ticket_view["zone"]) if ticket_view.get("zone") else None
    helping = set(ticket_view.get("overflow_windows") or ())
    windows = tuple(window.number for window in (site.window(ident) for ident in ticket_view["windows"])
                    if window is not None and window.id not in helping)
    places = tuple(Place(group["floor_name"] or group["zone_name"] or "", tuple(group["numbers"]), group["overflow"])
                   for group in ticket_view.get("where") or ())
    priority = next((c for c in site.priority.classes if c.id == ticket_view.get("priority")), None)
    priority_name = priority.name if priority else ("预约" if ticket_view.get("booked") else None)
    return TicketPrint(
        hall_name=site.name, number=ticket_view["number"], service_name=ticket_view["service_name"],
        zone_name=zone.name if zone else "", windows=windows, ahead=ticket_view["ahead"],
        eta_minutes=ticket_view["eta_minutes"], issued_at=_local_time(site, ticket_view["issued_at"]),
        notice=site.ticket_notice, qr_url=qr_url, priority_name=priority_name,
        hall_name_en=site.name_en, zone_name_en=zone.name_en if zone else "", places=places,
    )


def qr_svg(url: str) -> bytes:
    """The URL as a QR code in SVG with a white background and quiet zone, for the kiosk and phone."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    output = io.BytesIO()
    image.save(output)
    return output.getvalue()
