"""The phone booking page (预约取号) ``/book/<site>``: area → item → day → slot → name, ID number, mobile →
the booking's code and QR, to show at the kiosk's 预约签到; its calendar file; cancelling from the same page
(the phone keeps the ids of its bookings). Everything it does goes through /api/v1."""

from __future__ import annotations

import datetime as dt

from flask import Response, render_template

from kiosk import pages
from kiosk.routes import not_found_page
from server.domain.appointments import booking_days, slots_of_day
from server.domain.errors import NotFound
from server.service_layer.appointment_views import bookable_services
from server.wiring import hall


def booking_catalogue(site_id: str) -> dict:
    site = hall().site(site_id)
    today = hall().context.today(site)
    services = []
    for service in bookable_services(site):
        days = booking_days(service, today)
        if days is None:
            continue
        services.append({"id": service.id, "name": service.name, "name_en": service.name_en, "area": service.area,
                         "slot_minutes": service.appointments.slot_minutes,
                         "days": _open_days(site, service, days[0], days[1])})
    used = {service["area"] for service in services}
    areas = [{"id": area.id, "name": area.name, "name_en": area.name_en} for area in site.areas if area.id in used]
    if any(service["area"] not in {area.id for area in site.areas} for service in services):
        areas.append({"id": None, "name": "其他事项", "name_en": "Other"})
    rules = site.appointments
    return {"site": {"id": site.id, "name": site.name, "name_en": site.name_en, "timezone": site.timezone},
            "today": today.isoformat(), "areas": areas, "services": services,
            "rules": {"early_minutes": rules.early_minutes, "late_minutes": rules.late_minutes,
                      "per_person_per_day": rules.per_person_per_day}}


def _open_days(site, service, first: dt.date, last: dt.date) -> list[str]:
    """The days of the booking window that have slots (working days with opening hours)."""
    days, day = [], first
    while day <= last:
        if slots_of_day(site, service, day):
            days.append(day.isoformat())
        day += dt.timedelta(days=1)
    return days


@pages.get("/book/<site_id>")
def booking_page(site_id: str):
    try:
        catalogue = booking_catalogue(site_id)
    except NotFound as error:
        return not_found_page(error)
    response = Response(render_template("kiosk/book.html", site=catalogue["site"], page=catalogue))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the bookings' ids are their holders' secrets
    return response
