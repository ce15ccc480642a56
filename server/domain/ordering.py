"""Which waiting ticket a window gets when its clerk presses "call next".

The persistence layer runs the same ordering in SQL (it must pick and mark the ticket in one
statement so that two windows never get the same ticket); this module is the reference it mirrors.

A window looks at lanes in order: its own queues first, then the queues it helps (overflow), which
it may only take from once a ticket there has waited past the threshold. Inside a lane it prefers
one class (priority or normal), chosen by a per-window interleave cycle so that with a ratio P:N
neither side starves, and otherwise serves first come, first served.

A booked ticket (预约: checked in at the kiosk inside its window) is called before the walk-in tickets of its
lane, whatever their class; booked tickets among themselves follow the same rules as the others.

A ticket's place in line is its issue time, or the time a clerk put it back in line after it was
missed (过号重排: ``requeued_at``, behind everyone waiting then). A window only calls tickets of the
plan's local day: a ticket of an earlier day is never called, whether or not the day was closed yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from layout.model import Priority, Window


@dataclass(frozen=True)
class WaitingTicket:
    id: str
    queue: str
    issued_at: datetime
    priority_class: str | None  # None for a normal ticket
    day: date | None = None  # the local day it was issued on
    requeued_at: datetime | None = None  # put back in line after a no-show (过号重排)
    booked: bool = False  # 预约, checked in on time: before the walk-ins of its lane

    @property
    def is_priority(self) -> bool:
        return self.priority_class is not None

    @property
    def in_line_since(self) -> datetime:
        """The moment that orders it in its queue: the requeue, else the issue."""
        return self.requeued_at if self.requeued_at is not None else self.issued_at


@dataclass(frozen=True)
class Lane:
    queue: str
    rank: int
    issued_before: datetime | None  # None for own queues; for overflow lanes, the latest in-line time (inclusive)


@dataclass(frozen=True)
class CallPlan:
    window: str
    lanes: tuple[Lane, ...]
    prefer_priority: bool
    day: date | None = None  # only tickets of this local day; None: any day (the pure examples)

    def lane(self, queue_id: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.queue == queue_id), None)

    def sort_key(self, ticket: WaitingTicket) -> tuple[int, int, int, datetime, str] | None:
        """Smaller is called first; None when the window may not take the ticket now."""
        lane = self.lane(ticket.queue)
        if lane is None:
            return None
        if self.day is not None and ticket.day != self.day:
            return None
        since = ticket.in_line_since
        if lane.issued_before is not None and since > lane.issued_before:
            return None
        preferred = 0 if ticket.is_priority == self.prefer_priority else 1
        return (lane.rank, 0 if ticket.booked else 1, preferred, since, ticket.id)


def cycle_length(priority: Priority) -> int:
    """Length of the interleave cycle: P priority calls, then N normal calls."""
    if priority.priority_calls < 0 or priority.normal_calls < 0:
        raise ValueError(
            f"priority ratio must not be negative, got {priority.priority_calls}:{priority.normal_calls}"
        )
    length = priority.priority_calls + priority.normal_calls
    if length == 0:
        raise ValueError("priority ratio 0:0 has no calls; priority_calls + normal_calls must be at least 1")
    return length


def prefers_priority(priority: Priority, position: int) -> bool:
    """Positions 0..P-1 of the cycle prefer priority tickets, P..P+N-1 prefer normal ones."""
    if not priority.classes:
        return False
    return position % cycle_length(priority) < priority.priority_calls


def plan_call(window: Window, priority: Priority, position: int, now: datetime,
              day: date | None = None, queues: tuple[str, ...] | None = None) -> CallPlan:
    """The lanes and class preference for one call of ``window`` at ``now``, among tickets of ``day``.
    ``queues``: a manager's assignment (弹性窗口) holds; the window serves those queues, in that order,
    in place of its own, and still helps its overflow queues after them."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    lanes: list[Lane] = []
    seen: set[str] = set()
    for queue_id in window.queues if queues is None else queues:
        if queue_id not in seen:
            seen.add(queue_id)
            lanes.append(Lane(queue=queue_id, rank=len(lanes), issued_before=None))
    # A queue that is also an own queue was added above without a cutoff: own service is never delayed.
    for overflow in window.overflow:
        if overflow.queue not in seen:
            seen.add(overflow.queue)
            cutoff = now - timedelta(minutes=overflow.after_minutes)
            lanes.append(Lane(queue=overflow.queue, rank=len(lanes), issued_before=cutoff))
    return CallPlan(
        window=window.id, lanes=tuple(lanes), prefer_priority=prefers_priority(priority, position), day=day
    )


def choose(plan: CallPlan, waiting: Iterable[WaitingTicket]) -> WaitingTicket | None:
    """The ticket ``plan`` calls among ``waiting``, or None when none is eligible."""
    best: WaitingTicket | None = None
    best_key: tuple[int, int, int, datetime, str] | None = None
    for ticket in waiting:
        key = plan.sort_key(ticket)
        if key is not None and (best_key is None or key < best_key):
            best, best_key = ticket, key
    return best


def next_position(position: int, priority: Priority, prefer_priority: bool, took_priority: bool) -> int:
    """The window's cycle position after a call.

    The cycle only advances when the preferred class was served; when it had nobody in reach the
    other class was served instead and the preference carries over to the next call.
    """
    length = cycle_length(priority)
    if took_priority == prefer_priority:
        return (position + 1) % length
    return position % length
