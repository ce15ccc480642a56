"""Working days (工作日) of a site, for promised deadlines (承诺时限) and rectification deadlines.

Monday to Friday are working days, minus the site's ``holidays``, plus its ``workdays`` (调休: a weekend day
worked instead of a holiday); a hall's Saturday opening hours do not make Saturday a working day. Counting
from a day never counts that day itself: a case accepted on a Tuesday with five promised days is due the next
Tuesday (contract v1.1).
"""

from __future__ import annotations

import datetime as dt

from layout.model import Site

_LONGEST_RUN_OFF = 60  # no calendar has this many days off in a row; a layout that did would loop for ever


def is_working_day(site: Site, day: dt.date) -> bool:
    if day in site.workdays:
        return True
    return day.isoweekday() <= 5 and day not in site.holidays


def add_working_days(site: Site, start: dt.date, days: int) -> dt.date:
    """The day ``days`` working days after ``start`` (``start`` itself not counted); ``start`` for 0."""
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    day, left, idle = start, days, 0
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(site, day):
            left, idle = left - 1, 0
        else:
            idle += 1
            if idle > _LONGEST_RUN_OFF:
                raise ValueError(f"no working day within {_LONGEST_RUN_OFF} days after {day.isoformat()}")
    return day


def working_days_left(site: Site, today: dt.date, deadline: dt.date) -> int:
    """Working days after ``today`` up to and including ``deadline``: 0 on the deadline day itself (due
    today), negative by the working days past it once ``today`` is later — at least -1, also on the weekend or
    holiday right after the deadline (overdue, not due today)."""
    if deadline >= today:
        return _working_days_in(site, today, deadline)
    return -max(1, _working_days_in(site, deadline, today))


def _working_days_in(site: Site, after: dt.date, until: dt.date) -> int:
    """Working days d with after < d <= until."""
    count, day = 0, after
    while day < until:
        day += dt.timedelta(days=1)
        count += is_working_day(site, day)
    return count
