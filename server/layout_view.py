"""The layout as the API shows it (GET /sites/<site>/layout), routed for today."""

from __future__ import annotations

from layout.model import Site
from server.domain.errors import ServiceUnavailable
from server.domain.routing import route


def site_layout(context, site: Site) -> dict:
    day = context.today(site)
    services = []
    for service in site.services:
        try:
            routed = route(site, service.id, day)
            queue, available, authority = routed.queue, True, routed.authority
        except ServiceUnavailable:
            queue, available, authority = service.queue, False, None
        services.append({
            "id": service.id, "name": service.name, "name_en": service.name_en,
            "department": service.department,
            "department_name": getattr(site.department(service.department), "name", service.department),
            "queue": queue, "available": available, "authority": authority, "area": service.area,
            "average_minutes": service.average_minutes, "checklist": list(service.checklist),
        })
    return {
        "id": site.id, "name": site.name, "name_en": site.name_en, "timezone": site.timezone,
        "call_template": site.call_template, "ticket_notice": site.ticket_notice,
        "zones": [{"id": z.id, "name": z.name, "name_en": z.name_en, "floor": z.floor} for z in site.zones],
        "areas": [{"id": a.id, "name": a.name, "name_en": a.name_en} for a in site.areas],
        "windows": [{"id": w.id, "number": w.number, "name": w.name, "zone": w.zone, "kind": w.kind,
                     "queues": list(w.queues), "overflow": [o.queue for o in w.overflow]} for w in site.windows],
        "queues": [{"id": q.id, "name": q.name, "name_en": q.name_en, "prefix": q.prefix, "kind": q.kind}
                   for q in site.queues],
        "services": services,
        "departments": [{"id": d.id, "name": d.name} for d in site.departments],
        "priority_classes": [{"id": c.id, "name": c.name, "name_en": c.name_en} for c in site.priority.classes],
        "displays": [{"id": d.id, "name": d.name, "zones": list(d.zones), "voice": d.voice,
                      "voice_repeat": d.voice_repeat, "notice": d.notice} for d in site.displays],
        "kiosks": [{"id": k.id, "name": k.name, "zone": k.zone, "areas": list(k.areas)} for k in site.kiosks],
        "hours": [{"days": list(p.days), "opens": p.opens.strftime("%H:%M"), "closes": p.closes.strftime("%H:%M")}
                  for p in site.hours],
    }
