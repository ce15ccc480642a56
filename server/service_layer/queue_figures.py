"""The figures every queue's wait estimate reads, for all queues of a site in two statements — the open
windows of the day and each queue's last service times — instead of two statements per queue. It answers
the questions ``views.eta`` and ``views.serving_windows`` ask of a repository, with what those would answer
one by one (the windows a manager assigned are read once, on the first question)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from sqlalchemy import Date, bindparam, select, union_all
from sqlalchemy.orm import Session

from server import assignment_store
from server.domain.assignments import Assignment
from server.models import Ticket, WindowState
from server.store import RECENT_DURATIONS


class QueueFigures:
    def __init__(self, session: Session, site: str, day: dt.date, queues: Sequence[str]) -> None:
        self.site, self.day = site, day
        self._session = session
        self._assignments: dict[str, Assignment] | None = None
        self._open = set(session.scalars(select(WindowState.window).where(
            WindowState.site == site, WindowState.day == day, WindowState.state == "open")))
        rows = session.execute(_latest(site, tuple(queues)), {"day": day}).all() if queues else []
        self._durations: dict[str, list[float]] = {}
        for queue, called, finished in sorted(rows, key=lambda row: row.finished_at or dt.datetime.min, reverse=True):
            if called and finished:  # newest first, as store.recent_durations
                self._durations.setdefault(queue, []).append((finished - called).total_seconds() / 60)

    def count_open_windows(self, site: str, windows: Sequence[str], day: dt.date) -> int:
        return sum(1 for window in set(windows) if window in self._open)

    def recent_durations(self, site: str, queue: str, day: dt.date) -> list[float]:
        return list(self._durations.get(queue, ()))

    def active_assignments(self, site: str, day: dt.date, now: dt.datetime) -> dict[str, Assignment]:
        if self._assignments is None:
            self._assignments = assignment_store.active_assignments(self._session, site, day, now)
        return self._assignments


@functools.lru_cache(maxsize=256)
def _latest(site: str, queues: tuple[str, ...]):
    """One statement, each queue's own newest-first range of ix_tickets_recent_service (a window function
    over the day lets SQLite read every finished ticket on file in queue order instead); built once per
    site and set of queues, since building it costs more than running it."""
    day = bindparam("day", type_=Date())
    arms = [select(Ticket.queue, Ticket.called_at, Ticket.finished_at)
            .where(Ticket.site == site, Ticket.queue == queue, Ticket.day == day, Ticket.status == "done",
                   Ticket.called_at.is_not(None))
            .order_by(Ticket.finished_at.desc()).limit(RECENT_DURATIONS).subquery() for queue in queues]
    return union_all(*(select(arm) for arm in arms))
