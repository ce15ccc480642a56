"""The end of a site's local day: what it left open is cancelled ("day_closed"), the windows left open
across midnight are closed, and the holders, the screens and the counters are told. The statements
only touch rows of earlier days that are still open, so any number of processes may run this at once,
at start and at midnight: the first closes, the others find nothing."""

from __future__ import annotations

from server.domain.commands import CloseDay
from server.domain.events import TicketChanged, WaitingChanged
from server.service_layer.context import HallContext
from server.service_layer.handlers.windows import record_window
from server.service_layer.unit_of_work import UnitOfWork
from server.service_layer.views import ticket_fields


def close_day(command: CloseDay, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    today, now = ctx.today(site), ctx.now()
    repo = uow.repository
    cancelled = repo.close_earlier_days(site.id, today, now)
    for ticket in cancelled:
        uow.record(TicketChanged(site.id, ticket=ticket_fields(site, ticket), action="cancel"))
    closed = [window for window in repo.close_stale_windows(site.id, today, now) if site.window(window)]
    for window in closed:
        record_window(uow, ctx, site, repo.window_state(site.id, window))
    for window in repo.expire_assignments(site.id, today, now):  # 弹性窗口 assignments end with their day
        if site.window(window) and window not in closed:
            record_window(uow, ctx, site, repo.window_state(site.id, window))
    if cancelled:
        uow.record(WaitingChanged(site.id, day=today))
    return {"site": site.id, "day": today.isoformat(), "cancelled": len(cancelled), "windows_closed": closed}
