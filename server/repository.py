"""The hall's storage as the handlers see it: one object per unit of work. ``SqlRepository`` runs the
statements of ``server.store`` in the unit of work's session; the handler tests use an in-memory one
that follows the Python reference rules (``server.domain.ordering``, ``server.domain.eta``), and a
differential test proves the two pick the same tickets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import assignment_store, store
from server.domain.assignments import Assignment
from server.domain.ordering import CallPlan
from server.models import PrintJob, Ticket, WindowState


class Repository(Protocol):
    def add(self, row: object) -> None: ...
    def flush(self) -> None: ...
    def next_counter(self, site: str, scope: str, day: dt.date) -> int: ...
    def ticket(self, ticket_id: str, lock: bool = False) -> Ticket | None: ...
    def ticket_number(self, ticket_id: str) -> str | None: ...
    def window_state(self, site: str, window: str, lock: bool = False) -> WindowState: ...
    def claim_next(self, site: str, plan: CallPlan, window: str, clerk_id: int | None,
                   now: dt.datetime) -> Ticket | None: ...
    def count_ahead(self, ticket: Ticket) -> int: ...
    def waiting_counts(self, site: str, day: dt.date | None) -> dict[str, int]: ...
    def close_earlier_days(self, site: str, today: dt.date, now: dt.datetime) -> list[Ticket]: ...
    def close_stale_windows(self, site: str, today: dt.date, now: dt.datetime) -> list[str]: ...
    def recent_durations(self, site: str, queue: str, day: dt.date) -> list[float]: ...
    def count_open_windows(self, site: str, windows: Sequence[str], day: dt.date) -> int: ...
    def print_job(self, job_id: int, lock: bool = False) -> PrintJob | None: ...
    def first_print_job(self, ticket_id: str) -> int | None: ...
    def claim_idempotency_key(self, site: str, key: str, ticket_id: str, now: dt.datetime) -> str: ...
    def active_assignments(self, site: str, day: dt.date, now: dt.datetime) -> dict[str, Assignment]: ...
    def end_assignment(self, site: str, window: str, now: dt.datetime, by: str | None, reason: str) -> list[int]: ...
    def add_assignment(self, site: str, assignment: Assignment) -> int: ...
    def expire_assignments(self, site: str, today: dt.date, now: dt.datetime) -> list[str]: ...


class SqlRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._assignments: dict[tuple[str, dt.date], dict[str, Assignment]] = {}

    def add(self, row: object) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    def next_counter(self, site: str, scope: str, day: dt.date) -> int:
        return store.next_counter(self.session, site, scope, day)

    def ticket(self, ticket_id: str, lock: bool = False) -> Ticket | None:
        return self.session.get(Ticket, ticket_id, with_for_update=lock or None)

    def ticket_number(self, ticket_id: str) -> str | None:
        return self.session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))

    def window_state(self, site: str, window: str, lock: bool = False) -> WindowState:
        return store.window_state(self.session, site, window, lock=lock)

    def claim_next(self, site: str, plan: CallPlan, window: str, clerk_id: int | None,
                   now: dt.datetime) -> Ticket | None:
        return store.claim_next(self.session, site, plan, window, clerk_id, now)

    def count_ahead(self, ticket: Ticket) -> int:
        return store.count_ahead(self.session, ticket)

    def waiting_counts(self, site: str, day: dt.date | None) -> dict[str, int]:
        return store.waiting_counts(self.session, site, day)

    def close_earlier_days(self, site: str, today: dt.date, now: dt.datetime) -> list[Ticket]:
        return store.close_earlier_days(self.session, site, today, now)

    def close_stale_windows(self, site: str, today: dt.date, now: dt.datetime) -> list[str]:
        return store.close_stale_windows(self.session, site, today, now)

    def recent_durations(self, site: str, queue: str, day: dt.date) -> list[float]:
        return store.recent_durations(self.session, site, queue, day)

    def count_open_windows(self, site: str, windows: Sequence[str], day: dt.date) -> int:
        return store.count_open_windows(self.session, site, windows, day)

    def print_job(self, job_id: int, lock: bool = False) -> PrintJob | None:
        return self.session.get(PrintJob, job_id, with_for_update=lock or None)

    def first_print_job(self, ticket_id: str) -> int | None:
        return store.first_print_job(self.session, ticket_id)

    def claim_idempotency_key(self, site: str, key: str, ticket_id: str, now: dt.datetime) -> str:
        return store.claim_idempotency_key(self.session, site, key, ticket_id, now)

    # Window assignments (弹性窗口): the statements of ``server.assignment_store``. A call reads them for its plan,
    # the window's view, the ticket's view and its estimate: read once per unit of work (at its first moment: a
    # transaction lasts milliseconds), again after a change.
    def active_assignments(self, site: str, day: dt.date, now: dt.datetime) -> dict[str, Assignment]:
        key = (site, day)
        if key not in self._assignments:
            self._assignments[key] = assignment_store.active_assignments(self.session, site, day, now)
        return self._assignments[key]

    def end_assignment(self, site: str, window: str, now: dt.datetime, by: str | None, reason: str) -> list[int]:
        self._assignments.clear()
        return assignment_store.end_window(self.session, site, window, now, by, reason)

    def add_assignment(self, site: str, assignment: Assignment) -> int:
        self._assignments.clear()
        return assignment_store.add(self.session, site, assignment)

    def expire_assignments(self, site: str, today: dt.date, now: dt.datetime) -> list[str]:
        self._assignments.clear()
        return assignment_store.expire(self.session, site, today, now)
