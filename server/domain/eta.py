"""How many people are ahead of a ticket and roughly how long they will take."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from server.domain.ordering import WaitingTicket

RECENT_SERVICES = 20  # enough to smooth one slow case, few enough to follow the morning rush


def people_ahead(ticket: WaitingTicket, waiting_same_queue: Iterable[WaitingTicket]) -> int:
    """Tickets of the ticket's queue and day expected to be called before it.

    A priority ticket only waits behind earlier priority tickets; a normal ticket counts every earlier
    ticket, which over-estimates a little (the interleave lets some normal ones through) rather than
    promising a wait that turns out longer. "Earlier" is the place in line (``in_line_since``: a
    requeued ticket stands behind those waiting when it came back). A booked ticket (预约) only waits behind
    earlier booked tickets; every booked ticket waiting is ahead of a walk-in, whenever it checked in.
    """
    own_key = (ticket.in_line_since, ticket.id)
    return sum(
        1
        for other in waiting_same_queue
        if other.queue == ticket.queue
        and other.day == ticket.day
        and other.id != ticket.id
        and _ahead(other, ticket, (other.in_line_since, other.id) < own_key)
    )


def _ahead(other: WaitingTicket, ticket: WaitingTicket, earlier: bool) -> bool:
    if ticket.booked:
        return other.booked and earlier
    if other.booked:
        return True
    return earlier and (other.is_priority or not ticket.is_priority)


def estimate_minutes(
    ahead: int,
    windows_serving: int,
    recent_service_minutes: Sequence[float],
    default_minutes: float,
) -> int | None:
    """Whole minutes to wait: ahead × average service time ÷ windows serving, rounded up; None when no
    window serving the queue is open (any figure would be a guess: the wait is until one opens).

    The average is over the last RECENT_SERVICES real durations (oldest first in the sequence), or
    ``default_minutes`` when there are none yet today.
    """
    if ahead < 0:
        raise ValueError(f"ahead must not be negative, got {ahead}")
    if windows_serving <= 0:
        return None
    if ahead == 0:
        return 0
    # A duration from a skewed clock must not block issuing tickets: an estimate just skips it.
    usable = [m for m in recent_service_minutes[-RECENT_SERVICES:] if math.isfinite(m) and m >= 0]
    average = sum(usable) / len(usable) if usable else default_minutes
    # Rounded first so that float noise (3.0000000004) does not add a minute.
    return math.ceil(round(ahead * average / windows_serving, 6))
