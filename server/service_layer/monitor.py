"""数据监测: the live board's figures for one site — every queue and window now, today's service so far,
the open alerts, and where an elastic window could help (``server.domain.elastic``)."""

from __future__ import annotations

import functools

from sqlalchemy import Date, and_, bindparam, case, func, literal, select

from layout.model import Site
from server import store
from server.alert_store import SqlAlertStore
from server.db import Database
from server.domain.elastic import QueueLoad, WindowLoad, suggestions
from server.models import Ticket, User
from server.service_layer.assignment_views import assignment_view
from server.service_layer.context import HallContext, iso
from server.service_layer.handlers.alerts import alert_view
from server.service_layer.queries import queue_views
from server.service_layer.views import effective_state


def site_monitor(db: Database, ctx: HallContext, site: Site) -> dict:
    day = ctx.today(site)
    with db.read() as session:
        seq = store.current_seq(session, site.id)  # first: the board is at least this new
        figures = queue_views(session, ctx, site)
        queues, oldest, assignments = figures.queues, figures.oldest, figures.assignments
        by_queue, by_window = _served_today(session, site, day)
        open_alerts = [alert_view(alert, site) for alert in SqlAlertStore(session).open_alerts(site.id)]
        states = {state.window: (effective_state(state, day), state.clerk_id, state.current_ticket)
                  for state in store.window_states(session, site.id)}
        current_ids = [ticket for state, _, ticket in states.values() if ticket and state != "closed"]
        current = {row.id: row for row in session.execute(
            select(Ticket.id, Ticket.number, Ticket.called_at).where(Ticket.id.in_(current_ids)))} if current_ids else {}
        clerk_ids = [clerk for state, clerk, _ in states.values() if clerk is not None and state != "closed"]
        clerks = dict(session.execute(select(User.id, User.username).where(User.id.in_(clerk_ids))).all()) \
            if clerk_ids else {}
    waiting = {queue["id"]: queue["waiting"] for queue in queues}
    queue_rows = [{
        "id": queue["id"], "name": queue["name"], "waiting": queue["waiting"],
        "oldest_wait_s": _seconds_since(ctx, oldest.get(queue["id"])), "eta_minutes": queue["eta_minutes"],
        "open_windows": queue["windows_open"], "target_minutes": site.queue(queue["id"]).target_minutes,
        "served_today": by_queue.get(queue["id"], {}).get("served", 0),
        "within_target_pct": by_queue.get(queue["id"], {}).get("within_target_pct"),
    } for queue in queues]
    window_rows = []
    for window in site.windows:
        state, clerk, ticket_id = states.get(window.id, ("closed", None, None))
        ticket = current.get(ticket_id) if state != "closed" else None
        window_rows.append({
            "id": window.id, "number": window.number, "name": window.name, "zone": window.zone, "state": state,
            "clerk": clerks.get(clerk) if state != "closed" else None,
            "current": ticket.number if ticket else None, "current_since": iso(ticket.called_at) if ticket else None,
            "served_today": by_window.get(window.id, {}).get("served", 0), "queues": list(window.queues),
            "may_serve": list(window.may_serve),
        })
        _assigned(window_rows[-1], site, assignments.get(window.id))
    loads = [QueueLoad(q["id"], q["name"], q["waiting"], q["oldest_wait_s"], q["target_minutes"]) for q in queue_rows]
    helpers = [WindowLoad(w["id"], w["number"], w["state"], tuple(w["queues"]), tuple(w["may_serve"]),
                          sum(waiting.get(queue, 0) for queue in w["queues"])) for w in window_rows]
    return {"seq": seq, "at": iso(ctx.now()), "site": site.id, "queues": queue_rows, "windows": window_rows,
            "alerts": open_alerts, "suggestions": [{"window": s.window, "queue": s.queue, "reason": s.reason}
                                          for s in suggestions(loads, helpers)]}


def _seconds_since(ctx: HallContext, moment) -> int:
    return 0 if moment is None else max(0, int((ctx.now() - moment).total_seconds()))


def _assigned(row: dict, site: Site, assignment) -> None:
    """A window a manager assigned serves the assignment's queues now (弹性窗口)."""
    row["own_queues"] = list(row["queues"])
    row["assignment"] = assignment_view(site, assignment)
    if assignment is not None:
        row["queues"] = list(assignment.queues)

def _served_today(session, site: Site, day) -> tuple[dict, dict]:
    """Today's ``served`` and ``within_target_pct`` per queue and per window, as the statistics define them
    (server/service_layer/statistics.py: by window only the tickets called there), from two small GROUP BYs
    of the day instead of two whole statistics requests."""
    targets = tuple((queue.id, queue.target_minutes) for queue in site.queues)
    return tuple({key: {"served": served, "within_target_pct": round(100 * within / waited, 1) if waited else None}
                  for key, served, waited, within in session.execute(statement, {"day": day})}
                 for statement in _served_statements(site.id, targets))


@functools.lru_cache(maxsize=64)
def _served_statements(site_id: str, targets: tuple) -> tuple:
    """By queue and by window; built once per site and queue targets (building costs more than running)."""
    target = case(*((Ticket.queue == queue, literal(minutes * 60)) for queue, minutes in targets),
                  else_=literal(30 * 60))  # as statistics._target_seconds
    figures = (func.count(Ticket.outcome), func.count(Ticket.wait_s),
               func.coalesce(func.sum(case((Ticket.wait_s <= target, 1), else_=0)), 0))
    today = and_(Ticket.site == site_id, Ticket.day == bindparam("day", type_=Date()))
    return (select(Ticket.queue, *figures).where(today).group_by(Ticket.queue),
            select(Ticket.window, *figures).where(today, Ticket.window.is_not(None)).group_by(Ticket.window))
