"""The end of each site's local day, in a serving process: a sweep when the process starts (it may not
have been running at midnight), then a timer that wakes at the next local midnight (and at least every
``DAY_CHECK_SECONDS``, so a clock that jumps is caught too) and closes the day of every site whose day
changed. The sweep itself is the ``CloseDay`` command: idempotent, so every process may run it."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from server.domain.commands import CloseDay
from server.domain.days import next_day_start
from server.domain.errors import DomainError
from server.wiring import HallServices

log = logging.getLogger(__name__)
MIN_WAIT_SECONDS = 0.05  # a wake-up a moment before midnight looks again soon, without spinning


class DayCloser:
    def __init__(self, services: HallServices, start_task: Callable[[Callable[[], None]], object],
                 check_seconds: float = 60.0) -> None:
        self._services = services
        self._start_task = start_task
        self._check_seconds = check_seconds
        self._stopped = threading.Event()
        self._closed: dict[str, dt.date] = {}  # site -> the local day last closed up to

    def close_due(self) -> list[dict]:
        """Close the day of every site whose local day is not the one last closed (every site at first)."""
        context = self._services.context
        done = []
        for site in context.layout.sites:
            today = context.today(site)
            if self._closed.get(site.id) == today:
                continue
            try:
                result = self._services.handle(CloseDay(site.id))
            except DomainError as error:  # the database is away or busy (503): the next wake-up tries again
                log.warning("closing the day of %s waits for the database: %s", site.id, error)
                continue
            except Exception:
                log.exception("closing the day of %s failed; trying again at the next wake-up", site.id)
                continue
            self._closed[site.id] = today
            if result["cancelled"] or result["windows_closed"]:
                log.info("day closed at %s: %d tickets of earlier days cancelled, windows closed: %s",
                         site.id, result["cancelled"], ", ".join(result["windows_closed"]) or "none")
            done.append(result)
        return done

    def seconds_to_wait(self) -> float:
        context = self._services.context
        now = context.now()
        sites = context.layout.sites
        if not sites:
            return self._check_seconds
        midnight = min(next_day_start(now, site.timezone) for site in sites)
        return max(MIN_WAIT_SECONDS, min(self._check_seconds, (midnight - now).total_seconds()))

    def start(self) -> None:
        self._stopped.clear()
        self.close_due()
        self._start_task(self._run)

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(self.seconds_to_wait()):
            self.close_due()


def wire_day_closing(services: HallServices, start_task: Callable[[Callable[[], None]], object],
                     check_seconds: float) -> DayCloser:
    closer = DayCloser(services, start_task, check_seconds)
    services.started.append(closer.start)
    services.stopped.append(closer.stop)
    return closer
