"""A window's day: open, pause, close, and call the next ticket (picked and marked in one statement)."""

from __future__ import annotations

import datetime as dt

from layout.model import Site
from server.domain import errors
from server.domain.commands import Actor, CallNext, CloseWindow, OpenWindow, PauseWindow
from server.domain.events import TicketCalled, TicketChanged, WaitingChanged, WindowChanged
from server.domain.ordering import next_position, plan_call
from server.models import Ticket, WindowState
from server.service_layer.context import HallContext, iso
from server.service_layer.unit_of_work import UnitOfWork
from server.service_layer.views import (
    effective_state,
    floor_of,
    queue_zones,
    ticket_fields,
    ticket_view,
    window_view,
)

PAUSE_REASON_MAX = 32
DEFAULT_PAUSE_REASON = "暂停服务"


def held(uow: UnitOfWork, ctx: HallContext, site: Site, window_id: str, actor: Actor) -> WindowState:
    """The window's locked row, provided the window is open or paused today and held by ``actor``."""
    state = uow.repository.window_state(site.id, window_id, lock=True)
    if effective_state(state, ctx.today(site)) == "closed":
        raise errors.WindowNotOpen()
    if state.clerk_id != actor.id and actor.role != "admin":
        raise errors.WindowTaken()
    return state


def record_window(uow: UnitOfWork, ctx: HallContext, site: Site, state: WindowState) -> WindowChanged:
    """Record the window's new view; it gets its ``seq`` at the commit, so an answer carrying it orders
    against the events and reads a client has seen."""
    return uow.record(WindowChanged.of(window_view(uow.repository, ctx, site, state)))


def record_call(uow: UnitOfWork, ctx: HallContext, site: Site, ticket: Ticket, recall: bool) -> None:
    window = site.window(ticket.window)
    service = site.service(ticket.service)
    floor, floor_name = floor_of(site, window.zone)
    uow.record(TicketCalled(
        site.id, ticket=ticket.number, ticket_id=ticket.id, window=window.id, window_number=window.number,
        window_name=window.name, zone=window.zone, service=ticket.service,
        service_name=service.name if service else ticket.service, queue=ticket.queue, at=iso(ctx.now()),
        recall=recall, floor=floor, floor_name=floor_name, queue_zones=queue_zones(site, ticket.queue)))
    uow.record(TicketChanged(site.id, ticket=ticket_fields(site, ticket, recall), action="recall" if recall else "call"))


def open_window(command: OpenWindow, uow: UnitOfWork, ctx: HallContext) -> WindowChanged:
    site = ctx.site(command.site)
    ctx.window(site, command.window)
    day, actor = ctx.today(site), command.actor
    state = uow.repository.window_state(site.id, command.window, lock=True)
    active = effective_state(state, day) != "closed"
    if active and state.clerk_id not in (None, actor.id) and actor.role != "admin":
        raise errors.WindowTaken()
    if not active:
        state.current_ticket = None  # a ticket left over from another day stays in history
    state.state, state.day, state.reason, state.clerk_id = "open", day, None, actor.id
    state.changed_at = ctx.now()
    return record_window(uow, ctx, site, state)


def pause_window(command: PauseWindow, uow: UnitOfWork, ctx: HallContext) -> WindowChanged:
    site = ctx.site(command.site)
    ctx.window(site, command.window)
    reason = (command.reason or DEFAULT_PAUSE_REASON).strip()[:PAUSE_REASON_MAX] or DEFAULT_PAUSE_REASON
    state = held(uow, ctx, site, command.window, command.actor)
    state.state, state.reason, state.changed_at = "paused", reason, ctx.now()
    return record_window(uow, ctx, site, state)


def close_window(command: CloseWindow, uow: UnitOfWork, ctx: HallContext) -> WindowChanged:
    site = ctx.site(command.site)
    ctx.window(site, command.window)
    state = held(uow, ctx, site, command.window, command.actor)
    if state.current_ticket is not None:
        raise errors.CurrentTicketOpen()
    state.state, state.reason, state.clerk_id, state.changed_at = "closed", None, None, ctx.now()
    return record_window(uow, ctx, site, state)


def call_next(command: CallNext, uow: UnitOfWork, ctx: HallContext) -> dict | None:
    site = ctx.site(command.site)
    window = ctx.window(site, command.window)
    state = held(uow, ctx, site, window.id, command.actor)
    if state.state == "paused":
        raise errors.WindowPaused()
    if state.current_ticket is not None:
        raise errors.CurrentTicketOpen()
    now = ctx.now()
    assigned = uow.repository.active_assignments(site.id, ctx.today(site), now).get(window.id)
    plan = plan_call(window, site.priority, state.interleave_position, now.replace(tzinfo=dt.UTC),
                     day=ctx.today(site), queues=assigned.queues if assigned else None)
    ticket = uow.repository.claim_next(site.id, plan, window.id, command.actor.id, now)
    if ticket is None:
        return None
    state.interleave_position = next_position(state.interleave_position, site.priority, plan.prefer_priority,
                                              ticket.priority_class is not None)
    state.current_ticket = ticket.id
    record_call(uow, ctx, site, ticket, recall=False)
    uow.record(WaitingChanged(site.id, day=ctx.today(site)))
    record_window(uow, ctx, site, state)
    return ticket_view(uow.repository, ctx, site, ticket)
