"""Marking bookings missed (预约未到): a booking not checked in by ``start + late_minutes`` becomes ``missed``.

Each serving process runs the sweep when it starts and then every ``APPOINTMENT_SWEEP_SECONDS`` (default
60). The sweep is the ``MarkMissedAppointments`` command: one UPDATE of the rows still ``booked`` whose
window has closed, so each booking is marked once across every process (a second process running it at
the same moment finds the rows no longer booked), and nothing is read first."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from server.domain.appointments import MarkMissedAppointments
from server.domain.errors import DomainError
from server.wiring import HallServices

log = logging.getLogger(__name__)
MISSED_SWEEP = "yichuang.missed_sweep"  # the app's sweep, in app.extensions


class MissedSweep:
    def __init__(self, services: HallServices, start_task: Callable[[Callable[[], None]], object],
                 every_seconds: float = 60.0) -> None:
        self._services, self._start_task, self._every = services, start_task, every_seconds
        self._stopped = threading.Event()

    def sweep(self) -> int:
        """Mark what is missed now at every site that takes bookings; how many this process marked."""
        marked = 0
        for site in self._services.context.layout.sites:
            if not any(service.appointments is not None for service in site.services):
                continue
            try:
                marked += self._services.handle(MarkMissedAppointments(site.id))["missed"]
            except DomainError as error:  # the database is away or busy: the next round tries again
                log.warning("marking missed appointments of %s waits for the database: %s", site.id, error)
            except Exception:
                log.exception("marking missed appointments of %s failed; trying again next round", site.id)
        if marked:
            log.info("appointments marked missed: %d", marked)
        return marked

    def start(self) -> None:
        self._stopped.clear()
        self.sweep()
        self._start_task(self._run)

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            self.sweep()


def wire_missed_sweep(services: HallServices, start_task: Callable[[Callable[[], None]], object],
                      every_seconds: float) -> MissedSweep:
    sweep = MissedSweep(services, start_task, every_seconds)
    services.started.append(sweep.start)
    services.stopped.append(sweep.stop)
    return sweep
