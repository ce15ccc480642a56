"""The pure rules of 预约取号: slots inside opening periods on working days, the booking window, and the
check-in window with both ends included."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from layout.model import AppointmentRules, OpeningPeriod, Service, ServiceAppointments, Site
from server.domain import appointments as rules
from server.domain.errors import DomainError

SHANGHAI = ZoneInfo("Asia/Shanghai")
SITE = Site(id="hall", name="大厅", level="county", timezone="Asia/Shanghai",
            hours=(OpeningPeriod(days=(1, 2, 3, 4, 5), opens=dt.time(8, 30), closes=dt.time(12, 0)),
                   OpeningPeriod(days=(1, 2, 3, 4, 5), opens=dt.time(13, 30), closes=dt.time(17, 30)),
                   OpeningPeriod(days=(6,), opens=dt.time(9, 0), closes=dt.time(12, 0))),
            holidays=(dt.date(2026, 10, 1),), workdays=(dt.date(2026, 10, 10), dt.date(2026, 10, 11)))
SERVICE = Service("licence", "营业执照", "amr", "biz", appointments=ServiceAppointments(45, 2, 7))


def at(day: str, clock: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


def test_slots_fill_each_opening_period_and_never_run_past_its_close():
    slots = rules.slots_of_day(SITE, SERVICE, dt.date(2026, 12, 8))
    starts = [slot.start.strftime("%H:%M") for slot in slots]
    assert starts == ["08:30", "09:15", "10:00", "10:45", "13:30", "14:15", "15:00", "15:45", "16:30"]
    assert slots[3].end == at("2026-12-08", "11:30") and all(slot.capacity == 2 for slot in slots)


def test_days_off_have_no_slots_and_a_make_up_sunday_works_a_weekdays_hours():
    assert rules.slots_of_day(SITE, SERVICE, dt.date(2026, 12, 12)) == []  # Saturday: open, not a working day
    assert rules.slots_of_day(SITE, SERVICE, dt.date(2026, 12, 13)) == []  # Sunday
    assert rules.slots_of_day(SITE, SERVICE, dt.date(2026, 10, 1)) == []  # a holiday on a Thursday
    make_up = rules.slots_of_day(SITE, SERVICE, dt.date(2026, 10, 11))  # 调休: a Sunday worked
    assert make_up[0].start == at("2026-10-11", "08:30") and len(make_up) == 9
    # a Saturday worked: a weekday's hours, not the hall's shorter Saturday opening
    assert [slot.start for slot in rules.slots_of_day(SITE, SERVICE, dt.date(2026, 10, 10))] == \
        [slot.start.replace(day=10) for slot in make_up]
    assert rules.slots_of_day(SITE, replace(SERVICE, appointments=None), dt.date(2026, 12, 8)) == []


def test_a_start_must_be_a_slot_and_may_be_given_in_any_offset():
    slot = rules.find_slot(SITE, SERVICE, rules.parse_start("2026-12-08T01:15:00Z", SITE))
    assert slot.start == at("2026-12-08", "09:15")
    assert rules.find_slot(SITE, SERVICE, rules.parse_start("2026-12-08T09:15", SITE)) == slot
    # the last two: times the site's zone moves past year 1 or year 9999
    for raw in ("2026-12-08T09:00:00+08:00", "2026-12-12T09:00:00+08:00", "soon", "0001-01-01T00:00:00+08:00",
                "9999-12-31T23:59-12:00"):
        with pytest.raises(DomainError) as refused:
            rules.find_slot(SITE, SERVICE, rules.parse_start(raw, SITE))
        assert refused.value.code == "invalid_start" and refused.value.status == 400


def test_the_booking_window_is_tomorrow_to_days_ahead():
    today = dt.date(2026, 12, 7)
    assert rules.booking_days(SERVICE, today) == (dt.date(2026, 12, 8), dt.date(2026, 12, 14))
    now = at("2026-12-07", "20:00")
    rules.check_bookable(SERVICE, rules.find_slot(SITE, SERVICE, at("2026-12-14", "16:30")), today, now)
    for day in ("2026-12-07", "2026-12-15"):
        with pytest.raises(DomainError) as refused:
            rules.check_bookable(SERVICE, rules.find_slot(SITE, SERVICE, at(day, "08:30")), today, now)
        assert refused.value.code == "outside_booking_window"


def test_check_in_is_on_time_from_start_minus_early_to_start_plus_late_both_included():
    window = AppointmentRules(early_minutes=30, late_minutes=15)
    start = at("2026-12-08", "09:00")
    second = dt.timedelta(seconds=1)
    assert rules.arrival(window, start, at("2026-12-08", "08:30") - second) == rules.EARLY
    assert rules.arrival(window, start, at("2026-12-08", "08:30")) == rules.ON_TIME
    assert rules.arrival(window, start, at("2026-12-08", "09:15")) == rules.ON_TIME
    assert rules.arrival(window, start, at("2026-12-08", "09:15") + second) == rules.LATE
    assert rules.missed_before(window, at("2026-12-08", "09:15")) == start
