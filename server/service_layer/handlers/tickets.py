"""Issuing a ticket: numbered per queue and local day in one statement, printed after the commit.

With an idempotency key (a kiosk's retry after a timeout), the key is claimed first, in the same
transaction as the ticket: a second request with the key answers the first one's ticket, never a new one,
even when both run at once (the claim waits for the other transaction: ``store.claim_idempotency_key``)."""

from __future__ import annotations

import datetime as dt

from layout.model import Kiosk, Queue, Service, Site
from server.domain import errors
from server.domain.commands import IssueTicket
from server.domain.errors import BadRequest, NotFound
from server.domain.events import TicketIssued, WaitingChanged
from server.domain.hours import is_open
from server.domain.numbering import format_number
from server.domain.routing import route
from server.models import PrintJob, Ticket
from server.repository import Repository
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
    repo = uow.repository
    ticket_id = None
    if command.idempotency_key is not None:
        ticket_id = ctx.new_id()
        holder = repo.claim_idempotency_key(site.id, command.idempotency_key, ticket_id, now)
        if holder != ticket_id:
            return _replay(repo, ctx, site, command, holder)
    day = ctx.today(site)
    queue = site.queue(route(site, service.id, day).queue)
    sequence = walk_in_number(repo, ctx, site, service, queue, day, now)
    ticket = Ticket(id=ticket_id or ctx.new_id(), site=site.id, number=format_number(queue.prefix, sequence),
                    day=day, service=service.id, queue=queue.id, priority_class=command.priority, status="waiting",
                    issued_at=now, kiosk=command.kiosk, recalls=0)
    return record_issue(uow, ctx, site, ticket, kiosk)


def walk_in_number(repo: Repository, ctx: HallContext, site: Site, service: Service, queue: Queue, day: dt.date,
                   now: dt.datetime) -> int:
    """The next number of ``queue`` today for a walk-in: only while the hall is open, and within the item's and
    the queue's daily caps (a booked slot, promised already, is numbered without either)."""
    if not ctx.ignore_hours and not is_open(site, now.replace(tzinfo=dt.UTC)):
        raise errors.HallClosed()
    if service.daily_cap is not None and repo.next_counter(site.id, f"service:{service.id}", day) > service.daily_cap:
        raise errors.DailyCapReached()
    sequence = repo.next_counter(site.id, f"queue:{queue.id}", day)
    if queue.daily_cap is not None and sequence > queue.daily_cap:
        raise errors.DailyCapReached()
    return sequence


def record_issue(uow: UnitOfWork, ctx: HallContext, site: Site, ticket: Ticket, kiosk: Kiosk | None,
                 extra: dict | None = None) -> dict:
    """Adds a new ticket, with its print job when it was taken at a kiosk with a printer, and records the
    events of its issue; returns its view (with ``extra``, and the print job's id)."""
    repo = uow.repository
    repo.add(ticket)
    repo.flush()
    uow.record(WaitingChanged(site.id, day=ticket.day))
    view = ticket_view(repo, ctx, site, ticket) | (extra or {})
    job = None
    if kiosk is not None and kiosk.printer is not None:
        job = PrintJob(site=site.id, kiosk=kiosk.id, ticket_id=ticket.id, status="pending", attempts=0,
                       created_at=ticket.issued_at, updated_at=ticket.issued_at)
        repo.add(job)
        repo.flush()
        view["print_job"] = job.id
    uow.record(TicketIssued(site.id, ticket=view, kiosk=ticket.kiosk, print_job=job.id if job else None))
    return view


def _replay(repo: Repository, ctx: HallContext, site: Site, command: IssueTicket, ticket_id: str) -> dict:
    """The ticket an earlier request with the same key made, as it is now; nothing is issued or printed."""
    ticket = repo.ticket(ticket_id)
    asked = (site.id, command.service, command.priority, command.kiosk)
    if ticket is None or (ticket.site, ticket.service, ticket.priority_class, ticket.kiosk) != asked:
        raise BadRequest("idempotency_key_reused", "同一 Idempotency-Key 已用于另一张号票的请求 / this "
                                                   "Idempotency-Key was used for a different ticket request")
    view = ticket_view(repo, ctx, site, ticket)
    job = repo.first_print_job(ticket.id)
    if job is not None:
        view["print_job"] = job
    view["replayed"] = True
    return view
