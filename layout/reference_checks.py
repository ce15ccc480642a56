"""Ids are unique per kind within a site, and every reference names something that exists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from layout.model import Priority
from layout.site_view import SiteView, entries, ids_of
from layout.typed_reader import suggestion

# (field of Site, what one entry is called in messages)
_KINDS = (
    ("floors", "floor"),
    ("zones", "zone"),
    ("departments", "department"),
    ("areas", "area"),
    ("queues", "queue"),
    ("services", "service"),
    ("windows", "window"),
    ("delegations", "delegation"),
    ("kiosks", "kiosk"),
    ("displays", "display"),
)


def check_unique_ids(view: SiteView) -> None:
    for field, kind in _KINDS:
        _report_duplicates(view, getattr(view.site, field), kind, (field,))
    priority = view.site.priority
    if isinstance(priority, Priority):
        _report_duplicates(view, priority.classes, "priority class", ("priority", "classes"))


def _report_duplicates(view: SiteView, items: Any, kind: str, parts: tuple[str, ...]) -> None:
    first_index: dict[str, int] = {}
    for index, item in entries(items):
        if not isinstance(item.id, str):
            continue
        if item.id in first_index:
            view.add(
                *parts,
                index,
                "id",
                message=f"duplicate {kind} id '{item.id}' "
                f"(already used by {parts[-1]}[{first_index[item.id]}])",
            )
        else:
            first_index[item.id] = index


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    known = sorted(known)
    listing = f"; known: {', '.join(known)}" if 0 < len(known) <= 12 else ""
    if not known:
        listing = f"; this site defines no {kind}s"
    return f"unknown {kind} '{value}'{suggestion(value, known)}{listing}"


def check_references(view: SiteView) -> None:
    site = view.site
    floors, zones, areas = ids_of(site.floors), ids_of(site.zones), ids_of(site.areas)
    departments, queues, services = ids_of(site.departments), ids_of(site.queues), ids_of(site.services)

    def expect(value: Any, known: set[str], kind: str, *parts: str | int) -> None:
        if isinstance(value, str) and value not in known:
            view.add(*parts, message=_unknown(kind, value, known))

    for index, zone in entries(site.zones):
        expect(zone.floor, floors, "floor", "zones", index, "floor")
    for index, service in entries(site.services):
        expect(service.department, departments, "department", "services", index, "department")
        expect(service.queue, queues, "queue", "services", index, "queue")
        expect(service.area, areas, "area", "services", index, "area")
    for index, window in entries(site.windows):
        expect(window.zone, zones, "zone", "windows", index, "zone")
        for position, queue in entries(window.queues):
            expect(queue, queues, "queue", "windows", index, "queues", position)
        for position, overflow in entries(window.overflow):
            expect(overflow.queue, queues, "queue", "windows", index, "overflow", position, "queue")
        for position, queue in entries(window.may_serve):
            expect(queue, queues, "queue", "windows", index, "may_serve", position)
    for index, delegation in entries(site.delegations):
        expect(delegation.department, departments, "department", "delegations", index, "department")
        expect(delegation.queue, queues, "queue", "delegations", index, "queue")
        for position, service in entries(delegation.services):
            expect(service, services, "service", "delegations", index, "services", position)
    for index, kiosk in entries(site.kiosks):
        expect(kiosk.zone, zones, "zone", "kiosks", index, "zone")
        for position, area in entries(kiosk.areas):
            expect(area, areas, "area", "kiosks", index, "areas", position)
    for index, display in entries(site.displays):
        for position, zone in entries(display.zones):
            expect(zone, zones, "zone", "displays", index, "zones", position)
