"""The atomic statements of 预约取号. Each runs in the caller's transaction; none commits; none reads a row
and then writes what it read.

A slot's bookings and a person's bookings of a day are counter rows raised by one
``INSERT … ON CONFLICT DO UPDATE SET booked = booked + 1 WHERE booked < limit RETURNING booked``: no row
back means the limit was reached. On PostgreSQL a second transaction raising the same row waits for the
first one's row lock and then sees its committed count (the WHERE is checked again on the newest row); on
SQLite writers are serial (BEGIN IMMEDIATE). The counters and the appointment row commit or roll back
together, so a slot never takes more than its capacity, in any number of processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain.appointments import BOOKED, CANCELLED, CHECKED_IN, MISSED
from server.models import Appointment, AppointmentPersonDay, AppointmentSlot


def _insert(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _raise_below(session: Session, table, keys: dict, limit: int) -> bool:
    """Raise ``booked`` of the row ``keys`` by one when it is below ``limit`` (creating it at 1); whether it was."""
    if limit < 1:
        return False
    statement = (_insert(session)(table).values(**keys, booked=1)
                 .on_conflict_do_update(index_elements=list(keys), set_={"booked": table.booked + 1},
                                        where=table.booked < limit)
                 .returning(table.booked))
    return session.execute(statement).scalar_one_or_none() is not None


def take_slot(session: Session, site: str, service: str, start_at: dt.datetime, capacity: int) -> bool:
    return _raise_below(session, AppointmentSlot, {"site": site, "service": service, "start_at": start_at}, capacity)


def take_person_day(session: Session, site: str, person_key: str, day: dt.date, per_day: int) -> bool:
    return _raise_below(session, AppointmentPersonDay, {"site": site, "person_key": person_key, "day": day}, per_day)


def add_with_unique_code(session: Session, build: Callable[[str], Appointment],
                         new_code: Callable[[], str]) -> Appointment:
    """Insert the appointment ``build(code)`` makes, drawing another code while one is taken at the site (a
    savepoint per try, so the counters raised before stay in the transaction)."""
    for _ in range(8):
        appointment = build(new_code())
        try:
            with session.begin_nested():
                session.add(appointment)
            return appointment
        except IntegrityError:
            continue
    raise RuntimeError("no free appointment code after 8 tries")


def cancel(session: Session, appointment_id: str, now: dt.datetime) -> Appointment | None:
    """Cancel a booked appointment that has not begun, and give its slot and its person's day back, in one
    transaction; None when it is not (or no longer) booked or has begun."""
    changed = session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.status == BOOKED, Appointment.start_at > now)
        .values(status=CANCELLED, cancelled_at=now)
        .returning(Appointment.id)).scalar_one_or_none()
    if changed is None:
        return None
    appointment = session.get(Appointment, appointment_id, populate_existing=True)
    session.execute(update(AppointmentSlot)
                    .where(AppointmentSlot.site == appointment.site, AppointmentSlot.service == appointment.service,
                           AppointmentSlot.start_at == appointment.start_at, AppointmentSlot.booked > 0)
                    .values(booked=AppointmentSlot.booked - 1))
    session.execute(update(AppointmentPersonDay)
                    .where(AppointmentPersonDay.site == appointment.site,
                           AppointmentPersonDay.person_key == appointment.person_key,
                           AppointmentPersonDay.day == appointment.day, AppointmentPersonDay.booked > 0)
                    .values(booked=AppointmentPersonDay.booked - 1))
    return appointment


def by_code(session: Session, site: str, code: str) -> Appointment | None:
    return session.scalar(select(Appointment).where(Appointment.site == site, Appointment.code == code))


def check_in(session: Session, appointment_id: str, ticket_id: str, now: dt.datetime,
             status: str = CHECKED_IN) -> bool:
    """Mark a booked appointment checked in with its ticket (or, ``status`` missed, note a late walk-in's
    ticket), once: whether this call did it (a second check-in finds it no longer booked)."""
    allowed = (BOOKED,) if status == CHECKED_IN else (BOOKED, MISSED)
    values = {"status": status, "ticket_id": ticket_id}
    values["checked_in_at" if status == CHECKED_IN else "missed_at"] = now
    changed = session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.status.in_(allowed), Appointment.ticket_id.is_(None))
        .values(**values).returning(Appointment.id)).scalar_one_or_none()
    return changed is not None


def mark_missed(session: Session, site: str, started_before: dt.datetime, now: dt.datetime) -> int:
    """Every booking of ``site`` still booked whose start is before ``started_before`` becomes missed, in one
    statement (a second run, in any process, finds none left): how many this run changed."""
    result = session.execute(update(Appointment)
                             .where(Appointment.site == site, Appointment.status == BOOKED,
                                    Appointment.start_at < started_before)
                             .values(status=MISSED, missed_at=now))
    return result.rowcount or 0


def booked_per_slot(session: Session, site: str, service: str, first: dt.datetime,
                    last: dt.datetime) -> dict[dt.datetime, int]:
    rows = session.execute(select(AppointmentSlot.start_at, AppointmentSlot.booked)
                           .where(AppointmentSlot.site == site, AppointmentSlot.service == service,
                                  AppointmentSlot.start_at >= first, AppointmentSlot.start_at <= last))
    return {start: booked for start, booked in rows}


def counts_by_day(session: Session, site: str, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, int]]:
    """Appointments per local day and status (cancelled ones included), in one GROUP BY."""
    rows = session.execute(select(Appointment.day, Appointment.status, func.count())
                           .where(Appointment.site == site, Appointment.day >= first, Appointment.day <= last)
                           .group_by(Appointment.day, Appointment.status))
    counts: dict[dt.date, dict[str, int]] = {}
    for day, status, count in rows:
        counts.setdefault(day, {})[status] = count
    return counts
