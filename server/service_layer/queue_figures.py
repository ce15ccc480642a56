"""The figures every queue's wait estimate reads, for all queues of a site in two statements — the open
windows of the day and each queue's last service times — instead of two statements per queue. It answers
the two questions ``views.eta`` asks of a repository, with what those would answer one by one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.models import Ticket, WindowState
from server.store import RECENT_DURATIONS


class QueueFigures:
    def __init__(self, session: Session, site: str, day: dt.date) -> None:
        self.site, self.day = site, day
        self._open = set(session.scalars(select(WindowState.window).where(
            WindowState.site == site, WindowState.day == day, WindowState.state == "open")))
        latest = select(Ticket.queue, Ticket.called_at, Ticket.finished_at,
                        func.row_number().over(partition_by=Ticket.queue, order_by=Ticket.finished_at.desc())
                        .label("latest")) \
            .where(Ticket.site == site, Ticket.day == day, Ticket.status == "done", Ticket.called_at.is_not(None)) \
            .subquery()
        self._durations: dict[str, list[float]] = {}
        for queue, called, finished in session.execute(
                select(latest.c.queue, latest.c.called_at, latest.c.finished_at)
                .where(latest.c.latest <= RECENT_DURATIONS).order_by(latest.c.queue, latest.c.latest)):
            if called and finished:
                self._durations.setdefault(queue, []).append((finished - called).total_seconds() / 60)

    def count_open_windows(self, site: str, windows: Sequence[str], day: dt.date) -> int:
        return sum(1 for window in set(windows) if window in self._open)

    def recent_durations(self, site: str, queue: str, day: dt.date) -> list[float]:
        return list(self._durations.get(queue, ()))
