"""The use cases of a hall: issue, call, recall, no-show, start, finish, transfer, window states.

Each runs in one write transaction; the events it records get their per-site ``seq`` inside that
transaction and are published only after it commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import object_session

from layout.model import Layout, Site
from server import store
from server.db import Database
from server.domain import errors
from server.domain.eta import estimate_minutes
from server.domain.hours import is_open
from server.domain.numbering import format_number, local_day
from server.domain.ordering import next_position, plan_call
from server.domain.routing import route, windows_for_queue
from server.domain.tickets import check_outcome, next_status
from server.models import PrintJob, Ticket, WindowState

log = logging.getLogger(__name__)
Event = tuple[str, dict]  # (kind, payload with seq)
Publisher = Callable[[str, list[Event]], None]
PAUSE_REASON_MAX = 32


class EventBatch(list):
    """The events of one transaction, in order, as (kind, payload); ``deferred`` holds the payloads that
    are computed when the transaction takes its seqs."""

    def __init__(self) -> None:
        super().__init__()
        self.deferred: list[tuple[dict, Callable]] = []


class NotFound(Exception):
    """An id that names nothing: the API answers 404."""

    def __init__(self, kind: str, ident: object) -> None:
        self.kind, self.ident = kind, ident
        super().__init__(f"unknown {kind}: {ident}")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Actor:
    """Who acts on a window: a logged-in clerk or admin."""

    id: int
    username: str
    role: str


@dataclass
class Hall:
    layout: Layout
    db: Database
    publish: Publisher
    clock: Callable[[], dt.datetime] = utc_now  # naive UTC
    ignore_hours: bool = False
    status_url: Callable[[str], str] = lambda ticket_id: f"/t/{ticket_id}"
    on_print_job: Callable[[int, str, str, dict], None] | None = None  # (job id, site, kiosk, ticket view)
    _site_locks: dict[str, threading.Lock] = field(default_factory=dict)

    # -- lookups -------------------------------------------------------------------------------
    def site(self, site_id: str) -> Site:
        site = self.layout.site(site_id)
        if site is None:
            raise NotFound("site", site_id)
        return site

    def _window(self, site: Site, window_id: str):
        window = site.window(window_id)
        if window is None:
            raise NotFound("window", window_id)
        return window

    def today(self, site: Site) -> dt.date:
        return local_day(self.clock().replace(tzinfo=dt.UTC), site.timezone)

    def _lock(self, site_id: str) -> threading.Lock:
        # Within a process, commit and publish happen in seq order; other processes are ordered by
        # the site's seq row and the screens' gap check.
        return self._site_locks.setdefault(site_id, threading.Lock())

    def transaction(self, site_id: str, work: Callable[[store.Session, EventBatch], object]):
        """Run ``work(session, events)`` in one write transaction, then publish what it recorded.

        The events get their seqs just before the commit, under the site's sequence row lock and the
        process's site lock, which both stay held until the events are published: the hall's
        serial section is only that, not the whole use case. (SQLite takes its write lock at BEGIN,
        so there the process's lock covers the whole transaction, and no two greenlets of a process
        ever wait for each other inside SQLite.)"""
        events = EventBatch()
        lock = self._lock(site_id)
        held = self.db.is_sqlite and lock.acquire()
        try:
            with self.db.write() as session:
                result = work(session, events)
                if events:
                    session.flush()  # the use case's own writes, before the serial section begins
                    held = held or lock.acquire()
                    self._sequence(session, site_id, events)
                    session.commit()
            if events:
                try:
                    self.publish(site_id, list(events))
                except Exception:
                    # Committed is committed: screens catch up from the snapshot when they resubscribe.
                    log.exception("publishing %d events of %s failed", len(events), site_id)
        finally:
            if held:
                lock.release()
        return result

    def _sequence(self, session, site_id: str, events: EventBatch) -> None:
        """Number the events (this locks the site's sequence row until the commit), compute the payloads
        that must be read in seq order, and store the events."""
        first = store.reserve_seqs(session, site_id, len(events))
        for offset, (_, event) in enumerate(events):
            event["seq"] = first + offset
        for event, compute in events.deferred:
            event.update(compute(session))
        store.insert_events(session, site_id, events, self.clock())

    def announce(self, site_id: str, kind: str, payload: dict) -> dict:
        """Record and publish one event that belongs to no use case (printer state, screen audio…)."""
        site = self.site(site_id)
        return self.transaction(site.id, lambda session, events: self.record(session, events, site, kind, payload))

    def record(self, session, events: EventBatch, site: Site, kind: str,
               payload: dict | Callable[[store.Session], dict]) -> dict:
        """Add an event to this transaction; it gets the site's next seq at the commit and is published
        after it. A payload given as a function of the session is read at that moment, in seq order."""
        event: dict = {"seq": None}
        if callable(payload):
            events.deferred.append((event, payload))
        else:
            event.update(payload)
        events.append((kind, event))
        return event

    def _record_waiting(self, session, events: EventBatch, site: Site) -> None:
        # Read at the commit: two kiosks issuing at once must not each announce a count without the other.
        self.record(session, events, site, "waiting", lambda reader: {"waiting": store.waiting_counts(reader, site.id)})

    # -- tickets -------------------------------------------------------------------------------
    def issue_ticket(self, site_id: str, service_id: str, priority: str | None = None,
                     kiosk_id: str | None = None) -> dict:
        site = self.site(site_id)
        service = site.service(service_id)
        if service is None:
            raise NotFound("service", service_id)
        if priority is not None and priority not in {c.id for c in site.priority.classes}:
            raise NotFound("priority", priority)
        kiosk = None
        if kiosk_id is not None:
            kiosk = site.kiosk(kiosk_id)
            if kiosk is None:
                raise NotFound("kiosk", kiosk_id)
        now = self.clock()
        if not self.ignore_hours and not is_open(site, now.replace(tzinfo=dt.UTC)):
            raise errors.HallClosed()
        day = self.today(site)
        routed = route(site, service.id, day)
        queue = site.queue(routed.queue)

        def work(session, events):
            if service.daily_cap is not None and \
                    store.next_counter(session, site.id, f"service:{service.id}", day) > service.daily_cap:
                raise errors.DailyCapReached()
            sequence = store.next_counter(session, site.id, f"queue:{queue.id}", day)
            if queue.daily_cap is not None and sequence > queue.daily_cap:
                raise errors.DailyCapReached()
            ticket = Ticket(id=secrets.token_urlsafe(16), site=site.id, number=format_number(queue.prefix, sequence),
                            day=day, service=service.id, queue=queue.id, priority_class=priority,
                            status="waiting", issued_at=now, kiosk=kiosk_id, recalls=0)
            session.add(ticket)
            session.flush()
            self._record_waiting(session, events, site)
            view = self._ticket_view(session, site, ticket)
            job = None
            if kiosk is not None and kiosk.printer is not None:
                job = PrintJob(site=site.id, kiosk=kiosk.id, ticket_id=ticket.id, status="pending",
                               attempts=0, created_at=now, updated_at=now)
                session.add(job)
                session.flush()
                view["print_job"] = job.id
            return view, job

        view, job = self.transaction(site.id, work)
        if job is not None and self.on_print_job is not None:
            self.on_print_job(job.id, site.id, job.kiosk, view)
        return view

    def ticket(self, ticket_id: str) -> dict:
        with self.db.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound("ticket", ticket_id)
            return self._ticket_view(session, self.site(ticket.site), ticket)

    def _ticket_view(self, session, site: Site, ticket: Ticket) -> dict:
        service = site.service(ticket.service)
        queue = site.queue(ticket.queue)
        window = site.window(ticket.window) if ticket.window else None
        view = {
            "id": ticket.id, "number": ticket.number, "status": ticket.status, "site": site.id,
            "service": ticket.service, "service_name": service.name if service else ticket.service,
            "queue": ticket.queue, "priority": ticket.priority_class,
            "windows": list(windows_for_queue(site, ticket.queue)),
            "window": ticket.window, "window_number": window.number if window else None,
            "window_name": window.name if window else None,
            "zone": window.zone if window else self._queue_zone(site, ticket.queue),
            "issued_at": iso(ticket.issued_at), "called_at": iso(ticket.called_at),
            "finished_at": iso(ticket.finished_at), "outcome": ticket.outcome,
            "transferred_to": ticket.transferred_to, "ahead": 0, "eta_minutes": 0,
            "status_url": self.status_url(ticket.id),
        }
        if queue is not None:
            view["queue_name"] = queue.name
        if ticket.status == "waiting":
            ahead = store.count_ahead(session, ticket)
            view["ahead"] = ahead
            view["eta_minutes"] = self._eta(session, site, ticket.queue, ahead)
        return view

    def _queue_zone(self, site: Site, queue_id: str) -> str | None:
        windows = windows_for_queue(site, queue_id)
        return site.window(windows[0]).zone if windows else None

    def _eta(self, session, site: Site, queue_id: str, ahead: int, open_windows: int | None = None) -> int:
        if ahead == 0:
            return 0
        day = self.today(site)
        if open_windows is None:
            open_windows = self._open_windows_for(session, site, queue_id, day)
        services = [s.average_minutes for s in site.services if s.queue == queue_id] or [10.0]
        default = sum(services) / len(services)
        durations = store.recent_durations(session, site.id, queue_id, day)
        return estimate_minutes(ahead, open_windows, durations, default)

    def _open_windows_for(self, session, site: Site, queue_id: str, day: dt.date) -> int:
        return store.count_open_windows(session, site.id, windows_for_queue(site, queue_id), day)

    def queues(self, site_id: str) -> list[dict]:
        site = self.site(site_id)
        now = self.clock()
        day = self.today(site)
        with self.db.read() as session:
            counts = store.waiting_counts(session, site.id)
            oldest = store.oldest_waiting(session, site.id)
            result = []
            for queue in site.queues:
                waiting = counts.get(queue.id, 0)
                open_windows = self._open_windows_for(session, site, queue.id, day)
                first = oldest.get(queue.id)
                result.append({
                    "id": queue.id, "name": queue.name, "prefix": queue.prefix, "kind": queue.kind,
                    "waiting": waiting, "windows_open": open_windows,
                    "eta_minutes": self._eta(session, site, queue.id, waiting, open_windows),
                    "oldest_wait_minutes": round((now - first).total_seconds() / 60, 1) if first else 0,
                })
            return result

    # -- windows -------------------------------------------------------------------------------
    def _effective(self, state: WindowState, day: dt.date) -> str:
        return state.state if state.day == day else "closed"

    def _held(self, session, site: Site, window_id: str, actor: Actor) -> WindowState:
        """The window's locked row, provided the window is open or paused today and held by ``actor``."""
        state = store.window_state(session, site.id, window_id, lock=True)
        if self._effective(state, self.today(site)) == "closed":
            raise errors.WindowNotOpen()
        if state.clerk_id != actor.id and actor.role != "admin":
            raise errors.WindowTaken()
        return state

    def _window_event(self, session, events, site: Site, state: WindowState) -> dict:
        """Record the window's new view; the returned event gets its ``seq`` at the commit, so an
        answer carrying it orders against the events and reads a client has seen."""
        return self.record(session, events, site, "window", self._window_view(session, site, state))

    def _window_view(self, session, site: Site, state: WindowState) -> dict:
        window = site.window(state.window)
        current = session.get(Ticket, state.current_ticket) if state.current_ticket else None
        effective = self._effective(state, self.today(site))
        return {
            "site": site.id, "window": window.id, "window_number": window.number, "window_name": window.name,
            "zone": window.zone, "state": effective, "reason": state.reason if effective == "paused" else None,
            "clerk": state.clerk_id if effective != "closed" else None,
            "current": None if current is None or effective == "closed" else {
                "ticket": current.number, "ticket_id": current.id, "status": current.status,
                "service": current.service, "called_at": iso(current.called_at)},
        }

    def window(self, site_id: str, window_id: str) -> dict:
        site = self.site(site_id)
        self._window(site, window_id)
        with self.db.read() as session:
            seq = store.current_seq(session, site.id)  # read first: the view below is at least this new
            view = self._window_view(session, site, store.window_state(session, site.id, window_id))
            view["seq"] = seq
            return view

    def open_window(self, site_id: str, window_id: str, actor: Actor) -> dict:
        site = self.site(site_id)
        self._window(site, window_id)
        day = self.today(site)

        def work(session, events):
            state = store.window_state(session, site.id, window_id, lock=True)
            active = self._effective(state, day) != "closed"
            if active and state.clerk_id not in (None, actor.id) and actor.role != "admin":
                raise errors.WindowTaken()
            if not active:
                state.current_ticket = None  # a ticket left over from another day stays in history
            state.state, state.day, state.reason, state.clerk_id = "open", day, None, actor.id
            state.changed_at = self.clock()
            return self._window_event(session, events, site, state)

        return self.transaction(site.id, work)

    def pause_window(self, site_id: str, window_id: str, actor: Actor, reason: str | None) -> dict:
        site = self.site(site_id)
        self._window(site, window_id)
        reason = (reason or "暂停服务").strip()[:PAUSE_REASON_MAX] or "暂停服务"

        def work(session, events):
            state = self._held(session, site, window_id, actor)
            state.state, state.reason, state.changed_at = "paused", reason, self.clock()
            return self._window_event(session, events, site, state)

        return self.transaction(site.id, work)

    def close_window(self, site_id: str, window_id: str, actor: Actor) -> dict:
        site = self.site(site_id)
        self._window(site, window_id)

        def work(session, events):
            state = self._held(session, site, window_id, actor)
            if state.current_ticket is not None:
                raise errors.CurrentTicketOpen()
            state.state, state.reason, state.clerk_id, state.changed_at = "closed", None, None, self.clock()
            return self._window_event(session, events, site, state)

        return self.transaction(site.id, work)

    def call_next(self, site_id: str, window_id: str, actor: Actor) -> dict | None:
        site = self.site(site_id)
        window = self._window(site, window_id)

        def work(session, events):
            state = self._held(session, site, window_id, actor)
            if state.state == "paused":
                raise errors.WindowPaused()
            if state.current_ticket is not None:
                raise errors.CurrentTicketOpen()
            now = self.clock()
            plan = plan_call(window, site.priority, state.interleave_position, now.replace(tzinfo=dt.UTC))
            ticket = store.claim_next(session, site.id, plan, window.id, actor.id, now)
            if ticket is None:
                return None
            state.interleave_position = next_position(state.interleave_position, site.priority,
                                                      plan.prefer_priority, ticket.priority_class is not None)
            state.current_ticket = ticket.id
            self._record_call(session, events, site, ticket, recall=False)
            self._record_waiting(session, events, site)
            self._window_event(session, events, site, state)
            return self._ticket_view(session, site, ticket)

        return self.transaction(site.id, work)

    def _record_call(self, session, events, site: Site, ticket: Ticket, recall: bool) -> None:
        window = site.window(ticket.window)
        service = site.service(ticket.service)
        self.record(session, events, site, "called", {
            "site": site.id, "ticket": ticket.number, "ticket_id": ticket.id, "window": window.id,
            "window_number": window.number, "window_name": window.name, "zone": window.zone,
            "service": ticket.service, "service_name": service.name if service else ticket.service,
            "queue": ticket.queue, "at": iso(self.clock()), "recall": recall})

    def _act_on_current(self, site_id: str, window_id: str, actor: Actor, action: str,
                        apply: Callable[[Ticket, dt.datetime], None] | None = None,
                        allow_paused: bool = True) -> dict:
        site = self.site(site_id)
        self._window(site, window_id)

        def work(session, events):
            state = self._held(session, site, window_id, actor)
            if state.state == "paused" and not allow_paused:
                raise errors.WindowPaused()
            ticket = session.get(Ticket, state.current_ticket) if state.current_ticket else None
            if ticket is None:
                raise errors.NoCurrentTicket()
            ticket.status = next_status(ticket.status, action)
            now = self.clock()
            if apply is not None:
                apply(ticket, now)
            if ticket.status not in ("called", "serving"):
                state.current_ticket = None
                if ticket.finished_at is None:
                    ticket.finished_at = now
            if action == "recall":
                ticket.recalls += 1
                self._record_call(session, events, site, ticket, recall=True)
            if action == "transfer":
                self._record_waiting(session, events, site)
            self._window_event(session, events, site, state)
            view = self._ticket_view(session, site, ticket)
            if ticket.transferred_to:
                view["transferred_ticket"] = self._ticket_view(session, site, session.get(Ticket, ticket.transferred_to))
            return view

        return self.transaction(site.id, work)

    def recall(self, site_id: str, window_id: str, actor: Actor) -> dict:
        return self._act_on_current(site_id, window_id, actor, "recall", allow_paused=False)

    def no_show(self, site_id: str, window_id: str, actor: Actor) -> dict:
        return self._act_on_current(site_id, window_id, actor, "no_show")

    def start(self, site_id: str, window_id: str, actor: Actor) -> dict:
        def started(ticket: Ticket, now: dt.datetime) -> None:
            ticket.started_at = now
        return self._act_on_current(site_id, window_id, actor, "start", started)

    def finish(self, site_id: str, window_id: str, actor: Actor, outcome: str) -> dict:
        outcome = check_outcome(outcome)

        def finished(ticket: Ticket, now: dt.datetime) -> None:
            ticket.outcome, ticket.finished_at = outcome, now
        return self._act_on_current(site_id, window_id, actor, "finish", finished)

    def transfer(self, site_id: str, window_id: str, actor: Actor, service_id: str) -> dict:
        site = self.site(site_id)
        if site.service(service_id) is None:
            raise NotFound("service", service_id)
        routed = route(site, service_id, self.today(site))

        def moved(ticket: Ticket, now: dt.datetime) -> None:
            # The citizen keeps the printed number and the place earned by the original issue time.
            successor = Ticket(id=secrets.token_urlsafe(16), site=ticket.site, number=ticket.number,
                               day=ticket.day, service=service_id, queue=routed.queue,
                               priority_class=ticket.priority_class, status="waiting",
                               issued_at=ticket.issued_at, kiosk=ticket.kiosk, recalls=0, origin_id=ticket.id)
            ticket.transferred_to = successor.id
            ticket.finished_at = now
            session = object_session(ticket)
            session.add(successor)
            session.flush()
        return self._act_on_current(site_id, window_id, actor, "transfer", moved)

    # -- screens -------------------------------------------------------------------------------
    def snapshot(self, site_id: str, after: int | None = None) -> dict:
        """The site's state now; ``after`` (a screen's last seq) adds every call since then."""
        site = self.site(site_id)
        with self.db.read() as session:
            seq = store.current_seq(session, site.id)
            calls = store.recent_events(session, site.id, "called")
            if after is not None and calls and calls[-1]["seq"] > after + 1:
                missed = store.calls_after(session, site.id, after)
                known = {call["seq"] for call in calls}
                calls += [call for call in missed if call["seq"] not in known]
                calls.sort(key=lambda call: call["seq"], reverse=True)
            states = {state.window: state for state in store.window_states(session, site.id)}
            windows = {}
            for window in site.windows:
                state = states.get(window.id) or WindowState(site=site.id, window=window.id, state="closed")
                windows[window.id] = self._window_view(session, site, state)
            return {"seq": seq, "site": site.id, "calls": calls,
                    "waiting": store.waiting_counts(session, site.id), "windows": windows}
