"""What a new layout may not take away while the hall uses it today: a reload that would strand a ticket, an
open window or a day's numbering is refused (``server.layout_reload``), saying what to do first.

- a window removed while it is open, paused or holding a ticket (no action could reach it any more);
- a queue (or a whole site) removed while tickets of today wait in it or stand at a window (no plan would
  ever call them, and no board would show them);
- a prefix taken over by a new queue from a removed one that issued tickets today (numbers count per queue:
  the day would see a second A001)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import case, func, select

from layout.model import Layout, Site
from server.db import Database
from server.domain.tickets import OPEN_STATUSES
from server.models import Ticket, WindowState


def removed_but_in_use(db: Database, today: Callable[[Site], dt.date], current: Layout, new: Layout) -> list[str]:
    """The reasons ``new`` may not replace ``current`` now (empty: it may)."""
    problems: list[str] = []
    new_sites = {site.id: site for site in new.sites}
    with db.read() as session:
        for site in current.sites:
            day = today(site)
            after = new_sites.get(site.id)
            gone_windows = {w.id for w in site.windows} - ({w.id for w in after.windows} if after else set())
            gone_queues = {q.id: q for q in site.queues if after is None or after.queue(q.id) is None}
            if gone_windows:
                for state in session.scalars(select(WindowState).where(
                        WindowState.site == site.id, WindowState.window.in_(sorted(gone_windows)))):
                    if state.current_ticket is not None or (state.state != "closed" and state.day == day):
                        problems.append(f"{site.id}: window {state.window} is removed but is {state.state} today"
                                        f"{' and holds a ticket' if state.current_ticket else ''}: finish its "
                                        "ticket and close it first")
            if not gone_queues:
                continue
            issued, waiting = {}, {}  # today's tickets of each removed queue: all of them, and those still open
            for queue_id, all_today, still_open in session.execute(
                    select(Ticket.queue, func.count(), func.count(case((Ticket.status.in_(OPEN_STATUSES), 1))))
                    .where(Ticket.site == site.id, Ticket.day == day, Ticket.queue.in_(sorted(gone_queues)))
                    .group_by(Ticket.queue)):
                issued[queue_id], waiting[queue_id] = all_today, still_open
            for queue_id, queue in sorted(gone_queues.items()):
                if waiting.get(queue_id):
                    problems.append(f"{site.id}: queue {queue_id} is removed but {waiting[queue_id]} of today's "
                                    "tickets wait in it or stand at a window: serve or transfer them first, or "
                                    "remove it after today")
                heir = next((q for q in (after.queues if after else ()) if q.prefix == queue.prefix
                             and q.id not in {old.id for old in site.queues}), None)
                if heir is not None and issued.get(queue_id):
                    problems.append(f"{site.id}: queue {heir.id} takes the prefix {queue.prefix} of the removed "
                                    f"queue {queue_id}, which issued {issued[queue_id]} tickets today: its numbers "
                                    "would start again at 1; make the change after today")
    return problems
