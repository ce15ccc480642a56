"""How a window's assignment (弹性窗口) reads in the window view, the monitor and the ``window`` event: the
queues it serves now, in order, with their names, and until when; the staff also see who assigned it, when
and why (the public stream drops those, ``server.domain.events.public_payload``)."""

from __future__ import annotations

from collections.abc import Mapping

from layout.model import Site
from server.domain.assignments import Assignment, ends_at, local_clock
from server.service_layer.context import iso


def assignment_view(site: Site, assignment: Assignment | None) -> dict | None:
    if assignment is None:
        return None
    window = site.window(assignment.window)
    own = window.queues if window else ()
    names = [(site.queue(queue).name if site.queue(queue) else queue) for queue in assignment.queues]
    return {
        "id": assignment.id, "queues": list(assignment.queues), "queue_names": names,
        "helping": [queue for queue in assignment.queues if queue not in own],  # beyond the window's own list
        "until": local_clock(assignment.until, site.timezone), "ends_at": iso(ends_at(assignment, site.timezone)),
        "reason": assignment.reason, "by": assignment.by, "at": iso(assignment.at),
    }


def assigned_windows(site: Site, assignments: Mapping[str, Assignment], queue_id: str,
                     listed: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The windows an assignment sends to ``queue_id`` now, in layout order, beyond those ``listed``."""
    return [window.id for window in site.windows
            if window.id in assignments and queue_id in assignments[window.id].queues and window.id not in listed]
