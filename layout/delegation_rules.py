"""Rules for delegations (委托): terms, the general queue they hand items to, and who may delegate."""

from __future__ import annotations

import datetime as dt

from layout.model import Delegation
from layout.site_view import SiteView, entries


def _term_is_valid(delegation: Delegation) -> bool:
    starts, ends = delegation.valid_from, delegation.valid_until
    return isinstance(starts, dt.date) and isinstance(ends, dt.date) and starts <= ends


def check_delegations(view: SiteView) -> None:
    site = view.site
    queues = {queue.id: queue for _index, queue in entries(site.queues)}
    services = {service.id: service for _index, service in entries(site.services)}
    for index, delegation in entries(site.delegations):
        starts, ends = delegation.valid_from, delegation.valid_until
        if isinstance(starts, dt.date) and isinstance(ends, dt.date) and ends < starts:
            view.add(
                "delegations",
                index,
                "until",
                message=f"delegation '{delegation.id}' ends on {ends.isoformat()}, before it starts on "
                f"{starts.isoformat()}",
            )
        queue = queues.get(delegation.queue)
        if queue is not None and isinstance(queue.kind, str) and queue.kind != "general":
            view.add(
                "delegations",
                index,
                "queue",
                message=f"delegation '{delegation.id}' hands items to queue '{queue.id}' "
                f"of kind {queue.kind}; "
                "delegated items go to a general queue (无差别综合窗口)",
            )
        if delegation.services == ():
            view.add(
                "delegations", index, "services", message=f"delegation '{delegation.id}' lists no service"
            )
        listed: set[str] = set()
        for position, service_id in entries(delegation.services):
            if service_id in listed:
                view.add(
                    "delegations",
                    index,
                    "services",
                    position,
                    message=f"service '{service_id}' is listed twice",
                )
            listed.add(service_id)
            service = services.get(service_id)
            department = delegation.department
            if service is not None and isinstance(department, str) and service.department != department:
                view.add(
                    "delegations",
                    index,
                    "services",
                    position,
                    message=f"service '{service_id}' belongs to department '{service.department}'; "
                    f"department '{department}' cannot delegate it",
                )
    _check_overlapping_terms(view)


def _check_overlapping_terms(view: SiteView) -> None:
    """While two delegations of one item are both in force, it would be unclear where it goes."""
    earlier: dict[str, list[tuple[int, Delegation]]] = {}
    for index, delegation in entries(view.site.delegations):
        if not _term_is_valid(delegation):
            continue
        for position, service_id in entries(delegation.services):
            for other_index, other in earlier.get(service_id, []):
                if other_index == index:
                    continue  # listed twice in one delegation: reported by check_delegations
                if delegation.valid_from <= other.valid_until and other.valid_from <= delegation.valid_until:
                    view.add(
                        "delegations",
                        index,
                        "services",
                        position,
                        message=f"service '{service_id}' is also delegated by '{other.id}' "
                        f"(delegations[{other_index}]) from {other.valid_from.isoformat()} to "
                        f"{other.valid_until.isoformat()}; the terms overlap",
                    )
            seen = earlier.setdefault(service_id, [])
            if not seen or seen[-1][0] != index:
                seen.append((index, delegation))
