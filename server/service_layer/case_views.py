"""Cases as people read them: the back office's view (the applicant's phone masked) and the holder's
tracking view (status, history, deadline and days left, where to pick up; no name, no phone)."""

from __future__ import annotations

import datetime as dt

from layout.model import Site
from server.domain.cases import (
    ACCEPTED,
    READY,
    STATUS_NAMES,
    STATUS_NAMES_EN,
    delivery_from_column,
    is_overdue,
)
from server.domain.personal import mask_mobile
from server.domain.workdays import working_days_left
from server.models import Case, CaseEvent
from server.service_layer.context import iso
from server.service_layer.views import where

DELIVERY_NAMES = {"pickup": "窗口领取", "mail": "邮寄送达"}


def pickup_queue(site: Site):
    return next((queue for queue in site.queues if queue.kind == "pickup"), None)


def days_left(site: Site, case: Case, today: dt.date) -> int | None:
    """Working days left to decide (0: due today, negative: overdue); None once decided."""
    return working_days_left(site, today, case.deadline) if case.status == ACCEPTED else None


def _common(site: Site, case: Case, today: dt.date) -> dict:
    service = site.service(case.service)
    delivery = list(delivery_from_column(case.delivery))
    return {
        "number": case.number, "site": site.id, "site_name": site.name, "service": case.service,
        "service_name": service.name if service else case.service, "status": case.status,
        "status_name": STATUS_NAMES.get(case.status, case.status),
        "status_name_en": STATUS_NAMES_EN.get(case.status, case.status),
        "accepted_at": iso(case.accepted_at), "deadline": case.deadline.isoformat(),
        "days_left": days_left(site, case, today), "overdue": is_overdue(case.status, today, case.deadline),
        "delivery": delivery, "delivery_names": [DELIVERY_NAMES.get(way, way) for way in delivery],
        "tracking": case.tracking,
    }


def staff_case_view(site: Site, case: Case, history: list[CaseEvent], today: dt.date,
                    pickup_ticket: str | None = None) -> dict:
    department = site.department(case.department)
    return {
        **_common(site, case, today), "department": case.department,
        "department_name": department.name if department else case.department, "window": case.window,
        "applicant_name": case.applicant_name,
        "applicant_phone": mask_mobile(case.applicant_phone) if case.applicant_phone else None,
        "note": case.note, "decided_at": iso(case.decided_at), "pickup_ticket": pickup_ticket,
        "history": [{"status": event.status, "status_name": STATUS_NAMES.get(event.status, event.status),
                     "at": iso(event.at), "by": event.actor, "note": event.note, "tracking": event.tracking}
                    for event in history],
    }


def holder_case_view(site: Site, case: Case, history: list[CaseEvent], today: dt.date) -> dict:
    queue = pickup_queue(site)
    view = {"id": case.id, **_common(site, case, today),
            "history": [{"status": event.status, "status_name": STATUS_NAMES.get(event.status, event.status),
                         "at": iso(event.at)} for event in history],
            "where": where(site, queue.id) if queue is not None and "pickup" in case.delivery else [],
            "ready": case.status == READY}
    if case.note and case.status != ACCEPTED:
        view["note"] = case.note  # the department's word on its decision
    return view
