"""Cases (办件): opened by a window's finish ``accepted`` in the same transaction, decided and handed out by
the back office, collected through a pickup ticket of the site's 综合出件 queue. Every change locks the
case's row, appends a history entry with who and when, and records a ``case`` event for the staff and an
in-process move for the holder's page and the notifier."""

from __future__ import annotations

import datetime as dt

from layout.model import Service, Site, Window
from server.domain.access import check_role
from server.domain.alerts import Finding
from server.domain.cases import (
    ACCEPTED,
    DECIDE_ROLES,
    DELIVERED,
    HANDOUT_ROLES,
    MAILED,
    READY,
    CaseChanged,
    CaseMoved,
    CaseNotFound,
    DecideCase,
    IssuePickup,
    MarkMailed,
    MarkReady,
    NoPickupQueue,
    PickupIssued,
    case_number,
    check_decision,
    check_department,
    check_mail,
    check_pickup,
    check_ready,
    delivery_from_column,
    overdue_findings,
    parse_case_reference,
)
from server.domain.commands import Actor, IssueTicket
from server.domain.workdays import add_working_days
from server.models import Case, CaseEvent, Ticket
from server.service_layer.case_views import pickup_queue, staff_case_view
from server.service_layer.context import HallContext, iso
from server.service_layer.unit_of_work import UnitOfWork


def record_step(uow: UnitOfWork, site: Site, case: Case, now: dt.datetime, actor: str | None,
                note: str | None = None, tracking: str | None = None, ticket_id: str | None = None) -> None:
    """The case's new status as a history entry (never changed afterwards) and its events."""
    case.updated_at = now
    uow.repository.add(CaseEvent(case_id=case.id, status=case.status, at=now, actor=actor, note=note,
                                 tracking=tracking, ticket_id=ticket_id))
    uow.record(CaseChanged(site.id, number=case.number, service=case.service, department=case.department,
                           status=case.status, at=iso(now), by=actor))
    uow.record(CaseMoved(site.id, case_id=case.id, number=case.number, status=case.status))


def open_case(uow: UnitOfWork, ctx: HallContext, site: Site, window: Window, service: Service, ticket: Ticket,
              actor: Actor, now: dt.datetime, applicant_name: str | None, applicant_phone: str | None) -> Case:
    """受理: the case of an accepted ticket, numbered per site and local day in one statement."""
    day = ctx.today(site)
    sequence = uow.repository.next_counter(site.id, "case", day)
    case = Case(id=ctx.new_id(), site=site.id, number=case_number(day, sequence), service=service.id,
                department=service.department, status=ACCEPTED, ticket_id=ticket.id, window=window.id,
                applicant_name=applicant_name, applicant_phone=applicant_phone,
                delivery=",".join(service.delivery), accepted_at=now, accepted_day=day,
                deadline=add_working_days(site, day, service.promised_days), updated_at=now)
    uow.repository.add(case)
    uow.repository.flush()
    record_step(uow, site, case, now, actor.username, ticket_id=ticket.id)
    return case


def case_answer(case: Case) -> dict:
    """What the finish answers the clerk with (the id goes on the 受理通知书's QR code)."""
    return {"id": case.id, "number": case.number, "deadline": case.deadline.isoformat(), "status": case.status,
            "delivery": list(delivery_from_column(case.delivery))}


def deliver(uow: UnitOfWork, site: Site, ticket: Ticket, actor: Actor, now: dt.datetime) -> Case:
    """出件: the pickup ticket's case is handed out (its row locked; it must still be ready)."""
    case = uow.cases.by_id(ticket.case_id, lock=True)
    if case is None:
        raise CaseNotFound(ticket.case_id)
    check_pickup(case.status)
    case.status = DELIVERED
    record_step(uow, site, case, now, actor.username, ticket_id=ticket.id)
    return case


def _case_for(uow: UnitOfWork, ctx: HallContext, site: Site, number: str, actor: Actor, roles) -> Case:
    check_role(actor, roles)
    case = uow.cases.by_number(site.id, number, lock=True)
    if case is None:
        raise CaseNotFound(number)
    check_department(actor, case.department)
    return case


def _answer(uow: UnitOfWork, ctx: HallContext, site: Site, case: Case) -> dict:
    uow.repository.flush()
    return staff_case_view(site, case, uow.cases.history([case.id])[case.id], ctx.today(site))


def decide_case(command: DecideCase, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    case = _case_for(uow, ctx, site, command.number, command.actor, DECIDE_ROLES)
    decision, note = check_decision(case.status, command.decision, command.note)
    now = ctx.now()
    case.status, case.note, case.decided_at = decision, note, now
    record_step(uow, site, case, now, command.actor.username, note=note)
    return _answer(uow, ctx, site, case)


def mark_ready(command: MarkReady, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    case = _case_for(uow, ctx, site, command.number, command.actor, HANDOUT_ROLES)
    check_ready(case.status, delivery_from_column(case.delivery))
    now = ctx.now()
    case.status = READY
    record_step(uow, site, case, now, command.actor.username)
    return _answer(uow, ctx, site, case)


def mark_mailed(command: MarkMailed, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    case = _case_for(uow, ctx, site, command.number, command.actor, HANDOUT_ROLES)
    tracking = check_mail(case.status, delivery_from_column(case.delivery), command.tracking)
    now = ctx.now()
    case.status, case.tracking = MAILED, tracking
    record_step(uow, site, case, now, command.actor.username, tracking=tracking)
    return _answer(uow, ctx, site, case)


def issue_pickup(command: IssuePickup, uow: UnitOfWork, ctx: HallContext) -> dict:
    """领取办件结果: a normal ticket of the pickup queue, linked to the case. The case's row lock makes "one
    pickup ticket at a time" hold across processes: a second request waits, then sees the first one's."""
    from server.service_layer.handlers.tickets import issue_ticket

    site = ctx.site(command.site)
    queue = pickup_queue(site)
    service = next((s for s in site.services if queue is not None and s.queue == queue.id), None)
    if queue is None or service is None:
        raise NoPickupQueue()
    how, value = parse_case_reference(command.case)
    case = uow.cases.by_id(value, lock=True) if how == "id" else uow.cases.by_number(site.id, value, lock=True)
    if case is None or case.site != site.id:
        raise CaseNotFound(value if how == "number" else "")
    check_pickup(case.status)
    if uow.cases.open_pickup(case.id, ctx.today(site)) is not None:
        raise PickupIssued()
    issued = issue_ticket(IssueTicket(site.id, service.id, kiosk=command.kiosk), uow, ctx)
    uow.repository.ticket(issued["id"]).case_id = case.id
    uow.repository.flush()
    view = dict(issued)  # the answer names the case; the issue's own event keeps the plain ticket view
    view["case"] = {"number": case.number, "status": case.status}
    if how == "id":  # the notice's QR (the case's secret id): what was applied for, too; a typed number, easy to
        # guess (a day and a sequence), tells a stranger nothing of what someone applied for
        view["case"] |= {"service": case.service, "service_name": (site.service(case.service) or service).name}
    return view


def case_findings(uow: UnitOfWork, ctx: HallContext, site: Site) -> list[Finding]:
    """The alert rule's cases: each undecided past its deadline (for the manager and the department)."""
    found = []
    for case in uow.cases.overdue(site.id, ctx.today(site)):
        service, department = site.service(case.service), site.department(case.department)
        found.append((case.number, service.name if service else case.service,
                      department.name if department else case.department, case.deadline))
    return overdue_findings(found)
