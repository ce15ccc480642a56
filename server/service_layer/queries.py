"""The read side: what the API and the subscriptions answer, each in one read transaction. A view for
an anonymous reader leaves out what only staff may see (``public``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from layout.model import Site
from server import store
from server.db import Database
from server.domain.days import day_start
from server.domain.errors import NotFound
from server.domain.events import public_payload
from server.models import Ticket, WindowState
from server.repository import SqlRepository
from server.service_layer.context import HallContext
from server.service_layer.queue_figures import QueueFigures
from server.service_layer.views import (
    NO_WINDOW_OPEN,
    eta,
    serving_windows,
    ticket_fields,
    ticket_view,
    window_view,
)


@dataclass(frozen=True)
class QueueViews:
    """Every queue's view, and the two readings it was made of that the manager's board also shows."""

    queues: list[dict]
    oldest: dict  # queue → issue time of its longest-waiting ticket
    assignments: dict  # window → the assignment in force (弹性窗口)


def queue_views(session: Session, ctx: HallContext, site: Site) -> QueueViews:
    """Each queue now — waiting, open windows, the wait estimate, the oldest wait — in the caller's read."""
    now, day = ctx.now(), ctx.today(site)
    repo = QueueFigures(session, site.id, day, [queue.id for queue in site.queues])  # two statements
    counts = store.waiting_counts(session, site.id, day)
    oldest = store.oldest_waiting(session, site.id, day)
    assignments = repo.active_assignments(site.id, day, now)
    result = []
    for queue in site.queues:
        waiting = counts.get(queue.id, 0)
        open_windows = repo.count_open_windows(site.id, serving_windows(repo, ctx, site, queue.id, assignments), day)
        first = oldest.get(queue.id)
        minutes = eta(repo, ctx, site, queue.id, waiting, open_windows)
        result.append({
            "id": queue.id, "name": queue.name, "prefix": queue.prefix, "kind": queue.kind,
            "waiting": waiting, "windows_open": open_windows,
            "eta_minutes": minutes, "eta_note": NO_WINDOW_OPEN if minutes is None else None,
            "oldest_wait_minutes": round((now - first).total_seconds() / 60, 1) if first else 0,
        })
    return QueueViews(result, oldest, assignments)


class HallQueries:
    def __init__(self, db: Database, context: HallContext) -> None:
        self._db, self._ctx = db, context

    def ticket(self, ticket_id: str) -> dict:
        with self._db.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound("ticket", ticket_id)
            return ticket_view(SqlRepository(session), self._ctx, self._ctx.site(ticket.site), ticket)

    def ticket_site(self, ticket_id: str) -> str:
        """The site of a ticket; 404 for an id that names none."""
        with self._db.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound("ticket", ticket_id)
            return ticket.site

    def ticket_fields(self, site_id: str, ticket_id: str) -> dict:
        """A ticket's holder's view for its room; the ticket must belong to ``site_id``."""
        site = self._ctx.site(site_id)
        with self._db.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.site != site.id:
                raise NotFound("ticket", ticket_id)
            return ticket_fields(site, ticket, today=self._ctx.today(site))

    def queues(self, site_id: str) -> list[dict]:
        site = self._ctx.site(site_id)
        with self._db.read() as session:
            return queue_views(session, self._ctx, site).queues

    def window(self, site_id: str, window_id: str, staff: bool) -> dict:
        site = self._ctx.site(site_id)
        self._ctx.window(site, window_id)
        with self._db.read() as session:
            seq = store.current_seq(session, site.id, public=not staff)  # first: the view is at least this new
            view = window_view(SqlRepository(session), self._ctx, site,
                               store.window_state(session, site.id, window_id))
            return {**(view if staff else public_payload("window", view)), "seq": seq}

    def snapshot(self, site_id: str, after: int | None = None, staff: bool = False) -> dict:
        """The site's state now, for the audience's stream; ``after`` (a screen's last seq of that
        stream) adds every call since then. Only today's calls and counts: a screen never shows a call
        of an earlier local day."""
        site = self._ctx.site(site_id)
        public = not staff
        today = self._ctx.today(site)
        since = day_start(today, site.timezone)
        with self._db.read() as session:
            seq = store.current_seq(session, site.id, public=public)
            calls = store.recent_calls(session, site.id, public, since=since)
            if after is not None and calls and _seq(calls[-1], public) > after + 1:
                known = {_seq(call, public) for call in calls}
                calls += [call for call in store.recent_calls(session, site.id, public, after, limit=500, since=since)
                          if _seq(call, public) not in known]
                calls.sort(key=lambda call: _seq(call, public), reverse=True)
            states = {state.window: state for state in store.window_states(session, site.id)}
            repo = SqlRepository(session)
            assignments = repo.active_assignments(site.id, today, self._ctx.now())
            windows = {}
            for window in site.windows:
                state = states.get(window.id) or WindowState(site=site.id, window=window.id, state="closed")
                view = window_view(repo, self._ctx, site, state, assignments)
                windows[window.id] = view if staff else public_payload("window", view)
            return {"seq": seq, "site": site.id, "audience": "staff" if staff else "public",
                    "calls": [_audience_call(call, public) for call in calls],
                    "waiting": store.waiting_counts(session, site.id, today), "windows": windows}


def _seq(call: tuple[dict, int | None], public: bool) -> int:
    payload, public_seq = call
    return public_seq if public else payload["seq"]


def _audience_call(call: tuple[dict, int | None], public: bool) -> dict:
    payload, public_seq = call
    return {**public_payload("called", payload), "seq": public_seq} if public else payload
