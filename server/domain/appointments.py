"""预约取号: the slots an item offers, the booking window, and the check-in window — pure rules.

An item with ``appointments`` in the layout offers slots of ``slot_minutes`` on working days
(``server.domain.workdays``), inside each opening period of that weekday (a slot never runs past a period's
close; a 调休 make-up day on a weekend follows Monday's periods). Each slot takes ``per_slot`` bookings; the
rest of the hall's capacity stays with walk-in tickets. Booking is open for the local days after today up to
``days_ahead`` (today excluded), and only for a slot that has not begun.

A booked citizen checks in at the kiosk from ``start − early_minutes`` to ``start + late_minutes`` (both
included); earlier is ``too_early`` (come back at the window's opening), later ``too_late`` (a walk-in ticket
is offered, the booking noted). A booking not checked in by ``start + late_minutes`` becomes ``missed``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from layout.model import AppointmentRules, Service, Site
from server.domain.commands import Command
from server.domain.errors import BadRequest, DomainError
from server.domain.hours import periods_of_day
from server.domain.workdays import is_working_day

BOOKED, CHECKED_IN, CANCELLED, MISSED = "booked", "checked_in", "cancelled", "missed"
STATUSES = (BOOKED, CHECKED_IN, CANCELLED, MISSED)
EARLY, ON_TIME, LATE = "too_early", "on_time", "too_late"


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, in the site's timezone
    end: dt.datetime
    capacity: int


def _zone(site: Site) -> ZoneInfo:
    return ZoneInfo(site.timezone)


def slots_of_day(site: Site, service: Service, day: dt.date) -> list[Slot]:
    """Every slot of ``service`` on the local ``day``, in time order (none on a day off)."""
    rules = service.appointments
    if rules is None or rules.slot_minutes <= 0 or rules.per_slot <= 0 or not is_working_day(site, day):
        return []
    zone, length = _zone(site), dt.timedelta(minutes=rules.slot_minutes)
    slots: list[Slot] = []
    for period in periods_of_day(site, day):
        start = dt.datetime.combine(day, period.opens, zone)
        closes = dt.datetime.combine(day, period.closes, zone)
        while start + length <= closes:
            slots.append(Slot(start, start + length, rules.per_slot))
            start += length
    return slots


def booking_days(service: Service, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last local day one may book now (today excluded), or None for an item not bookable."""
    if service.appointments is None or service.appointments.days_ahead < 1:
        return None
    return today + dt.timedelta(days=1), today + dt.timedelta(days=service.appointments.days_ahead)


def parse_start(raw: str, site: Site) -> dt.datetime:
    """An ISO start time (with an offset, or in the site's local time), aware; 400 ``invalid_start`` else."""
    try:
        start = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        if start.tzinfo is None:
            start = start.replace(tzinfo=_zone(site))
        return start.astimezone(_zone(site))
    except (ValueError, OverflowError):  # not a time; or one the zone moves past year 1 or 9999
        raise InvalidStart() from None


def find_slot(site: Site, service: Service, start: dt.datetime) -> Slot:
    """The slot that begins at ``start``; 400 ``invalid_start`` when none does."""
    local = start.astimezone(_zone(site))
    slot = next((slot for slot in slots_of_day(site, service, local.date()) if slot.start == local), None)
    if slot is None:
        raise InvalidStart()
    return slot


def check_bookable(service: Service, slot: Slot, today: dt.date, now: dt.datetime) -> None:
    """409 ``outside_booking_window`` for a slot on a day one may not book now, or one already begun."""
    days = booking_days(service, today)
    if days is None:
        raise NotBookable()
    first, last = days
    if not first <= slot.start.date() <= last or slot.start <= now:
        raise OutsideBookingWindow(first, last)


def check_in_window(rules: AppointmentRules, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return start - dt.timedelta(minutes=rules.early_minutes), start + dt.timedelta(minutes=rules.late_minutes)


def arrival(rules: AppointmentRules, start: dt.datetime, now: dt.datetime) -> str:
    """``too_early``, ``on_time`` or ``too_late`` for a check-in at ``now`` (both ends of the window included)."""
    opens, closes = check_in_window(rules, start)
    if now < opens:
        return EARLY
    if now > closes:
        return LATE
    return ON_TIME


def missed_before(rules: AppointmentRules, now: dt.datetime) -> dt.datetime:
    """Bookings that start before this moment and are still booked are missed at ``now``."""
    return now - dt.timedelta(minutes=rules.late_minutes)


class InvalidStart(BadRequest):
    def __init__(self) -> None:
        super().__init__("invalid_start", "所选时间不是该事项的预约时段 / the start is not a slot of this item")


class NotBookable(DomainError):
    code = "not_bookable"
    default_message = "该事项不开放预约 / this item cannot be booked"


class OutsideBookingWindow(DomainError):
    code = "outside_booking_window"

    def __init__(self, first: dt.date, last: dt.date) -> None:
        super().__init__(f"只能预约 {first.isoformat()} 至 {last.isoformat()} 尚未开始的时段 / only slots from "
                         f"{first.isoformat()} to {last.isoformat()} that have not begun can be booked")


class SlotFull(DomainError):
    code = "slot_full"
    default_message = "该时段已约满，请选择其他时段 / this slot is fully booked: choose another"


class AlreadyBooked(DomainError):
    code = "already_booked"

    def __init__(self, per_day: int) -> None:
        super().__init__(f"同一身份证号每天最多预约 {per_day} 次 / one ID number may book {per_day} "
                         f"appointment(s) a day")


class TooEarly(DomainError):
    code = "too_early"

    def __init__(self, opens: dt.datetime) -> None:
        self.come_back_at = opens
        clock = opens.strftime("%H:%M")
        super().__init__(f"还未到签到时间，请于 {clock} 后再来签到 / too early: check in from {clock}")


class TooLate(DomainError):
    code = "too_late"

    def __init__(self, closes: dt.datetime) -> None:
        clock = closes.strftime("%H:%M")
        super().__init__(f"已超过签到时间（{clock}），可改取普通号排队 / the check-in closed at {clock}: take a "
                         f"walk-in ticket instead")


class AlreadyCheckedIn(DomainError):
    code = "already_checked_in"
    default_message = "该预约已签到 / this appointment has already been checked in"


class NotCancellable(DomainError):
    code = "not_cancellable"
    default_message = "该预约已签到、已取消或已过时，不能取消 / this appointment can no longer be cancelled"


# -- commands (handled by server.service_layer.handlers.appointments) ---------------------------------------
@dataclass(frozen=True)
class BookAppointment(Command):
    """Book one slot. The ID number arrives only as its keyed hash and its masked form: the raw number never
    leaves the HTTP request that checked it."""

    service: str
    start: str  # ISO, as GET …/slots gives it
    name: str
    person_key: str
    id_number_masked: str
    phone: str


@dataclass(frozen=True)
class CancelAppointment(Command):
    appointment_id: str


@dataclass(frozen=True)
class CheckInAppointment(Command):
    """预约签到 at a kiosk: on time, a ticket called before the walk-in tickets of its queue; ``walk_in`` (after
    a ``too_late``) a normal ticket with the booking noted."""

    code: str
    kiosk: str | None = None
    walk_in: bool = False


@dataclass(frozen=True)
class MarkMissedAppointments(Command):
    """Bookings of the site not checked in by ``start + late_minutes`` become missed (idempotent)."""

