"""Alerts in the database, and the state their rules read: waiting tickets of the day, the latest printer
and screen states (from the stored events, so that every process reads the same). One open alert per
cause is a partial unique index: two processes finding the same cause open it once."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server import store
from server.models import Alert, SiteEvent
from server.rating_store import open_rectifications_seen

DEVICE_EVENTS_SCANNED = 500  # device events are state changes: the newest few hundred name every device


class SqlAlertStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def waiting(self, site: str, day: dt.date) -> tuple[dict[str, int], dict[str, dt.datetime]]:
        return store.waiting_counts(self.session, site, day), store.oldest_waiting(self.session, site, day)

    def latest_device_states(self, site: str, kind: str) -> dict[str, dict]:
        """The newest ``printer`` (by kiosk) or ``screen`` (by display) payload of each device."""
        field = "kiosk" if kind == "printer" else "display"
        rows = self.session.scalars(select(SiteEvent.payload).where(SiteEvent.site == site, SiteEvent.kind == kind)
                                    .order_by(SiteEvent.seq.desc()).limit(DEVICE_EVENTS_SCANNED))
        latest: dict[str, dict] = {}
        for row in rows:
            payload = json.loads(row)
            latest.setdefault(str(payload.get(field)), payload)
        return latest

    def open_alerts(self, site: str) -> list[Alert]:
        return list(self.session.scalars(select(Alert).where(Alert.site == site, Alert.cleared_at.is_(None))
                                         .order_by(Alert.id)))

    def open(self, site: str, kind: str, subject: str, message: str, now: dt.datetime) -> Alert | None:
        """The new alert, or None when one for this cause is open already (in any process)."""
        dialect = self.session.get_bind().dialect.name
        factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (factory(Alert).values(site=site, kind=kind, subject=subject, message=message, opened_at=now)
                     .on_conflict_do_nothing(index_elements=["site", "kind", "subject"],
                                             index_where=Alert.cleared_at.is_(None))
                     .returning(Alert.id))
        alert_id = self.session.execute(statement).scalar_one_or_none()
        return None if alert_id is None else self.session.get(Alert, alert_id)

    def clear(self, alert_id: int, now: dt.datetime) -> Alert | None:
        """The cleared alert, or None when another process cleared it first."""
        cleared = self.session.execute(update(Alert).where(Alert.id == alert_id, Alert.cleared_at.is_(None))
                                       .values(cleared_at=now).returning(Alert.id)).scalar_one_or_none()
        return None if cleared is None else self.session.get(Alert, alert_id, populate_existing=True)

    def alert(self, site: str, alert_id: int, lock: bool = False) -> Alert | None:
        alert = self.session.get(Alert, alert_id, with_for_update=lock or None)
        return alert if alert is not None and alert.site == site else None

    def log(self, site: str, limit: int = 200) -> list[Alert]:
        return list(self.session.scalars(select(Alert).where(Alert.site == site)
                                         .order_by(Alert.opened_at.desc(), Alert.id.desc()).limit(limit)))

    def count_open(self, site: str) -> int:
        return self.session.scalar(select(func.count()).select_from(Alert)
                                   .where(Alert.site == site, Alert.cleared_at.is_(None))) or 0

    def open_rectifications(self, site) -> list:
        """好差评: the site's rectifications not closed, as the alert rules read them (``RectificationSeen``)."""
        return open_rectifications_seen(self.session, site)
