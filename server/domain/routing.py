"""Which queue and windows take a ticket for an item (事项) on a given day.

A department may delegate (委托) items to the general windows for a term; while the delegation is in
force it wins over the item's home queue, so the citizen goes where the item is really accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from layout.model import Authority, Delegation, Service, Site, Window
from server.domain.errors import ServiceUnavailable


@dataclass(frozen=True)
class Route:
    service: str
    queue: str
    windows: tuple[str, ...]
    authority: Authority | None  # set when routed through a delegation ("accept" or "handle")


def delegation_in_force(delegation: Delegation, day: date) -> bool:
    """A delegation applies from its first day through its last day, both included."""
    return delegation.valid_from <= day <= delegation.valid_until


def windows_for_queue(site: Site, queue_id: str) -> tuple[str, ...]:
    """Ids of the windows that serve ``queue_id`` as one of their own queues, in layout order."""
    return _queue_windows(site).get(queue_id, ((), ()))[0]


def helping_windows(site: Site, queue_id: str) -> tuple[str, ...]:
    """Ids of the windows that help ``queue_id`` through overflow (and do not serve it as their own)."""
    return _queue_windows(site).get(queue_id, ((), ()))[1]


def _queue_windows(site: Site) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """queue id -> (own windows, helping windows) of the site, computed once per layout (every ticket view
    and call reads them; a reload brings a new Site)."""
    cached = _QUEUE_WINDOWS.get(site.id)
    if cached is None or cached[0] is not site:
        own: dict[str, list[str]] = {}
        helping: dict[str, list[str]] = {}
        for window in site.windows:
            for queue_id in dict.fromkeys(window.queues):
                own.setdefault(queue_id, []).append(window.id)
            for queue_id in dict.fromkeys(o.queue for o in window.overflow):
                if queue_id not in window.queues:
                    helping.setdefault(queue_id, []).append(window.id)
        if len(_QUEUE_WINDOWS) > 64:
            _QUEUE_WINDOWS.clear()
        cached = (site, {queue_id: (tuple(own.get(queue_id, ())), tuple(helping.get(queue_id, ())))
                         for queue_id in {*own, *helping}})
        _QUEUE_WINDOWS[site.id] = cached
    return cached[1]


# site id -> (the Site it was computed from, queue -> (own windows, helping windows)).
_QUEUE_WINDOWS: dict[str, tuple[Site, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]]] = {}


def calling_windows(site: Site, queue_id: str) -> tuple[str, ...]:
    """Every window that may call a ticket of ``queue_id``: its own windows, then those that help."""
    return windows_for_queue(site, queue_id) + helping_windows(site, queue_id)


def services_of_queue(site: Site, queue_id: str, day: date) -> tuple[Service, ...]:
    """The items whose tickets go to ``queue_id`` on ``day``: its home items and the items delegated to it
    (a delegated item has no home queue of its own)."""
    cache_key = (site.id, day)
    cached = _QUEUE_SERVICES.get(cache_key)
    if cached is None or cached[0] is not site:
        by_queue: dict[str, list[Service]] = {}
        for service in site.services:
            try:
                routed = route(site, service.id, day)
            except ServiceUnavailable:
                continue
            by_queue.setdefault(routed.queue, []).append(service)
        if len(_QUEUE_SERVICES) > 64:
            _QUEUE_SERVICES.clear()
        cached = (site, {queue: tuple(services) for queue, services in by_queue.items()})
        _QUEUE_SERVICES[cache_key] = cached
    return cached[1].get(queue_id, ())


# (site id, day) -> (the Site it was computed from, queue -> items): the estimate reads it for every ticket.
_QUEUE_SERVICES: dict[tuple[str, date], tuple[Site, dict[str, tuple[Service, ...]]]] = {}


def may_handle_at_once(site: Site, service_id: str, day: date, window: Window) -> bool:
    """Whether ``window`` may finish the item as 即办 (handled on the spot). Not where the item reaches the
    window only through a delegation whose authority is "accept": the department delegated acceptance
    (受理), not the decision. A window that serves the item's home queue is the department's own."""
    service = site.service(service_id)
    if service is None:
        return True  # an item since removed from the layout: nothing says otherwise
    if service.queue is not None and service.queue in window.queues:
        return True
    try:
        routed = route(site, service_id, day)
    except ServiceUnavailable:
        return True
    return routed.authority != "accept"


def route(site: Site, service_id: str, day: date) -> Route:
    """Route an item on ``day``. Unknown item: KeyError. No queue takes it today: ServiceUnavailable."""
    service = site.service(service_id)
    if service is None:
        raise KeyError(service_id)
    for delegation in site.delegations:
        if service_id in delegation.services and delegation_in_force(delegation, day):
            return Route(
                service=service_id,
                queue=delegation.queue,
                windows=windows_for_queue(site, delegation.queue),
                authority=delegation.authority,
            )
    if service.queue is None:
        raise ServiceUnavailable(f"「{service.name}」今日暂不办理 / {service_id} is not available today")
    return Route(
        service=service_id,
        queue=service.queue,
        windows=windows_for_queue(site, service.queue),
        authority=None,
    )
