"""The views a handler answers with and events carry, read through the unit of work's repository (so
they work on the real database and on the handler tests' fake alike)."""

from __future__ import annotations

import datetime as dt

from layout.model import Site
from server.domain.eta import estimate_minutes
from server.domain.routing import windows_for_queue
from server.models import Ticket, WindowState
from server.repository import Repository
from server.service_layer.context import HallContext, iso

DEFAULT_SERVICE_MINUTES = 10.0


def effective_state(state: WindowState, day: dt.date) -> str:
    """A window's state today: a state set on another day means closed."""
    return state.state if state.day == day else "closed"


def ticket_view(repo: Repository, ctx: HallContext, site: Site, ticket: Ticket) -> dict:
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
        "zone": window.zone if window else queue_zone(site, ticket.queue),
        "issued_at": iso(ticket.issued_at), "called_at": iso(ticket.called_at),
        "finished_at": iso(ticket.finished_at), "outcome": ticket.outcome,
        "transferred_to": ticket.transferred_to, "ahead": 0, "eta_minutes": 0,
        "status_url": ctx.status_url(ticket.id),
    }
    if queue is not None:
        view["queue_name"] = queue.name
    if ticket.status == "waiting":
        ahead = repo.count_ahead(ticket)
        view["ahead"] = ahead
        view["eta_minutes"] = eta(repo, ctx, site, ticket.queue, ahead)
    return view


def ticket_fields(site: Site, ticket: Ticket, recall: bool = False) -> dict:
    """What a ticket's holder is told when it moves (the ``ticket`` event of its room; the keys of
    ``server.domain.events.TICKET_FIELDS``)."""
    window = site.window(ticket.window) if ticket.window else None
    return {
        "id": ticket.id, "number": ticket.number, "status": ticket.status, "window": ticket.window,
        "window_number": window.number if window else None, "window_name": window.name if window else None,
        "zone": window.zone if window else queue_zone(site, ticket.queue), "called_at": iso(ticket.called_at),
        "finished_at": iso(ticket.finished_at), "outcome": ticket.outcome,
        "transferred_to": ticket.transferred_to, "recall": recall,
    }


def queue_zone(site: Site, queue_id: str) -> str | None:
    windows = windows_for_queue(site, queue_id)
    return site.window(windows[0]).zone if windows else None


def eta(repo: Repository, ctx: HallContext, site: Site, queue_id: str, ahead: int,
        open_windows: int | None = None) -> int:
    if ahead == 0:
        return 0
    day = ctx.today(site)
    if open_windows is None:
        open_windows = repo.count_open_windows(site.id, windows_for_queue(site, queue_id), day)
    services = [s.average_minutes for s in site.services if s.queue == queue_id] or [DEFAULT_SERVICE_MINUTES]
    default = sum(services) / len(services)
    return estimate_minutes(ahead, open_windows, repo.recent_durations(site.id, queue_id, day), default)


def window_view(repo: Repository, ctx: HallContext, site: Site, state: WindowState) -> dict:
    """The staff view of a window (the public one drops the clerk and the ticket id)."""
    window = site.window(state.window)
    current = repo.ticket(state.current_ticket) if state.current_ticket else None
    effective = effective_state(state, ctx.today(site))
    return {
        "site": site.id, "window": window.id, "window_number": window.number, "window_name": window.name,
        "zone": window.zone, "state": effective, "reason": state.reason if effective == "paused" else None,
        "clerk": state.clerk_id if effective != "closed" else None,
        "current": None if current is None or effective == "closed" else {
            "ticket": current.number, "ticket_id": current.id, "status": current.status,
            "service": current.service, "called_at": iso(current.called_at)},
    }
