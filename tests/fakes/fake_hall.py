"""An in-memory unit of work for the handler tests: the same repository methods as ``SqlRepository``,
answered by the Python reference rules (``ordering.choose``, ``eta.people_ahead``), which the
differential test holds equal to the SQL on both databases."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from server.domain.assignments import DAY_END, EXPIRED, Assignment
from server.domain.eta import RECENT_SERVICES, people_ahead
from server.domain.ordering import CallPlan, WaitingTicket, choose
from server.domain.tickets import CANCELLED, DAY_CLOSED, OPEN_STATUSES
from server.models import Case, CaseEvent, PrintJob, Ticket, WindowState
from server.service_layer.unit_of_work import UnitOfWork
from tests.fakes.fake_alerts import FakeAlertStore


def waiting_ticket(ticket: Ticket) -> WaitingTicket:
    """The row as the reference rules see it; their cutoffs are aware, the rows naive UTC (as stored)."""
    def aware(moment: dt.datetime | None) -> dt.datetime | None:
        return None if moment is None else moment.replace(tzinfo=dt.UTC)
    return WaitingTicket(ticket.id, ticket.queue, aware(ticket.issued_at), ticket.priority_class, ticket.day,
                         aware(ticket.requeued_at), booked=ticket.appointment_id is not None)


class FakeRepository:
    def __init__(self) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.windows: dict[tuple[str, str], WindowState] = {}
        self.jobs: dict[int, PrintJob] = {}
        self.counters: Counter[tuple[str, str, dt.date]] = Counter()
        self.idempotency_keys: dict[tuple[str, str], str] = {}  # (site, key) -> ticket id
        self._job_ids = itertools.count(1)
        self.assignments: list[tuple[str, Assignment, str | None]] = []
        self.case_rows: list = []  # cases (办件) and their history entries, as added

    def add(self, row: object) -> None:
        if isinstance(row, Ticket):
            self.tickets[row.id] = row
        elif isinstance(row, PrintJob):
            row.id = row.id or next(self._job_ids)
            self.jobs[row.id] = row
        elif isinstance(row, Case | CaseEvent):
            self.case_rows.append(row)
        else:
            raise TypeError(f"the fake stores no {type(row).__name__}")

    def flush(self) -> None:
        pass

    def next_counter(self, site: str, scope: str, day: dt.date) -> int:
        self.counters[(site, scope, day)] += 1
        return self.counters[(site, scope, day)]

    def ticket(self, ticket_id: str, lock: bool = False) -> Ticket | None:
        return self.tickets.get(ticket_id)

    def ticket_number(self, ticket_id: str) -> str | None:
        ticket = self.tickets.get(ticket_id)
        return None if ticket is None else ticket.number

    def window_state(self, site: str, window: str, lock: bool = False) -> WindowState:
        key = (site, window)
        if key not in self.windows:
            self.windows[key] = WindowState(site=site, window=window, state="closed", interleave_position=0)
        return self.windows[key]

    def _waiting(self, site: str) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.site == site and t.status == "waiting"]

    def claim_next(self, site: str, plan: CallPlan, window: str, clerk_id: int | None,
                   now: dt.datetime) -> Ticket | None:
        candidates = {t.id: t for t in self._waiting(site)}
        chosen = choose(plan, [waiting_ticket(t) for t in candidates.values()])
        if chosen is None:
            return None
        ticket = candidates[chosen.id]
        ticket.status, ticket.window, ticket.clerk_id, ticket.called_at = "called", window, clerk_id, now
        return ticket

    def count_ahead(self, ticket: Ticket) -> int:
        same_queue = [waiting_ticket(t) for t in self._waiting(ticket.site) if t.queue == ticket.queue]
        return people_ahead(waiting_ticket(ticket), same_queue)

    def waiting_counts(self, site: str, day: dt.date | None) -> dict[str, int]:
        return dict(Counter(t.queue for t in self._waiting(site) if day is None or t.day == day))

    def close_earlier_days(self, site: str, today: dt.date, now: dt.datetime) -> list[Ticket]:
        closed = sorted((t for t in self.tickets.values()
                         if t.site == site and t.day < today and t.status in OPEN_STATUSES),
                        key=lambda t: (t.issued_at, t.id))
        for ticket in closed:
            ticket.status, ticket.cancel_reason, ticket.finished_at = CANCELLED, DAY_CLOSED, now
        return closed

    def close_stale_windows(self, site: str, today: dt.date, now: dt.datetime) -> list[str]:
        closed = []
        for (s, window), state in sorted(self.windows.items()):
            if s == site and state.day is not None and state.day < today and state.state != "closed":
                state.state, state.reason, state.clerk_id, state.current_ticket = "closed", None, None, None
                state.changed_at = now
                closed.append(window)
        return closed

    def recent_durations(self, site: str, queue: str, day: dt.date) -> list[float]:
        done = sorted((t for t in self.tickets.values() if t.site == site and t.queue == queue and t.day == day
                       and t.status == "done" and t.called_at and t.finished_at),
                      key=lambda t: t.finished_at, reverse=True)[:RECENT_SERVICES]
        return [(t.finished_at - t.called_at).total_seconds() / 60 for t in done]

    def count_open_windows(self, site: str, windows: Sequence[str], day: dt.date) -> int:
        return sum(1 for (s, w), state in self.windows.items()
                   if s == site and w in windows and state.day == day and state.state == "open")

    def print_job(self, job_id: int, lock: bool = False) -> PrintJob | None:
        return self.jobs.get(job_id)

    def first_print_job(self, ticket_id: str) -> int | None:
        return min((job.id for job in self.jobs.values() if job.ticket_id == ticket_id), default=None)

    def claim_idempotency_key(self, site: str, key: str, ticket_id: str, now: dt.datetime) -> str:
        return self.idempotency_keys.setdefault((site, key), ticket_id)

    # Window assignments: (site, Assignment, ended) rows, as ``server.assignment_store`` keeps them.
    def active_assignments(self, site: str, day: dt.date, now: dt.datetime) -> dict[str, Assignment]:
        return {a.window: a for s, a, ended in self.assignments if s == site and ended is None and a.holds(day, now)}

    def end_assignment(self, site: str, window: str, now: dt.datetime, by: str | None, reason: str) -> list[int]:
        ended = []
        for index, (s, a, end) in enumerate(self.assignments):
            if s == site and a.window == window and end is None:
                self.assignments[index] = (s, a, reason)
                ended.append(a.id)
        return ended

    def add_assignment(self, site: str, assignment: Assignment) -> int:
        assignment = replace(assignment, id=len(self.assignments) + 1)
        self.assignments.append((site, assignment, None))
        return assignment.id

    def expire_assignments(self, site: str, today: dt.date, now: dt.datetime) -> list[str]:
        ended = set()
        for index, (s, a, end) in enumerate(self.assignments):
            if s == site and end is None and not a.holds(today, now):
                self.assignments[index] = (s, a, DAY_END if a.day < today else EXPIRED)
                ended.add(a.window)
        return sorted(ended)


class FakeUnitOfWork(UnitOfWork):
    """Commits by numbering the outbox's events with in-memory counters per site and stream."""

    def __init__(self, repository: FakeRepository | None = None) -> None:
        super().__init__()
        self.repository = repository or FakeRepository()
        self.alerts = FakeAlertStore(self.repository)
        self.cases = FakeCaseStore(self.repository)
        self.seqs: Counter[tuple[str, str]] = Counter()
        self.stored: list = []
        self.commits = 0

    def __call__(self, site: str) -> FakeUnitOfWork:
        """The bus asks for a unit of work per command: this one, with the counters kept for a rollback."""
        self._site = site
        self._saved_counters = Counter(self.repository.counters)
        self._saved_keys = dict(self.repository.idempotency_keys)
        self._done = False
        return self

    def commit(self) -> None:
        wire = [event for event in self.outbox if event.kind is not None]
        public = sum(1 for event in wire if event.public)
        self.number(self.seqs[(self._site, "staff")] + 1, self.seqs[(self._site, "public")] + 1)
        self.seqs[(self._site, "staff")] += len(wire)
        self.seqs[(self._site, "public")] += public
        self.stored.extend(wire)
        self.committed, self.outbox = self.outbox, []
        self.commits += 1
        self._done = True

    def rollback(self) -> None:
        # Rows the handler changed stay changed (the tests look at answers and events); numbers and
        # idempotency keys taken by a refused issue are given back, as the database's rollback does.
        if not self._done:
            self.repository.counters = self._saved_counters
            self.repository.idempotency_keys = self._saved_keys
        self.outbox = []


class FakeCaseStore:
    """What the alert rule reads of cases: those undecided past their deadline."""

    def __init__(self, repository: FakeRepository) -> None:
        self._repository = repository

    def overdue(self, site: str, today: dt.date) -> list[Case]:
        return [row for row in self._repository.case_rows
                if isinstance(row, Case) and row.site == site and row.status == "accepted" and row.deadline < today]
