"""预约取号: booking, cancelling, checking in at the kiosk, and marking bookings missed.

Booking raises the person's day counter and the slot's counter, each in one statement that only raises it
below its limit (``server.appointment_store``), then inserts the appointment, all in one transaction: a
slot never takes more than ``per_slot``, a person never more than ``per_person_per_day``, in any number of
processes. Check-in marks the booking checked in with one conditional UPDATE (a second check-in finds it
no longer booked: 409 ``already_checked_in``) and issues a ticket linked to it (``tickets.appointment_id``),
which call-next takes before the walk-in tickets of its queue (``server.domain.ordering``)."""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from layout.model import Site
from server import appointment_store as store
from server.domain import appointments as rules
from server.domain.appointments import (
    BookAppointment,
    CancelAppointment,
    CheckInAppointment,
    MarkMissedAppointments,
)
from server.domain.errors import DomainError, NotFound
from server.domain.numbering import format_number
from server.domain.routing import route
from server.models import Appointment, Ticket
from server.service_layer.appointment_views import appointment_view, local, naive_utc
from server.service_layer.context import HallContext
from server.service_layer.handlers.tickets import record_issue, walk_in_number
from server.service_layer.unit_of_work import UnitOfWork

CODE_DIGITS = 8
WALK_IN_NOTE = "预约已过签到时间，按普通号排队 / booked, but past the check-in time: a walk-in ticket"


class AppointmentCancelled(DomainError):
    code = "appointment_cancelled"
    default_message = "该预约已取消 / this appointment was cancelled"


def new_code() -> str:
    """The code typed or scanned at the kiosk: 8 digits (unique per site; a clash draws again)."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def appointment_class(site: Site) -> str | None:
    """The layout's priority class for booked tickets (id ``appointment`` or named 预约), if it has one."""
    chosen = next((c for c in site.priority.classes if c.id == "appointment" or c.name == "预约"), None)
    return chosen.id if chosen else None


def book_appointment(command: BookAppointment, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    service = site.service(command.service)
    if service is None:
        raise NotFound("service", command.service)
    if service.appointments is None:
        raise rules.NotBookable()
    slot = rules.find_slot(site, service, rules.parse_start(command.start, site))
    now = ctx.now()
    rules.check_bookable(service, slot, ctx.today(site), now.replace(tzinfo=dt.UTC))
    session, day = uow.session, slot.start.date()
    per_day = site.appointments.per_person_per_day
    if not store.take_person_day(session, site.id, command.person_key, day, per_day):
        raise rules.AlreadyBooked(per_day)
    if not store.take_slot(session, site.id, service.id, naive_utc(slot.start), slot.capacity):
        raise rules.SlotFull()
    appointment_id = ctx.new_id()

    def build(code: str) -> Appointment:
        return Appointment(id=appointment_id, site=site.id, code=code, service=service.id, day=day,
                           start_at=naive_utc(slot.start), end_at=naive_utc(slot.end), status=rules.BOOKED,
                           name=command.name, person_key=command.person_key,
                           id_number_masked=command.id_number_masked, phone=command.phone, booked_at=now)

    appointment = store.add_with_unique_code(session, build, new_code)
    return appointment_view(site, appointment, now)


def cancel_appointment(command: CancelAppointment, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    appointment = store.cancel(uow.session, command.appointment_id, ctx.now())
    if appointment is None:
        if uow.session.get(Appointment, command.appointment_id) is None:
            raise NotFound("appointment", command.appointment_id)
        raise rules.NotCancellable()
    return appointment_view(site, appointment, ctx.now())


def check_in_appointment(command: CheckInAppointment, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    kiosk = None
    if command.kiosk is not None:
        kiosk = site.kiosk(command.kiosk)
        if kiosk is None:
            raise NotFound("kiosk", command.kiosk)
    session = uow.session
    appointment = store.by_code(session, site.id, command.code.strip())
    if appointment is None:
        raise NotFound("appointment", command.code)
    if appointment.status == rules.CHECKED_IN or (appointment.status == rules.MISSED and appointment.ticket_id):
        raise rules.AlreadyCheckedIn()
    if appointment.status == rules.CANCELLED:
        raise AppointmentCancelled()
    now = ctx.now()
    start = local(site, appointment.start_at)
    opens, closes = rules.check_in_window(site.appointments, start)
    verdict = rules.arrival(site.appointments, start, now.replace(tzinfo=dt.UTC))
    if verdict == rules.EARLY:
        raise rules.TooEarly(opens)
    walk_in = verdict == rules.LATE or appointment.status == rules.MISSED
    if walk_in and (not command.walk_in or appointment.day != ctx.today(site)):
        raise rules.TooLate(closes.astimezone(ZoneInfo(site.timezone)))
    ticket_id = ctx.new_id()
    if not store.check_in(session, appointment.id, ticket_id, now, rules.MISSED if walk_in else rules.CHECKED_IN):
        raise rules.AlreadyCheckedIn()  # another check-in of this code committed first
    service = site.service(appointment.service)
    if service is None:
        raise NotFound("service", appointment.service)
    day = ctx.today(site)
    queue = site.queue(route(site, service.id, day).queue)
    # A booked slot was promised: no daily cap (what a cap leaves is the walk-ins' share). A late arrival
    # taking a walk-in ticket is a walk-in: the hall must be open, the caps hold.
    sequence = (walk_in_number(uow.repository, ctx, site, service, queue, day, now) if walk_in
                else uow.repository.next_counter(site.id, f"queue:{queue.id}", day))
    ticket = Ticket(id=ticket_id, site=site.id, number=format_number(queue.prefix, sequence), day=day,
                    service=service.id, queue=queue.id,
                    priority_class=None if walk_in else appointment_class(site), status="waiting", issued_at=now,
                    kiosk=command.kiosk, recalls=0, appointment_id=None if walk_in else appointment.id)
    return record_issue(uow, ctx, site, ticket, kiosk, extra={"appointment": {
        "start": start.isoformat(), "end": local(site, appointment.end_at).isoformat(), "walk_in": walk_in,
        "note": WALK_IN_NOTE if walk_in else "预约 / booked"}})


def mark_missed_appointments(command: MarkMissedAppointments, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    now = ctx.now()
    cutoff = naive_utc(rules.missed_before(site.appointments, now.replace(tzinfo=dt.UTC)))
    return {"site": site.id, "missed": store.mark_missed(uow.session, site.id, cutoff, now)}


HANDLERS = {
    BookAppointment: book_appointment,
    CancelAppointment: cancel_appointment,
    CheckInAppointment: check_in_appointment,
    MarkMissedAppointments: mark_missed_appointments,
}
