"""Statements of window assignments (弹性窗口), run in the caller's session and transaction. Ending is one
conditional UPDATE … RETURNING: of several processes ending the same assignment, one gets its row."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from server import plain_sql
from server.domain.assignments import DAY_END, EXPIRED, Assignment
from server.models import WindowAssignment

# Read by every call, ticket and finish (the plan, the views, the estimate): plain SQL (server/plain_sql.py).
_IN_FORCE = plain_sql.Sql(
    "SELECT id, \"window\", queues, day, until_at, reason, assigned_by, assigned_at FROM window_assignments "
    "WHERE site = :site AND ended_at IS NULL AND day = :day AND (until_at IS NULL OR until_at > :now)")


def active_assignments(session: Session, site: str, day: dt.date, now: dt.datetime) -> dict[str, Assignment]:
    """The assignments that hold at ``now`` on the local ``day``, by window."""
    found = {}
    for row_id, window, queues, on_day, until, reason, by, at in plain_sql.rows(
            session, _IN_FORCE, {"site": site, "day": day, "now": now}):
        found[window] = Assignment(id=row_id, window=window, queues=tuple(json.loads(queues)),
                                   day=plain_sql.as_date(on_day), until=plain_sql.as_datetime(until), reason=reason, by=by,
                                   at=plain_sql.as_datetime(at))
    return found


def any_due(session: Session, site: str, day: dt.date, now: dt.datetime) -> bool:
    """Whether an assignment not yet ended no longer holds (its time or its day is over)."""
    return session.scalar(select(WindowAssignment.id).where(
        WindowAssignment.site == site, WindowAssignment.ended_at.is_(None),
        or_(WindowAssignment.day < day, WindowAssignment.until_at <= now)).limit(1)) is not None


def end_window(session: Session, site: str, window: str, now: dt.datetime, by: str | None,
               reason: str) -> list[int]:
    """End whatever assignment of the window is not ended yet; the ids it ended."""
    statement = (update(WindowAssignment)
                 .where(WindowAssignment.site == site, WindowAssignment.window == window,
                        WindowAssignment.ended_at.is_(None))
                 .values(ended_at=now, ended_by=by, end_reason=reason)
                 .returning(WindowAssignment.id))
    return list(session.execute(statement).scalars())


def add(session: Session, site: str, assignment: Assignment) -> int:
    statement = insert(WindowAssignment).values(
        site=site, window=assignment.window, day=assignment.day,
        queues=json.dumps(list(assignment.queues), ensure_ascii=False), until_at=assignment.until,
        reason=assignment.reason, assigned_by=assignment.by, assigned_at=assignment.at).returning(WindowAssignment.id)
    return session.execute(statement).scalar_one()


def expire(session: Session, site: str, today: dt.date, now: dt.datetime) -> list[str]:
    """End the assignments of earlier days (``day_end``) and those whose time came (``expired``); the
    windows whose assignment this call ended (none when another process ended them first)."""
    ended = []
    for reason, condition in ((DAY_END, WindowAssignment.day < today),
                              (EXPIRED, and_(WindowAssignment.until_at.is_not(None), WindowAssignment.until_at <= now))):
        statement = (update(WindowAssignment)
                     .where(WindowAssignment.site == site, WindowAssignment.ended_at.is_(None), condition)
                     .values(ended_at=now, end_reason=reason)
                     .returning(WindowAssignment.window))
        ended += session.execute(statement).scalars()
    return sorted(set(ended))
