"""The read side of 预约取号: a day's slots with what is left, one appointment as its holder reads it, and a
manager's counts per local day (booked, checked in, missed, cancelled)."""

from __future__ import annotations

import datetime as dt

from layout.model import Service, Site
from server import appointment_store as store
from server.db import Database
from server.domain.appointments import (
    CANCELLED,
    CHECKED_IN,
    MISSED,
    STATUSES,
    Slot,
    booking_days,
    slots_of_day,
)
from server.domain.errors import NotFound
from server.models import Appointment
from server.service_layer.appointment_views import appointment_view, naive_utc
from server.service_layer.context import HallContext


class AppointmentQueries:
    def __init__(self, db: Database, context: HallContext) -> None:
        self._db, self._ctx = db, context

    def slots(self, site: Site, service: Service, day: dt.date) -> tuple[list[Slot], dict[dt.datetime, int], bool]:
        """The day's slots, the bookings each holds (by naive-UTC start), and whether the day is bookable now."""
        slots = slots_of_day(site, service, day)
        days = booking_days(service, self._ctx.today(site))
        bookable = days is not None and days[0] <= day <= days[1]
        if not slots:
            return [], {}, bookable
        with self._db.read() as session:
            booked = store.booked_per_slot(session, site.id, service.id, naive_utc(slots[0].start),
                                           naive_utc(slots[-1].start))
        return slots, booked, bookable

    def appointment(self, appointment_id: str) -> dict:
        with self._db.read() as session:
            appointment = session.get(Appointment, appointment_id)
            if appointment is None:
                raise NotFound("appointment", appointment_id)
            return appointment_view(self._ctx.site(appointment.site), appointment, self._ctx.now())

    def appointment_site(self, appointment_id: str) -> str:
        with self._db.read() as session:
            appointment = session.get(Appointment, appointment_id)
            if appointment is None:
                raise NotFound("appointment", appointment_id)
            return appointment.site

    def statistics(self, site: Site, first: dt.date, last: dt.date) -> dict:
        """``booked`` counts every booking made for the day (cancelled ones included), then how they ended:
        ``checked_in``, ``missed`` (a late walk-in included), ``cancelled``; ``open`` are still to come."""
        with self._db.read() as session:
            counts = store.counts_by_day(session, site.id, first, last)
        rows = []
        for day in sorted(counts):
            by_status = counts[day]
            rows.append({"day": day.isoformat(), **_figures(by_status)})
        totals: dict[str, int] = {}
        for by_status in counts.values():
            for status, count in by_status.items():
                totals[status] = totals.get(status, 0) + count
        return {"site": site.id, "from": first.isoformat(), "to": last.isoformat(), "rows": rows,
                "totals": _figures(totals)}


def _figures(by_status: dict[str, int]) -> dict[str, int]:
    return {"booked": sum(by_status.get(status, 0) for status in STATUSES),
            "checked_in": by_status.get(CHECKED_IN, 0), "missed": by_status.get(MISSED, 0),
            "cancelled": by_status.get(CANCELLED, 0), "open": by_status.get("booked", 0)}



def with_appointments(stats: dict, db: Database, context: HallContext) -> dict:
    """The manager's statistics (``GET …/stats``) with an ``appointments`` block: the range's totals of
    bookings (the rows and their fields stay as the contract has them)."""
    site = context.site(stats["site"])
    first, last = dt.date.fromisoformat(stats["from"]), dt.date.fromisoformat(stats["to"])
    stats["appointments"] = AppointmentQueries(db, context).statistics(site, first, last)["totals"]
    return stats
