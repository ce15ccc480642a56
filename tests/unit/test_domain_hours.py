from datetime import UTC, datetime, time

import pytest

from layout.model import OpeningPeriod
from server.domain.hours import is_open
from tests.unit.domain_factories import make_site

SITE = make_site()  # Mon–Fri 08:30–12:00 and 13:30–17:30, Asia/Shanghai


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(26, 0, 29), False),  # Thursday 08:29 in Shanghai
        (utc(26, 0, 30), True),  # 08:30 opens
        (utc(26, 3, 59), True),  # 11:59
        (utc(26, 4, 0), False),  # 12:00 lunch break
        (utc(26, 5, 30), True),  # 13:30
        (utc(26, 9, 29), True),  # 17:29
        (utc(26, 9, 30), False),  # 17:30 closed
        (utc(28, 2, 0), False),  # Saturday 10:00
    ],
)
def test_opening_hours_are_read_in_the_site_timezone(moment, expected):
    assert is_open(SITE, moment) is expected


def test_a_utc_morning_that_is_already_local_afternoon_counts_as_open():
    # 05:45 UTC is 13:45 in Shanghai: open, although 05:45 is outside the hours as written.
    assert is_open(SITE, utc(26, 5, 45)) is True


def test_a_site_without_hours_is_always_open():
    assert is_open(make_site(hours=()), utc(28, 20, 0)) is True


def test_a_saturday_morning_period_applies_on_saturday_only():
    site = make_site(hours=(OpeningPeriod(days=(6,), opens=time(9, 0), closes=time(12, 0)),))
    assert is_open(site, utc(28, 2, 0)) is True
    assert is_open(site, utc(26, 2, 0)) is False


def test_is_open_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(SITE, datetime(2026, 11, 26, 10, 0))



def test_a_make_up_working_day_works_a_mondays_hours_whatever_its_weekday():
    saturday_hours = OpeningPeriod(days=(6,), opens=time(9, 0), closes=time(12, 0))
    site = make_site(hours=(*SITE.hours, saturday_hours),
                     workdays=(datetime(2026, 11, 28).date(), datetime(2026, 11, 29).date()))  # 调休: Sat and Sun
    assert is_open(site, utc(28, 6, 0)) is True  # the make-up Saturday at 14:00: a Monday's afternoon
    assert is_open(site, utc(28, 0, 40)) is True  # 08:40: a Monday's morning (a Saturday opens at 09:00)
    assert is_open(site, utc(29, 2, 0)) is True  # the make-up Sunday at 10:00
    ordinary_saturday = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
    assert is_open(site, ordinary_saturday) is False  # 14:00 of a plain Saturday: its own hours, closed
    assert is_open(site, ordinary_saturday.replace(hour=2)) is True  # 10:00
