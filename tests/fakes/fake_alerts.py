"""An in-memory alert store for the handler tests: the same methods as ``server.alert_store.SqlAlertStore``,
reading the waiting tickets of the fake repository and the device states the test sets."""

from __future__ import annotations

import datetime as dt
import itertools

from server.models import Alert


class FakeAlertStore:
    def __init__(self, repository) -> None:
        self._repository = repository
        self.alerts: dict[int, Alert] = {}
        self.devices: dict[tuple[str, str], dict[str, dict]] = {}  # (site, "printer"|"screen") -> id -> payload
        self._ids = itertools.count(1)
        self.rectifications: dict[str, list] = {}  # site id -> RectificationSeen of its open rectifications

    def waiting(self, site: str, day: dt.date) -> tuple[dict[str, int], dict[str, dt.datetime]]:
        waiting = [t for t in self._repository.tickets.values()
                   if t.site == site and t.status == "waiting" and t.day == day]
        counts: dict[str, int] = {}
        oldest: dict[str, dt.datetime] = {}
        for ticket in waiting:
            counts[ticket.queue] = counts.get(ticket.queue, 0) + 1
            since = ticket.requeued_at or ticket.issued_at
            oldest[ticket.queue] = min(oldest.get(ticket.queue, since), since)
        return counts, oldest

    def latest_device_states(self, site: str, kind: str) -> dict[str, dict]:
        return dict(self.devices.get((site, kind), {}))

    def open_alerts(self, site: str) -> list[Alert]:
        return [a for a in self.alerts.values() if a.site == site and a.cleared_at is None]

    def open(self, site: str, kind: str, subject: str, message: str, now: dt.datetime) -> Alert | None:
        if any((a.kind, a.subject) == (kind, subject) for a in self.open_alerts(site)):
            return None
        alert = Alert(id=next(self._ids), site=site, kind=kind, subject=subject, message=message, opened_at=now)
        self.alerts[alert.id] = alert
        return alert

    def clear(self, alert_id: int, now: dt.datetime) -> Alert | None:
        alert = self.alerts.get(alert_id)
        if alert is None or alert.cleared_at is not None:
            return None
        alert.cleared_at = now
        return alert

    def alert(self, site: str, alert_id: int, lock: bool = False) -> Alert | None:
        alert = self.alerts.get(alert_id)
        return alert if alert is not None and alert.site == site else None

    def open_rectifications(self, site) -> list:
        return list(self.rectifications.get(site.id, []))
