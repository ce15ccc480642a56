"""A ticket leaving the line before its call (cancelled by its holder or by staff), and a missed ticket put
back in line (过号重排) behind the tickets waiting then."""

from __future__ import annotations

import datetime as dt

from layout.model import Site
from server.domain import errors
from server.domain.commands import CancelTicket, RequeueTicket
from server.domain.errors import NotFound
from server.domain.events import TicketChanged, WaitingChanged
from server.domain.tickets import effective_status, next_status
from server.models import Ticket
from server.service_layer.context import HallContext
from server.service_layer.unit_of_work import UnitOfWork
from server.service_layer.views import ticket_fields, ticket_view


def _ticket_of(uow: UnitOfWork, site: Site, ticket_id: str) -> Ticket:
    ticket = uow.repository.ticket(ticket_id, lock=True)
    if ticket is None or ticket.site != site.id:
        raise NotFound("ticket", ticket_id)
    return ticket


def _moved(uow: UnitOfWork, ctx: HallContext, site: Site, ticket: Ticket, action: str) -> dict:
    uow.record(TicketChanged(site.id, ticket=ticket_fields(site, ticket), action=action))
    uow.record(WaitingChanged(site.id, day=ctx.today(site)))
    return ticket_view(uow.repository, ctx, site, ticket)


def cancel_ticket(command: CancelTicket, uow: UnitOfWork, ctx: HallContext) -> dict:
    """Only a waiting ticket of today: one at a window is the clerk's (no-show), one finished is history."""
    site = ctx.site(command.site)
    ticket = _ticket_of(uow, site, command.ticket_id)
    status, _ = effective_status(ticket.status, ticket.cancel_reason, ticket.day, ctx.today(site))
    ticket.status = next_status(status, "cancel")
    ticket.cancel_reason = "citizen" if command.actor is None else "staff"
    ticket.finished_at = ctx.now()
    return _moved(uow, ctx, site, ticket, "cancel")


def requeue_ticket(command: RequeueTicket, uow: UnitOfWork, ctx: HallContext) -> dict:
    """A ticket missed today, no longer ago than the site's ``requeue_minutes``, waits again; its place
    in line is now (``requeued_at``), behind everyone already waiting."""
    site = ctx.site(command.site)
    ticket = _ticket_of(uow, site, command.ticket_id)
    today, now = ctx.today(site), ctx.now()
    status, _ = effective_status(ticket.status, ticket.cancel_reason, ticket.day, today)
    waiting = next_status(status, "requeue")
    missed_at = ticket.finished_at or now
    if ticket.day != today or now - missed_at > dt.timedelta(minutes=site.requeue_minutes):
        raise errors.RequeueExpired()
    ticket.status, ticket.requeued_at, ticket.finished_at = waiting, now, None
    ticket.window, ticket.clerk_id = None, None
    return _moved(uow, ctx, site, ticket, "requeue")
