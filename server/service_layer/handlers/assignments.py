"""弹性窗口: a manager assigns a window to serve queues until a time, or undoes it; assignments whose time or
day is over end by themselves. Each change is the window's ``window`` event (its counter and the screens hear
it). The window's row is locked first, as a call locks it, so an assignment and a call never cross."""

from __future__ import annotations

from server.domain.assignments import (
    REPLACED,
    UNDONE,
    Assignment,
    AssignWindow,
    ExpireAssignments,
    WindowClosedForAssignment,
    check_queues,
    check_reason,
    until_moment,
)
from server.domain.events import WindowChanged
from server.service_layer.context import HallContext
from server.service_layer.handlers.windows import record_window
from server.service_layer.unit_of_work import UnitOfWork
from server.service_layer.views import effective_state


def assign_window(command: AssignWindow, uow: UnitOfWork, ctx: HallContext) -> WindowChanged:
    """The window's staff view (with its ``assignment``) and the ``seq`` of its ``window`` event."""
    site = ctx.site(command.site)
    window = ctx.window(site, command.window)
    repo, now, today = uow.repository, ctx.now(), ctx.today(site)
    state = repo.window_state(site.id, window.id, lock=True)
    for other in repo.expire_assignments(site.id, today, now):  # what is over ends as such, not as "replaced"
        if other != window.id and site.window(other):
            record_window(uow, ctx, site, repo.window_state(site.id, other))
    if command.queues is None:
        repo.end_assignment(site.id, window.id, now, command.actor.username, UNDONE)
    else:
        queues = check_queues(window, tuple(command.queues))
        until = until_moment(command.until, site.timezone, now)
        if effective_state(state, today) == "closed":
            raise WindowClosedForAssignment()
        repo.end_assignment(site.id, window.id, now, command.actor.username, REPLACED)
        repo.add_assignment(site.id, Assignment(None, window.id, queues, today, until, check_reason(command.reason),
                                                command.actor.username, now))
    repo.flush()
    return record_window(uow, ctx, site, state)


def expire_assignments(command: ExpireAssignments, uow: UnitOfWork, ctx: HallContext) -> list[str]:
    """The windows whose assignment this run ended; each is announced with its ``window`` event."""
    site = ctx.site(command.site)
    ended = [window for window in uow.repository.expire_assignments(site.id, ctx.today(site), ctx.now())
             if site.window(window)]
    for window in ended:
        record_window(uow, ctx, site, uow.repository.window_state(site.id, window))
    return ended

