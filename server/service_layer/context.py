"""What every handler and view may read besides the database: the layout, the clock, how ids are made,
and where a ticket's status page is. The composition root makes one; tests make their own."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from layout.model import Layout, Site, Window
from server.domain.errors import NotFound
from server.domain.numbering import local_day


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def new_ticket_id() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits: the holder's only secret


@dataclass
class HallContext:
    layout: Layout
    clock: Callable[[], dt.datetime] = utc_now  # naive UTC
    ignore_hours: bool = False
    status_url: Callable[[str], str] = field(default=lambda ticket_id: f"/t/{ticket_id}")
    new_id: Callable[[], str] = new_ticket_id

    def site(self, site_id: str) -> Site:
        site = self.layout.site(site_id)
        if site is None:
            raise NotFound("site", site_id)
        return site

    def window(self, site: Site, window_id: str) -> Window:
        window = site.window(window_id)
        if window is None:
            raise NotFound("window", window_id)
        return window

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self, site: Site) -> dt.date:
        return local_day(self.clock().replace(tzinfo=dt.UTC), site.timezone)
