"""Rules about the reform's additions to a site: the working-day calendar, promised deadlines and delivery,
appointment slots and the 好差评 form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from layout.model import AppointmentRules, RatingRules, ServiceAppointments
from layout.site_view import SiteView, entries

_RATING_LEVELS = (1, 2, 3, 4, 5)


def check_calendar(view: SiteView) -> None:
    """``holidays`` are weekdays off, ``workdays`` are weekend make-up days (调休); no date is both."""
    site = view.site
    seen: dict[dt.date, str] = {}
    for field, weekend_expected in (("holidays", False), ("workdays", True)):
        for position, day in entries(getattr(site, field)):
            if not isinstance(day, dt.date):
                continue
            if day in seen:
                view.add(field, position, message=f"{day.isoformat()} is already listed in {seen[day]}")
                continue
            seen[day] = field
            if weekend_expected and day.isoweekday() < 6:
                view.add(field, position, message=f"{day.isoformat()} is a weekday, already a working day; "
                                                  "workdays lists weekend days worked instead (调休)")


def check_service_terms(view: SiteView) -> None:
    """Promised days, delivery and bookable slots of each item."""
    for index, service in entries(view.site.services):
        days = service.promised_days
        if isinstance(days, int) and not 0 <= days <= 365:
            view.add("services", index, "promised_days",
                     message=f"promised_days counts working days from 0 (即办) to 365, got {days}")
        delivery = service.delivery
        if isinstance(delivery, tuple):
            if not delivery:
                view.add("services", index, "delivery", message="delivery needs pickup, mail or both")
            elif len(set(delivery)) != len(delivery):
                view.add("services", index, "delivery", message="delivery lists a way twice")
        if isinstance(service.appointments, ServiceAppointments):
            _check_slots(view, service.appointments, ("services", index, "appointments"))


def _check_slots(view: SiteView, slots: ServiceAppointments, path: tuple[Any, ...]) -> None:
    _at_least(view, slots.slot_minutes, 5, path + ("slot_minutes",))
    if isinstance(slots.slot_minutes, int) and slots.slot_minutes > 240:
        view.add(*path, "slot_minutes", message=f"slot_minutes is at most 240, got {slots.slot_minutes}")
    _at_least(view, slots.per_slot, 1, path + ("per_slot",))
    _at_least(view, slots.days_ahead, 1, path + ("days_ahead",))
    if isinstance(slots.days_ahead, int) and slots.days_ahead > 90:
        view.add(*path, "days_ahead", message=f"days_ahead is at most 90, got {slots.days_ahead}")


def check_appointment_rules(view: SiteView) -> None:
    rules = view.site.appointments
    if isinstance(rules, AppointmentRules):
        _at_least(view, rules.early_minutes, 0, ("appointments", "early_minutes"))
        _at_least(view, rules.late_minutes, 0, ("appointments", "late_minutes"))
        _at_least(view, rules.per_person_per_day, 1, ("appointments", "per_person_per_day"))


def check_rating_form(view: SiteView) -> None:
    """A form given in the layout names each of the five levels once and its reasons once."""
    rating = view.site.rating
    if not isinstance(rating, RatingRules):
        return
    _at_least(view, rating.rectify_working_days, 1, ("rating", "rectify_working_days"))
    levels = [level.level for _index, level in entries(rating.levels) if isinstance(level.level, int)]
    if isinstance(rating.levels, tuple) and rating.levels and sorted(levels) != list(_RATING_LEVELS):
        view.add("rating", "levels", message="the rating form names each level 1 to 5 exactly once, "
                                             f"got {sorted(levels)}")
    reasons: set[str] = set()
    for index, reason in entries(rating.reasons):
        if isinstance(reason.id, str) and reason.id in reasons:
            view.add("rating", "reasons", index, "id", message=f"reason '{reason.id}' is listed twice")
        reasons.add(reason.id)


def _at_least(view: SiteView, value: Any, least: int, path: tuple[Any, ...]) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value < least:
        view.add(*path, message=f"{path[-1]} must be at least {least}, got {value}")
