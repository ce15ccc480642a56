"""Which queue and windows take a ticket for an item (事项) on a given day.

A department may delegate (委托) items to the general windows for a term; while the delegation is in
force it wins over the item's home queue, so the citizen goes where the item is really accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from layout.model import Authority, Delegation, Site
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
    return tuple(window.id for window in site.windows if queue_id in window.queues)


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
