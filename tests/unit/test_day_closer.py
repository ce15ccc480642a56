"""The day's timer: it wakes at the next local midnight (or sooner, to catch a clock that jumps) and closes
the day of each site once per day, trying again when the database was away."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from server.day_boundary import DayCloser
from server.domain.commands import CloseDay
from server.service_layer.context import HallContext
from tests.support.small_hall import small_hall


class Services:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.context = HallContext(small_hall(), clock=lambda: self.now)
        self.handled: list[CloseDay] = []
        self.fail = False

    def handle(self, command: CloseDay) -> dict:
        if self.fail:
            raise ConnectionError("database away")
        self.handled.append(command)
        return {"site": command.site, "day": "", "cancelled": 0, "windows_closed": []}


def closer(services: Services, check_seconds: float = 60.0) -> DayCloser:
    return DayCloser(services, start_task=lambda run: SimpleNamespace(), check_seconds=check_seconds)


def test_it_wakes_at_the_hall_s_midnight_not_utc_s():
    services = Services(dt.datetime(2026, 1, 5, 15, 59, 30))  # 23:59:30 in Shanghai
    assert closer(services).seconds_to_wait() == 30
    assert closer(services, check_seconds=5).seconds_to_wait() == 5, "and at least every check_seconds"
    services.now = dt.datetime(2026, 1, 5, 15, 59, 59, 990_000)
    assert closer(services).seconds_to_wait() == 0.05, "never a busy loop just before midnight"


def test_each_site_s_day_is_closed_once_and_again_after_a_failure():
    services = Services(dt.datetime(2026, 1, 5, 1, 0))
    day = closer(services)
    services.fail = True
    assert day.close_due() == []
    services.fail = False
    assert len(day.close_due()) == 1 and day.close_due() == [], "closed up to today: nothing more today"
    services.now += dt.timedelta(days=1)
    assert [command.site for command in services.handled] == ["hall"]
    day.close_due()
    assert [command.site for command in services.handled] == ["hall", "hall"]
