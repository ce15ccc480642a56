"""What a clerk does with the window's current ticket: recall, no-show, start, finish, transfer."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from server.domain import errors
from server.domain.cases import DELIVERED_OUTCOME, check_applicant_name
from server.domain.commands import Finish, NoShow, Recall, Start, Transfer, WindowCommand
from server.domain.errors import NotFound
from server.domain.events import TicketChanged, WaitingChanged
from server.domain.personal import normalise_mobile
from server.domain.routing import may_handle_at_once, route
from server.domain.tickets import check_outcome, finish_record, next_status
from server.durations import service_seconds
from server.models import Ticket
from server.service_layer.context import HallContext
from server.service_layer.handlers import cases
from server.service_layer.handlers.windows import held, record_call, record_window
from server.service_layer.unit_of_work import UnitOfWork
from server.service_layer.views import ticket_fields, ticket_view

Apply = Callable[[Ticket, dt.datetime], None]


def act_on_current(command: WindowCommand, uow: UnitOfWork, ctx: HallContext, action: str,
                   apply: Apply | None = None, allow_paused: bool = True) -> dict:
    site = ctx.site(command.site)
    ctx.window(site, command.window)
    repo = uow.repository
    state = held(uow, ctx, site, command.window, command.actor)
    if state.state == "paused" and not allow_paused:
        raise errors.WindowPaused()
    ticket = repo.ticket(state.current_ticket) if state.current_ticket else None
    if ticket is None:
        raise errors.NoCurrentTicket()
    status = next_status(ticket.status, action)
    now = ctx.now()
    if apply is not None:
        apply(ticket, now)  # checks before it changes anything: a refusal leaves the ticket as it was
    ticket.status = status
    if ticket.status not in ("called", "serving"):
        state.current_ticket = None
        if ticket.finished_at is None:
            ticket.finished_at = now
    if action == "recall":
        ticket.recalls += 1
        record_call(uow, ctx, site, ticket, recall=True)
    else:
        uow.record(TicketChanged(site.id, ticket=ticket_fields(site, ticket), action=action, service=ticket.service))
    if action == "transfer":
        uow.record(WaitingChanged(site.id, day=ctx.today(site)))
    record_window(uow, ctx, site, state)
    view = ticket_view(repo, ctx, site, ticket)
    if ticket.transferred_to:
        view["transferred_ticket"] = ticket_view(repo, ctx, site, repo.ticket(ticket.transferred_to))
    return view


def recall(command: Recall, uow: UnitOfWork, ctx: HallContext) -> dict:
    return act_on_current(command, uow, ctx, "recall", allow_paused=False)


def no_show(command: NoShow, uow: UnitOfWork, ctx: HallContext) -> dict:
    return act_on_current(command, uow, ctx, "no_show")


def start(command: Start, uow: UnitOfWork, ctx: HallContext) -> dict:
    def started(ticket: Ticket, now: dt.datetime) -> None:
        ticket.started_at = now
    return act_on_current(command, uow, ctx, "start", started)


def finish(command: Finish, uow: UnitOfWork, ctx: HallContext) -> dict:
    """办结. ``accepted`` opens the item's case (办件) in this same transaction; ``delivered`` ends a pickup
    ticket by handing out its case's result (出件)."""
    outcome = DELIVERED_OUTCOME if command.outcome == DELIVERED_OUTCOME else check_outcome(command.outcome)
    site = ctx.site(command.site)
    window = ctx.window(site, command.window)
    applicant = applicant_of(command, outcome)
    opened: list = []

    def finished(ticket: Ticket, now: dt.datetime) -> None:
        service = site.service(ticket.service)
        if outcome == DELIVERED_OUTCOME:
            if ticket.case_id is None:
                raise errors.InvalidOutcome("只有领取办件结果的号票可以“已领取”办结 / outcome 'delivered' is for "
                                            "pickup tickets only")
            cases.deliver(uow, site, ticket, command.actor, now)
            ticket.outcome, ticket.finished_at = outcome, now
            return
        reason, missing = finish_record(outcome, command.reason, command.missing,
                                        service.checklist if service else ())
        if outcome == "handled" and not may_handle_at_once(site, ticket.service, ticket.day, window):
            raise errors.NotAuthorised()
        ticket.outcome, ticket.finished_at, ticket.reason = outcome, now, reason
        ticket.service_s = service_seconds(ticket.called_at, now)
        ticket.missing = None if missing is None else json.dumps(missing, ensure_ascii=False)
        if outcome == "accepted" and service is not None:
            opened.append(cases.open_case(uow, ctx, site, window, service, ticket, command.actor, now, *applicant))
    view = act_on_current(command, uow, ctx, "finish", finished)
    if opened:
        view["case"] = cases.case_answer(opened[0])
    return view


def applicant_of(command: Finish, outcome: str) -> tuple[str | None, str | None]:
    """The applicant's name and mainland mobile number a clerk entered with an acceptance (400 otherwise)."""
    name = check_applicant_name(command.applicant_name)
    phone = command.applicant_phone.strip() if command.applicant_phone and command.applicant_phone.strip() else None
    if (name or phone) and outcome != "accepted":
        raise errors.BadRequest("invalid_field", "申请人信息只随受理登记 / applicant_name and applicant_phone go "
                                                 "with outcome 'accepted' only")
    return name, normalise_mobile(phone) if phone else None


def transfer(command: Transfer, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    if site.service(command.service) is None:
        raise NotFound("service", command.service)
    routed = route(site, command.service, ctx.today(site))

    def moved(ticket: Ticket, now: dt.datetime) -> None:
        # The citizen keeps the printed number and the place earned by the original issue time.
        # A booked ticket stays booked; a pickup ticket keeps its case while it stays in the pickup queue.
        successor = Ticket(id=ctx.new_id(), site=ticket.site, number=ticket.number, day=ticket.day,
                           service=command.service, queue=routed.queue, priority_class=ticket.priority_class,
                           status="waiting", issued_at=ticket.issued_at, requeued_at=ticket.requeued_at,
                           kiosk=ticket.kiosk, recalls=0, origin_id=ticket.id, appointment_id=ticket.appointment_id,
                           case_id=ticket.case_id if site.queue(routed.queue).kind == "pickup" else None)
        ticket.transferred_to = successor.id
        ticket.finished_at = now
        uow.repository.add(successor)
        uow.repository.flush()
    return act_on_current(command, uow, ctx, "transfer", moved)
