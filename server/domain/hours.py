"""Opening hours of a site."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from layout.model import Site


def is_open(site: Site, now: datetime) -> bool:
    """Whether ``now`` falls in one of the site's opening periods, read in the site's own timezone.

    Periods are half-open: a hall closing at 17:30 no longer issues tickets at 17:30:00.
    A site without hours (a village station run on demand) is always open.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    if not site.hours:
        return True
    local = now.astimezone(ZoneInfo(site.timezone))
    weekday, clock = local.isoweekday(), local.time()
    return any(weekday in period.days and period.opens <= clock < period.closes for period in site.hours)
