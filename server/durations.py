"""The two durations the statistics rank, kept on the ticket row as seconds when they happen, so that a
year of statistics reads stored numbers instead of subtracting two timestamps on every row:

``wait_s`` = first call − issue, of the ticket as printed (a transfer's successor has none: its wait was its
origin's); set by the first call and never changed by a recall or a later call of a requeued ticket.
``service_s`` = finish − call, set when the ticket is finished with an outcome (``served``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, literal
from sqlalchemy.types import DateTime

from server.models import Ticket


def seconds_between(dialect: str, later, earlier):
    """``later − earlier`` in seconds, as a SQL expression (naive UTC timestamps, as stored). SQLite's
    julianday carries a few microseconds of rounding error at today's dates: its seconds are kept to the
    millisecond."""
    if dialect == "postgresql":
        return func.date_part("epoch", later - earlier)
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)


def first_wait(dialect: str, now: dt.datetime):
    """The ``wait_s`` a call at ``now`` sets, for the UPDATE that makes the call: kept if already set."""
    moment = literal(now, DateTime())
    return func.coalesce(Ticket.wait_s, case((Ticket.origin_id.is_(None),
                                              seconds_between(dialect, moment, Ticket.issued_at))))


def service_seconds(called_at: dt.datetime | None, finished_at: dt.datetime) -> float | None:
    return None if called_at is None else (finished_at - called_at).total_seconds()
