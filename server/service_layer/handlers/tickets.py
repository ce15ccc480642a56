"""Issuing a ticket: numbered per queue and local day in one statement, printed after the commit."""

from __future__ import annotations

import datetime as dt

from server.domain import errors
from server.domain.commands import IssueTicket
from server.domain.errors import NotFound
from server.domain.events import TicketIssued, WaitingChanged
from server.domain.hours import is_open
from server.domain.numbering import format_number
from server.domain.routing import route
from server.models import PrintJob, Ticket
from server.service_layer.context import HallContext
from server.service_layer.unit_of_work import UnitOfWork
from server.service_layer.views import ticket_view


def issue_ticket(command: IssueTicket, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    service = site.service(command.service)
    if service is None:
        raise NotFound("service", command.service)
    if command.priority is not None and command.priority not in {c.id for c in site.priority.classes}:
        raise NotFound("priority", command.priority)
    kiosk = None
    if command.kiosk is not None:
        kiosk = site.kiosk(command.kiosk)
        if kiosk is None:
            raise NotFound("kiosk", command.kiosk)
    now = ctx.now()
    if not ctx.ignore_hours and not is_open(site, now.replace(tzinfo=dt.UTC)):
        raise errors.HallClosed()
    day = ctx.today(site)
    queue = site.queue(route(site, service.id, day).queue)
    repo = uow.repository
    if service.daily_cap is not None and repo.next_counter(site.id, f"service:{service.id}", day) > service.daily_cap:
        raise errors.DailyCapReached()
    sequence = repo.next_counter(site.id, f"queue:{queue.id}", day)
    if queue.daily_cap is not None and sequence > queue.daily_cap:
        raise errors.DailyCapReached()
    ticket = Ticket(id=ctx.new_id(), site=site.id, number=format_number(queue.prefix, sequence), day=day,
                    service=service.id, queue=queue.id, priority_class=command.priority, status="waiting",
                    issued_at=now, kiosk=command.kiosk, recalls=0)
    repo.add(ticket)
    repo.flush()
    uow.record(WaitingChanged(site.id, day=day))
    view = ticket_view(repo, ctx, site, ticket)
    job = None
    if kiosk is not None and kiosk.printer is not None:
        job = PrintJob(site=site.id, kiosk=kiosk.id, ticket_id=ticket.id, status="pending", attempts=0,
                       created_at=now, updated_at=now)
        repo.add(job)
        repo.flush()
        view["print_job"] = job.id
    uow.record(TicketIssued(site.id, ticket=view, kiosk=command.kiosk, print_job=job.id if job else None))
    return view
