"""The site's local day as the unit of a queue: where a day begins, in the naive UTC the rows hold."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def day_start(day: dt.date, timezone: str) -> dt.datetime:
    """Local midnight at the start of ``day``, as naive UTC."""
    midnight = dt.datetime.combine(day, dt.time(0), ZoneInfo(timezone))
    return midnight.astimezone(dt.UTC).replace(tzinfo=None)


def next_day_start(now: dt.datetime, timezone: str) -> dt.datetime:
    """The next local midnight after ``now`` (naive UTC), as naive UTC."""
    local = now.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone))
    return day_start(local.date() + dt.timedelta(days=1), timezone)
