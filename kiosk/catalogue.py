"""What a kiosk offers: its area tiles, the items under them with their search keys, and the priority
classes. Pinyin is computed on the server (server.search_keys, as for the counter's transfer search),
so the touch page only compares strings."""

from __future__ import annotations

from layout.model import Kiosk, Site
from server.layout_view import site_layout
from server.search_keys import search_keys_of

OTHER_AREA = "_other"


def kiosk_catalogue(hall, site: Site, kiosk: Kiosk) -> dict:
    """The kiosk page's data: the layout as routed today, narrowed to the kiosk's areas."""
    layout = site_layout(hall, site)
    wanted = set(kiosk.areas)
    areas = [area for area in layout["areas"] if not wanted or area["id"] in wanted]
    shown = {area["id"] for area in areas}
    known = {area["id"] for area in layout["areas"]}

    def area_of(service: dict) -> str:
        return service["area"] if service["area"] in known else OTHER_AREA

    if not wanted and any(area_of(service) == OTHER_AREA for service in layout["services"]):
        # Items the layout puts under no tile stay reachable on a kiosk that shows everything.
        areas.append({"id": OTHER_AREA, "name": "其他事项", "name_en": "Other services"})
        shown.add(OTHER_AREA)
    services = []
    keys = search_keys_of(service["name"] for service in layout["services"])  # pinyin out of process
    for service in layout["services"]:
        area = area_of(service)
        if area not in shown:
            continue
        initials, full = keys[service["name"]]
        services.append({
            "id": service["id"], "name": service["name"], "name_en": service["name_en"],
            "area": area, "department_name": service["department_name"],
            "available": service["available"], "queue": service["queue"],
            "checklist": service["checklist"], "initials": initials, "pinyin": full,
        })
    printer = kiosk.printer
    return {
        "site": {"id": site.id, "name": site.name, "name_en": site.name_en, "ticket_notice": site.ticket_notice,
                 "timezone": site.timezone},
        "kiosk": {"id": kiosk.id, "name": kiosk.name, "zone": kiosk.zone,
                  "printer": None if printer is None else printer.type},
        "areas": areas,
        "services": services,
        "priority_classes": layout["priority_classes"],
        "zones": [{"id": zone["id"], "name": zone["name"], "name_en": zone["name_en"]} for zone in layout["zones"]],
        "windows": [{"id": window["id"], "number": window["number"], "name": window["name"], "zone": window["zone"]}
                    for window in layout["windows"]],
        "day": hall.today(site).isoformat(),
    }
