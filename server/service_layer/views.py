"""The views a handler answers with and events carry, read through the unit of work's repository (so
they work on the real database and on the handler tests' fake alike)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from layout.model import Site
from server.domain.assignments import Assignment
from server.domain.eta import estimate_minutes
from server.domain.routing import calling_windows, helping_windows, services_of_queue, windows_for_queue
from server.domain.tickets import WAITING, effective_status
from server.models import Ticket, WindowState
from server.repository import Repository
from server.service_layer.assignment_views import assigned_windows, assignment_view
from server.service_layer.context import HallContext, iso

DEFAULT_SERVICE_MINUTES = 10.0
NO_WINDOW_OPEN = "暂无窗口开放 / no window open"


def effective_state(state: WindowState, day: dt.date) -> str:
    """A window's state today: a state set on another day means closed."""
    return state.state if state.day == day else "closed"


def ticket_view(repo: Repository, ctx: HallContext, site: Site, ticket: Ticket) -> dict:
    """A ticket as its holder and staff read it. ``windows`` lists every window that may call it, its
    queue's own windows first, then those that help through overflow (``overflow_windows``); ``where``
    groups them by floor for the words on the ticket and the screens ("三楼 31、32号窗口")."""
    service = site.service(ticket.service)
    queue = site.queue(ticket.queue)
    window = site.window(ticket.window) if ticket.window else None
    status, cancel_reason = effective_status(ticket.status, ticket.cancel_reason, ticket.day, ctx.today(site))
    view = {
        "id": ticket.id, "number": ticket.number, "status": status, "site": site.id,
        "service": ticket.service, "service_name": service.name if service else ticket.service,
        "queue": ticket.queue, "priority": ticket.priority_class,
        "windows": list(calling_windows(site, ticket.queue)),
        "overflow_windows": list(helping_windows(site, ticket.queue)),
        "where": where(site, ticket.queue),
        "window": ticket.window, "window_number": window.number if window else None,
        "window_name": window.name if window else None,
        "zone": window.zone if window else queue_zone(site, ticket.queue),
        "issued_at": iso(ticket.issued_at), "called_at": iso(ticket.called_at),
        "finished_at": iso(ticket.finished_at), "outcome": ticket.outcome,
        "reason": ticket.reason, "missing": json.loads(ticket.missing) if ticket.missing else None,
        "cancel_reason": cancel_reason, "requeued_at": iso(ticket.requeued_at),
        "transferred_to": ticket.transferred_to, "ahead": 0, "eta_minutes": 0, "eta_note": None,
        "status_url": ctx.status_url(ticket.id),
        "booked": ticket.appointment_id is not None,  # 预约: checked in on time, called before walk-ins
    }
    if queue is not None:
        view["queue_name"] = queue.name
    assigned = assigned_windows(site, repo.active_assignments(site.id, ctx.today(site), ctx.now()), ticket.queue,
                                view["windows"])
    if assigned:  # windows a manager sent to help this queue now (弹性窗口)
        view["windows"] += assigned
        view["assigned_windows"] = assigned
    if status == WAITING:
        ahead = repo.count_ahead(ticket)
        view["ahead"] = ahead
        view["eta_minutes"] = eta(repo, ctx, site, ticket.queue, ahead)
        view["eta_note"] = NO_WINDOW_OPEN if view["eta_minutes"] is None else None
    return view


def ticket_fields(site: Site, ticket: Ticket, recall: bool = False, today: dt.date | None = None) -> dict:
    """What a ticket's holder is told when it moves (the ``ticket`` event of its room; the keys of
    ``server.domain.events.TICKET_FIELDS``); ``today`` closes what an earlier day left open."""
    window = site.window(ticket.window) if ticket.window else None
    status, cancel_reason = ticket.status, ticket.cancel_reason
    if today is not None:
        status, cancel_reason = effective_status(status, cancel_reason, ticket.day, today)
    return {
        "id": ticket.id, "number": ticket.number, "status": status, "window": ticket.window,
        "window_number": window.number if window else None, "window_name": window.name if window else None,
        "zone": window.zone if window else queue_zone(site, ticket.queue), "called_at": iso(ticket.called_at),
        "finished_at": iso(ticket.finished_at), "outcome": ticket.outcome,
        "transferred_to": ticket.transferred_to, "recall": recall, "cancel_reason": cancel_reason,
    }


def queue_zone(site: Site, queue_id: str) -> str | None:
    windows = windows_for_queue(site, queue_id)
    return site.window(windows[0]).zone if windows else None


def queue_zones(site: Site, queue_id: str) -> list[str]:
    """The zones of the queue's own windows, in layout order: where its tickets send their holders."""
    zones: list[str] = []
    for window_id in windows_for_queue(site, queue_id):
        zone = site.window(window_id).zone
        if zone not in zones:
            zones.append(zone)
    return zones


def floor_of(site: Site, zone_id: str | None) -> tuple[str | None, str | None]:
    """(floor id, floor name) of a zone, or (None, None) when the layout names no floor for it."""
    zone = site.zone(zone_id) if zone_id else None
    floor = site.floor(zone.floor) if zone is not None and zone.floor else None
    return (floor.id, floor.name) if floor is not None else (None, None)


def where(site: Site, queue_id: str) -> list[dict]:
    """The windows that may call a ticket of the queue, grouped by floor (by zone where no floor is
    named): own windows first, then the helping ones (``overflow``: true). Computed once per layout and
    queue (every ticket view carries it); each caller gets its own copy."""
    cached = _WHERE.get((site.id, queue_id))
    if cached is None or cached[0] is not site:
        if len(_WHERE) > 1024:
            _WHERE.clear()
        cached = _WHERE[(site.id, queue_id)] = (site, _where(site, queue_id))
    return [{**group, "windows": list(group["windows"]), "numbers": list(group["numbers"])} for group in cached[1]]


# (site id, queue id) -> (the Site it was computed from, the groups of ``where``).
_WHERE: dict[tuple[str, str], tuple[Site, list[dict]]] = {}


def _where(site: Site, queue_id: str) -> list[dict]:
    groups: list[dict] = []
    for helping, window_ids in ((False, windows_for_queue(site, queue_id)), (True, helping_windows(site, queue_id))):
        for window_id in window_ids:
            window = site.window(window_id)
            floor, floor_name = floor_of(site, window.zone)
            place = floor or f"zone:{window.zone}"
            group = next((g for g in groups if g["overflow"] == helping and g["_place"] == place), None)
            if group is None:
                zone = site.zone(window.zone)
                group = {"_place": place, "floor": floor, "floor_name": floor_name, "zone": window.zone,
                         "zone_name": zone.name if zone else window.zone, "windows": [], "numbers": [],
                         "overflow": helping}
                groups.append(group)
            group["windows"].append(window.id)
            group["numbers"].append(window.number)
    for group in groups:
        del group["_place"]
        group["text"], group["text_en"] = _place_text(site, group)
    return groups


def _place_text(site: Site, group: dict) -> tuple[str, str]:
    """"三楼 31、32号窗口" / "Windows 31, 32, 3rd floor": the floor (else the zone) and the window numbers."""
    numbers = group["numbers"]
    floor = site.floor(group["floor"]) if group["floor"] else None
    zone = site.zone(group["zone"])
    place = floor.name if floor else group["zone_name"]
    place_en = floor.name_en if floor else (zone.name_en if zone else "")
    english = f"{'Windows' if len(numbers) > 1 else 'Window'} {', '.join(numbers)}"
    return f"{place} {'、'.join(numbers)}号窗口", f"{english}, {place_en}" if place_en else english


def eta(repo: Repository, ctx: HallContext, site: Site, queue_id: str, ahead: int,
        open_windows: int | None = None) -> int | None:
    """Minutes to wait behind ``ahead`` people; None while no window serving the queue is open. The
    default service time is the average of the items the queue takes today, delegated ones included."""
    day = ctx.today(site)
    if open_windows is None:
        open_windows = repo.count_open_windows(site.id, serving_windows(repo, ctx, site, queue_id), day)
    if open_windows == 0:
        return None
    if ahead == 0:
        return 0
    services = [s.average_minutes for s in services_of_queue(site, queue_id, day)] or [DEFAULT_SERVICE_MINUTES]
    default = sum(services) / len(services)
    return estimate_minutes(ahead, open_windows, repo.recent_durations(site.id, queue_id, day), default)


def serving_windows(repo: Repository, ctx: HallContext, site: Site, queue_id: str,
                    assignments: Mapping[str, Assignment] | None = None) -> tuple[str, ...]:
    """The windows that call the queue now: its own, but those a manager assigned to other queues (an
    assignment replaces a window's list), and those assigned to it (弹性窗口)."""
    if assignments is None:
        assignments = repo.active_assignments(site.id, ctx.today(site), ctx.now())
    own = tuple(window for window in windows_for_queue(site, queue_id)
                if window not in assignments or queue_id in assignments[window].queues)
    return own + tuple(assigned_windows(site, assignments, queue_id, own))


def window_view(repo: Repository, ctx: HallContext, site: Site, state: WindowState,
                assignments: Mapping[str, Assignment] | None = None) -> dict:
    """The staff view of a window (the public one drops the clerk and the ticket id). ``assignment``: what
    a manager assigned it to serve now (``assignments``: those of the site, read once for many windows)."""
    window = site.window(state.window)
    if assignments is None:
        assignments = repo.active_assignments(site.id, ctx.today(site), ctx.now())
    current = repo.ticket(state.current_ticket) if state.current_ticket else None
    effective = effective_state(state, ctx.today(site))
    return {
        "site": site.id, "window": window.id, "window_number": window.number, "window_name": window.name,
        "zone": window.zone, "state": effective, "reason": state.reason if effective == "paused" else None,
        "clerk": state.clerk_id if effective != "closed" else None,
        "current": None if current is None or effective == "closed" else {
            "ticket": current.number, "ticket_id": current.id, "status": current.status,
            "service": current.service, "called_at": iso(current.called_at)},
        "assignment": assignment_view(site, assignments.get(window.id)),
    }
