"""Prometheus metrics in the text exposition format. Hall figures are read from the database at scrape
time, so every process answers the same numbers whichever one Prometheus asks; the process figures
(memory, Socket.IO clients, screens) belong to the process that answers."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable

from flask import Flask
from sqlalchemy import func, select

from server.domain.tickets import DONE, FINAL_STATUSES
from server.models import Counter, PrintJob, SiteEvent, Ticket, WindowState
from server.wiring import HallServices

WAIT_BUCKETS_SECONDS = (60, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200)
SERVICE_BUCKETS_SECONDS = (60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400)
PRINTER_EVENTS_SCANNED = 500  # printer events are state changes: the newest few hundred name every kiosk


class Exposition:
    """Collects samples grouped by metric and writes them in the text format."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def metric(self, name: str, kind: str, help_text: str, samples: Iterable[tuple[dict, float]]) -> None:
        self.header(name, kind, help_text)
        self.samples(name, samples)

    def header(self, name: str, kind: str, help_text: str) -> None:
        self._lines.append(f"# HELP {name} {help_text}")
        self._lines.append(f"# TYPE {name} {kind}")

    def samples(self, name: str, samples: Iterable[tuple[dict, float]]) -> None:
        for labels, value in samples:
            self._lines.append(f"{name}{_labels(labels)} {_number(value)}")

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"


def _labels(labels: dict) -> str:
    if not labels:
        return ""
    escaped = (f'{key}="{str(value).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
               for key, value in labels.items())
    return "{" + ",".join(escaped) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(app: Flask, wiring: HallServices) -> str:
    out = Exposition()
    with wiring.db.read() as session:
        _hall_metrics(out, session, wiring)
    _process_metrics(out, app, wiring)
    return out.text()


def _hall_metrics(out: Exposition, session, wiring: HallServices) -> None:
    sites = [site.id for site in wiring.layout.sites]
    issued = session.execute(select(Counter.site, Counter.scope, func.sum(Counter.value))
                             .where(Counter.scope.like("queue:%")).group_by(Counter.site, Counter.scope))
    out.metric("yichuang_tickets_issued_total", "counter", "Tickets issued since the hall started (all days).",
               (({"site": site, "queue": scope.removeprefix("queue:")}, total) for site, scope, total in issued))

    calls = dict(session.execute(select(SiteEvent.site, func.count()).where(SiteEvent.kind == "called")
                                 .group_by(SiteEvent.site)).all())
    out.metric("yichuang_calls_total", "counter", "Calls announced to the screens, recalls included.",
               (({"site": site}, calls.get(site, 0)) for site in sites))

    waiting = session.execute(select(Ticket.site, Ticket.queue, func.count()).where(Ticket.status == "waiting")
                              .group_by(Ticket.site, Ticket.queue))
    out.metric("yichuang_waiting", "gauge", "Tickets waiting now, per queue.",
               (({"site": site, "queue": queue}, count) for site, queue, count in waiting))

    windows: dict[tuple[str, str], int] = defaultdict(int)
    for state in session.scalars(select(WindowState)):
        site = wiring.layout.site(state.site)
        if site is not None and state.day == wiring.context.today(site) and state.state != "closed":
            windows[(state.site, state.state)] += 1
    out.metric("yichuang_windows", "gauge", "Windows open or paused today.",
               (({"site": site, "state": state}, count) for (site, state), count in sorted(windows.items())))

    _wait_histogram(out, session, wiring)
    _outcomes(out, session, wiring)
    _service_histogram(out, session, wiring)

    jobs = session.execute(select(PrintJob.site, PrintJob.status, func.count())
                           .where(PrintJob.status != "printed").group_by(PrintJob.site, PrintJob.status))
    out.metric("yichuang_print_jobs_unfinished", "gauge", "Print jobs not printed (pending, sent or failed).",
               (({"site": site, "status": status}, count) for site, status, count in jobs))

    out.metric("yichuang_printer_state", "gauge", "Last reported state of each kiosk printer (1 = current).",
               _printer_states(session, sites))


def _wait_histogram(out: Exposition, session, wiring: HallServices) -> None:
    """Waits (issue → first call) of the tickets called on the hall's current local day; the series
    restart at local midnight, which Prometheus' rate() and increase() read as a counter reset."""
    out.header("yichuang_wait_seconds", "histogram", "Wait from issue to first call, tickets called today.")
    for site in wiring.layout.sites:
        day = wiring.context.today(site)
        rows = session.execute(select(Ticket.queue, Ticket.issued_at, Ticket.called_at)
                               .where(Ticket.site == site.id, Ticket.day == day, Ticket.called_at.is_not(None),
                                      Ticket.origin_id.is_(None)))
        waits: dict[str, list[float]] = defaultdict(list)
        for queue, issued_at, called_at in rows:
            waits[queue].append(max(0.0, (called_at - issued_at).total_seconds()))
        _histogram_samples(out, "yichuang_wait_seconds", site.id, waits, WAIT_BUCKETS_SECONDS)


def _histogram_samples(out: Exposition, name: str, site: str, values_by_queue: dict[str, list[float]],
                       buckets: tuple[int, ...]) -> None:
    for queue, values in sorted(values_by_queue.items()):
        labels = {"site": site, "queue": queue}
        for bound in buckets:
            out.samples(f"{name}_bucket", [({**labels, "le": bound}, sum(1 for value in values if value <= bound))])
        out.samples(f"{name}_bucket", [({**labels, "le": "+Inf"}, len(values))])
        out.samples(f"{name}_sum", [(labels, round(sum(values), 3))])
        out.samples(f"{name}_count", [(labels, len(values))])


def _today(wiring: HallServices, site):
    return wiring.context.today(site)


def _outcomes(out: Exposition, session, wiring: HallServices) -> None:
    """How the tickets of the hall's current local day ended, per queue: the finish outcome (accepted,
    notified, rejected, handled), or no_show, transferred, cancelled. Restarts at local midnight."""
    samples = []
    for site in wiring.layout.sites:
        rows = session.execute(select(Ticket.queue, Ticket.status, Ticket.outcome, func.count())
                               .where(Ticket.site == site.id, Ticket.day == _today(wiring, site),
                                      Ticket.status.in_(sorted(FINAL_STATUSES)))
                               .group_by(Ticket.queue, Ticket.status, Ticket.outcome))
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for queue, status, outcome, count in rows:
            counts[(queue, outcome if status == DONE and outcome else status)] += count
        samples += [({"site": site.id, "queue": queue, "outcome": outcome}, count)
                    for (queue, outcome), count in sorted(counts.items())]
    out.metric("yichuang_outcomes_total", "counter",
               "How today's tickets ended (finish outcome, no_show, transferred, cancelled), per queue.", samples)


def _service_histogram(out: Exposition, session, wiring: HallServices) -> None:
    """Service times (first call → finish) of the tickets finished on the hall's current local day."""
    out.header("yichuang_service_seconds", "histogram", "Service from first call to finish, tickets finished today.")
    for site in wiring.layout.sites:
        rows = session.execute(select(Ticket.queue, Ticket.called_at, Ticket.finished_at)
                               .where(Ticket.site == site.id, Ticket.day == _today(wiring, site),
                                      Ticket.status == DONE, Ticket.called_at.is_not(None),
                                      Ticket.finished_at.is_not(None)))
        services: dict[str, list[float]] = defaultdict(list)
        for queue, called_at, finished_at in rows:
            services[queue].append(max(0.0, (finished_at - called_at).total_seconds()))
        _histogram_samples(out, "yichuang_service_seconds", site.id, services, SERVICE_BUCKETS_SECONDS)


def _printer_states(session, sites: list[str]) -> list[tuple[dict, float]]:
    samples = []
    for site in sites:
        rows = session.scalars(select(SiteEvent.payload).where(SiteEvent.site == site, SiteEvent.kind == "printer")
                               .order_by(SiteEvent.seq.desc()).limit(PRINTER_EVENTS_SCANNED))
        seen: set[str] = set()
        for payload in rows:
            event = json.loads(payload)
            kiosk = event.get("kiosk")
            if kiosk is None or kiosk in seen:
                continue
            seen.add(kiosk)
            samples.append(({"site": site, "kiosk": kiosk, "state": event.get("state", "unknown")}, 1))
    return samples


def _process_metrics(out: Exposition, app: Flask, wiring: HallServices) -> None:
    out.metric("yichuang_process_resident_memory_bytes", "gauge", "Resident memory of this server process.",
               [({"pid": os.getpid()}, _resident_bytes())])
    out.metric("yichuang_process_socketio_clients", "gauge", "Socket.IO clients connected to this process.",
               [({"pid": os.getpid()}, _socketio_clients())])
    out.metric("yichuang_process_events_total", "counter", "Events this process committed, by kind.",
               [({"pid": os.getpid(), "event": kind}, count) for kind, count in sorted(wiring.event_counts().items())])
    out.metric("yichuang_screens_connected", "gauge", "Screens connected to this process.",
               [({"pid": os.getpid(), **labels}, count) for labels, count in _connected_screens(wiring)])


def _resident_bytes() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _socketio_clients() -> int:
    from server.extensions import socketio

    server = getattr(socketio, "server", None)
    sockets = getattr(getattr(server, "eio", None), "sockets", None)
    return len(sockets) if sockets is not None else 0


def _connected_screens(wiring: HallServices) -> list[tuple[dict, int]]:
    """Screens connected to this process (the display package's registry, as the app wired it)."""
    grouped: dict[tuple[str, str], int] = defaultdict(int)
    for screen in wiring.connected_screens():
        grouped[(str(screen.get("site")), str(screen.get("audio") or "unknown"))] += 1
    return [({"site": site, "audio": audio}, count) for (site, audio), count in sorted(grouped.items())]
