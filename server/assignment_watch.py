"""Assignments (弹性窗口) end by themselves at their time and at the local day's end. The alert timer already
wakes each site soon after its events and every ``HALL_ALERT_SECONDS``; each of its rounds first ends what is
due, so no thread of its own is needed. A cheap read comes first, so a round with nothing due writes nothing;
the end itself is one conditional UPDATE, so of several processes one announces it. (Reads never wait for
it: an assignment past its time no longer counts for call-next or any view.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server import assignment_store
from server.db import Database
from server.domain.assignments import ExpireAssignments
from server.domain.commands import Command
from server.service_layer.context import HallContext


def assignments_due(db: Database, context: HallContext, site_id: str) -> bool:
    site = context.layout.site(site_id)
    if site is None:
        return False
    with db.read() as session:
        return assignment_store.any_due(session, site.id, context.today(site), context.now())


def ending_assignments_first(handle: Callable[[Command], Any], due: Callable[[str], bool]) -> Callable:
    """``handle``, which first ends a site's assignments that are due whenever a round concerns that site."""

    def run(command: Command) -> Any:
        if due(command.site):
            handle(ExpireAssignments(command.site))
        return handle(command)

    return run
