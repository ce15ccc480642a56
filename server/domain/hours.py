"""Opening hours of a site."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from layout.model import OpeningPeriod, Site

MONDAY = 1


def periods_of_day(site: Site, day: date) -> list[OpeningPeriod]:
    """The opening periods of a local day, in time order. A make-up working day (调休, ``workdays``) works a
    Monday's hours, whatever weekday it falls on (a Saturday's shorter hours, a Sunday's none, do not apply)."""
    weekday = MONDAY if day in site.workdays else day.isoweekday()
    return sorted((period for period in site.hours if weekday in period.days), key=lambda period: period.opens)


def is_open(site: Site, now: datetime) -> bool:
    """Whether ``now`` falls in one of the site's opening periods, read in the site's own timezone.

    Periods are half-open: a hall closing at 17:30 no longer issues tickets at 17:30:00. A make-up working
    day has a Monday's hours (``periods_of_day``). A site without hours (a village station run on demand) is always open.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    if not site.hours:
        return True
    local = now.astimezone(ZoneInfo(site.timezone))
    clock = local.time()
    return any(period.opens <= clock < period.closes for period in periods_of_day(site, local.date()))
