"""When the alert rules are evaluated: soon after any commit of a site (at most once a second per site,
so a busy hall does not evaluate per call) and every ``interval`` seconds whatever happens, since a wait
passes its target with nothing happening. Every process may run it: the store opens each alert once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from server.domain.alerts import AlertChanged, EvaluateAlerts
from server.domain.events import Event

log = logging.getLogger(__name__)
SETTLE_SECONDS = 1.0


class AlertWatch:
    def __init__(self, handle: Callable, sites: list[str], interval: float,
                 spawn: Callable, sleep: Callable[[float], None]) -> None:
        self._handle, self._sites, self._interval = handle, list(sites), interval
        self._spawn, self._sleep = spawn, sleep
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._running = False
        self._task = None

    def __call__(self, event: Event) -> None:
        """A reaction to every committed event but its own."""
        if not isinstance(event, AlertChanged):
            with self._lock:
                self._dirty.add(event.site)

    def start(self) -> None:
        if not self._running:
            self._running = True
            self._task = self._spawn(self._run)

    def stop(self) -> None:
        self._running = False
        if self._task is not None:
            self._task.join(2 * SETTLE_SECONDS)

    def _run(self) -> None:
        last_round = float("-inf")  # the first round evaluates every site: a restart finds what is wrong now
        while self._running:
            self._sleep(SETTLE_SECONDS)
            with self._lock:
                due, self._dirty = self._dirty, set()
            if time.monotonic() - last_round >= self._interval:
                due, last_round = set(self._sites), time.monotonic()
            for site in due:
                try:
                    self._handle(EvaluateAlerts(site))
                except Exception:  # the next round tries again; the hall's own work goes on
                    log.exception("evaluating the alerts of %s failed", site)
