"""What the window's documents say (受理通知书, 一次性告知书, 不予受理凭证), read once for both ways of printing
them: the A4 page in the clerk's browser and the window's receipt printer (ESC/POS). The ticket id is the
proof: its holder and the clerk who finished it have it."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.db import Database
from server.domain.errors import NotFound
from server.domain.personal import mask_mobile
from server.models import Case, Ticket
from server.service_layer.case_queries import CaseQueries
from server.service_layer.context import HallContext

DOCUMENT_TITLES = {"accepted": "受理通知书", "notified": "一次性告知书", "rejected": "不予受理凭证"}


def local_text(timezone: str, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def document_facts(db: Database, ctx: HallContext, ticket_id: str, base_url: str) -> dict:
    """The document of a finished ticket; 404 for an id that names none (or a ticket without one)."""
    with db.read() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.outcome not in DOCUMENT_TITLES:
            raise NotFound("ticket", ticket_id)
        case = session.scalars(select(Case).where(Case.ticket_id == ticket.id)).first()
        if ticket.outcome == "accepted" and case is None:
            raise NotFound("ticket", ticket_id)
        site = ctx.site(ticket.site)
        service = site.service(ticket.service)
        department = site.department(service.department) if service else None
        window = site.window(ticket.window) if ticket.window else None
        facts = {
            "kind": ticket.outcome, "title": DOCUMENT_TITLES[ticket.outcome], "site": site, "site_id": site.id,
            "service_name": service.name if service else ticket.service,
            "department_name": department.name if department else "",
            "window": ticket.window, "window_name": window.name if window else "", "ticket_number": ticket.number,
            "at": local_text(site.timezone, ticket.finished_at), "reason": ticket.reason,
            "missing": json.loads(ticket.missing) if ticket.missing else [], "case": None, "case_id": None,
        }
        if case is not None:
            facts.update(case_id=case.id, applicant_name=case.applicant_name,
                         applicant_phone=mask_mobile(case.applicant_phone) if case.applicant_phone else None,
                         promised_days=service.promised_days if service else None,
                         tracking_url=f"{base_url.rstrip('/')}/c/{case.id}")
    if facts["case_id"] is not None:
        facts["case"] = CaseQueries(db, ctx).holder(facts["case_id"])
    return facts
