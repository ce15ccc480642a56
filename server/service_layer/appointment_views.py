"""How an appointment and a day's slots read: times in the site's offset, the ID number and the phone masked
(the ID number is only ever stored masked), the status as it is now (a booking whose check-in window has
closed reads ``missed`` before the sweep has marked it)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from layout.model import Service, Site
from server.domain.appointments import BOOKED, MISSED, Slot, check_in_window
from server.domain.personal import mask_mobile
from server.models import Appointment


def local(site: Site, naive_utc: dt.datetime) -> dt.datetime:
    return naive_utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(site.timezone))


def naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def appointment_view(site: Site, appointment: Appointment, now: dt.datetime) -> dict:
    """The holder's view (``now`` naive UTC)."""
    service = site.service(appointment.service)
    start, end = local(site, appointment.start_at), local(site, appointment.end_at)
    opens, closes = check_in_window(site.appointments, start)
    status = appointment.status
    if status == BOOKED and now.replace(tzinfo=dt.UTC) > closes:
        status = MISSED
    return {
        "id": appointment.id, "code": appointment.code, "site": site.id, "site_name": site.name,
        "service": appointment.service, "service_name": service.name if service else appointment.service,
        "start": start.isoformat(), "end": end.isoformat(), "status": status,
        "name": appointment.name, "id_number": appointment.id_number_masked, "phone": mask_mobile(appointment.phone),
        "check_in_from": opens.isoformat(), "check_in_until": closes.isoformat(),
    }


def slot_views(slots: list[Slot], booked: dict[dt.datetime, int], bookable: bool) -> list[dict]:
    """``booked`` by naive-UTC start; a slot one may not book now (past, or outside the window) has none left."""
    views = []
    for slot in slots:
        taken = booked.get(naive_utc(slot.start), 0)
        left = max(0, slot.capacity - taken) if bookable else 0
        views.append({"start": slot.start.isoformat(), "end": slot.end.isoformat(), "capacity": slot.capacity,
                      "left": left})
    return views


def bookable_services(site: Site) -> list[Service]:
    return [service for service in site.services if service.appointments is not None]
