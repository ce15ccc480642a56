"""Working days: Monday to Friday, minus holidays, plus make-up days; the first day is never counted."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from layout.model import Site
from server.domain.workdays import add_working_days, is_working_day, working_days_left

PLAIN = Site(id="hall", name="大厅", level="county", timezone="Asia/Shanghai", hours=())
# 2026 National Day: 1–7 October off, Saturday 10 October worked instead.
NATIONAL_DAY = dataclasses.replace(
    PLAIN,
    holidays=tuple(dt.date(2026, 10, day) for day in (1, 2, 5, 6, 7)),
    workdays=(dt.date(2026, 10, 10),),
)
TUESDAY = dt.date(2026, 12, 1)


def test_a_case_accepted_on_a_tuesday_with_five_days_is_due_the_next_tuesday():
    assert add_working_days(PLAIN, TUESDAY, 5) == dt.date(2026, 12, 8)


def test_no_days_is_the_same_day_and_one_day_from_a_friday_is_the_monday():
    assert add_working_days(PLAIN, TUESDAY, 0) == TUESDAY
    assert add_working_days(PLAIN, dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)


def test_saturday_is_no_working_day_unless_it_is_a_make_up_day():
    assert not is_working_day(PLAIN, dt.date(2026, 10, 10))
    assert is_working_day(NATIONAL_DAY, dt.date(2026, 10, 10))
    assert not is_working_day(NATIONAL_DAY, dt.date(2026, 10, 1))


def test_holidays_are_skipped_and_make_up_days_counted():
    # Accepted Wednesday 30 September: 8 and 9 October are the first working days, then Saturday 10.
    assert add_working_days(NATIONAL_DAY, dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(NATIONAL_DAY, dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert add_working_days(NATIONAL_DAY, dt.date(2026, 9, 30), 4) == dt.date(2026, 10, 12)


def test_days_left_is_zero_on_the_deadline_and_negative_after_it():
    deadline = dt.date(2026, 12, 8)
    assert working_days_left(PLAIN, TUESDAY, deadline) == 5
    assert working_days_left(PLAIN, deadline, deadline) == 0
    assert working_days_left(PLAIN, dt.date(2026, 12, 10), deadline) == -2
    assert working_days_left(PLAIN, dt.date(2026, 12, 12), deadline) == -3  # a Saturday: still 3 past
    friday = dt.date(2026, 12, 11)
    assert working_days_left(PLAIN, dt.date(2026, 12, 12), friday) == -1  # the weekend after: overdue, not due today
    assert working_days_left(PLAIN, dt.date(2026, 12, 13), friday) == -1
    assert working_days_left(PLAIN, dt.date(2026, 12, 14), friday) == -1


def test_a_negative_count_and_an_endless_holiday_are_refused():
    with pytest.raises(ValueError):
        add_working_days(PLAIN, TUESDAY, -1)
    endless = dataclasses.replace(PLAIN, holidays=tuple(TUESDAY + dt.timedelta(days=n) for n in range(1, 120)))
    with pytest.raises(ValueError):
        add_working_days(endless, TUESDAY, 1)
