"""Queries and atomic statements. Each function takes the caller's session and runs inside its
transaction; none commits. Nothing here reads a row and then writes what it read."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import and_, case, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.domain.ordering import CallPlan, WaitingTicket
from server.models import Counter, SiteEvent, SiteSequence, Ticket, WindowState

RECENT_CALLS = 20
RECENT_DURATIONS = 20


def _upsert(session: Session, table, values: dict, index: list[str], increments: dict):
    dialect = session.get_bind().dialect.name
    factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = factory(table).values(**values)
    return statement.on_conflict_do_update(
        index_elements=index, set_={column: getattr(table, column) + amount
                                    for column, amount in increments.items()})


def next_counter(session: Session, site: str, scope: str, day: dt.date) -> int:
    """Increment and return the counter of (site, scope, day) in one statement."""
    statement = _upsert(session, Counter, {"site": site, "scope": scope, "day": day, "value": 1},
                        ["site", "scope", "day"], {"value": 1}).returning(Counter.value)
    return session.execute(statement).scalar_one()


def reserve_seqs(session: Session, site: str, count: int) -> int:
    """Take the site's next ``count`` seqs in one statement (the row stays locked until the commit, which
    keeps seqs gapless and in commit order across processes); returns the first."""
    statement = _upsert(session, SiteSequence, {"site": site, "seq": count}, ["site"],
                        {"seq": count}).returning(SiteSequence.seq)
    return session.execute(statement).scalar_one() - count + 1


def current_seq(session: Session, site: str) -> int:
    return session.scalar(select(SiteSequence.seq).where(SiteSequence.site == site)) or 0


def insert_events(session: Session, site: str, events: Sequence[tuple[str, dict]], now: dt.datetime) -> None:
    """Keep numbered events (payloads carry their seq) for snapshots and replays."""
    session.execute(insert(SiteEvent), [
        {"site": site, "seq": payload["seq"], "kind": kind, "payload": json.dumps(payload, ensure_ascii=False),
         "created_at": now} for kind, payload in events])


def recent_events(session: Session, site: str, kind: str, limit: int = RECENT_CALLS) -> list[dict]:
    rows = session.scalars(select(SiteEvent.payload).where(SiteEvent.site == site, SiteEvent.kind == kind)
                           .order_by(SiteEvent.seq.desc()).limit(limit))
    return [json.loads(row) for row in rows]


def calls_after(session: Session, site: str, seq: int, limit: int = 500) -> list[dict]:
    """Called events after ``seq``, newest first (what a screen missed while it was away)."""
    rows = session.scalars(select(SiteEvent.payload)
                           .where(SiteEvent.site == site, SiteEvent.kind == "called", SiteEvent.seq > seq)
                           .order_by(SiteEvent.seq.desc()).limit(limit))
    return [json.loads(row) for row in rows]


def events_after(session: Session, site: str, seq: int, limit: int = 500) -> list[tuple[str, dict]]:
    rows = session.execute(select(SiteEvent.kind, SiteEvent.payload)
                           .where(SiteEvent.site == site, SiteEvent.seq > seq)
                           .order_by(SiteEvent.seq).limit(limit))
    return [(kind, json.loads(payload)) for kind, payload in rows]


def waiting_counts(session: Session, site: str) -> dict[str, int]:
    rows = session.execute(select(Ticket.queue, func.count()).where(Ticket.site == site,
                                                                     Ticket.status == "waiting")
                           .group_by(Ticket.queue))
    return {queue: count for queue, count in rows}


def oldest_waiting(session: Session, site: str) -> dict[str, dt.datetime]:
    rows = session.execute(select(Ticket.queue, func.min(Ticket.issued_at))
                           .where(Ticket.site == site, Ticket.status == "waiting").group_by(Ticket.queue))
    return {queue: oldest for queue, oldest in rows}


def waiting_in_queue(session: Session, site: str, queue: str) -> list[WaitingTicket]:
    rows = session.execute(select(Ticket.id, Ticket.queue, Ticket.issued_at, Ticket.priority_class)
                           .where(Ticket.site == site, Ticket.queue == queue, Ticket.status == "waiting"))
    return [WaitingTicket(*row) for row in rows]


def count_ahead(session: Session, ticket: Ticket) -> int:
    """Tickets of the same queue that are served before this one (a priority ticket only waits for
    earlier priority tickets; a normal ticket counts every earlier ticket, to stay on the safe side)."""
    earlier = or_(Ticket.issued_at < ticket.issued_at,
                  and_(Ticket.issued_at == ticket.issued_at, Ticket.id < ticket.id))
    conditions = [Ticket.site == ticket.site, Ticket.queue == ticket.queue, Ticket.status == "waiting", earlier]
    if ticket.priority_class is not None:
        conditions.append(Ticket.priority_class.is_not(None))
    return session.scalar(select(func.count()).select_from(Ticket).where(*conditions)) or 0


def recent_durations(session: Session, site: str, queue: str, day: dt.date) -> list[float]:
    rows = session.execute(select(Ticket.called_at, Ticket.finished_at)
                           .where(Ticket.site == site, Ticket.queue == queue, Ticket.day == day,
                                  Ticket.status == "done", Ticket.called_at.is_not(None))
                           .order_by(Ticket.finished_at.desc()).limit(RECENT_DURATIONS))
    return [(finished - called).total_seconds() / 60 for called, finished in rows if finished and called]


def window_state(session: Session, site: str, window: str, lock: bool = False) -> WindowState:
    """The window's row, created closed on first use; ``lock`` holds it for this transaction."""
    statement = select(WindowState).where(WindowState.site == site, WindowState.window == window)
    if lock:
        statement = statement.with_for_update()
        state = session.scalars(statement).one_or_none()
        if state is not None:
            return state
        # First use of the window: create the row (another process may race us to it), then lock it.
        dialect = session.get_bind().dialect.name
        factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(factory(WindowState).values(site=site, window=window, state="closed",
                                                    interleave_position=0).on_conflict_do_nothing())
    state = session.scalars(statement).one_or_none()
    if state is None:
        state = WindowState(site=site, window=window, state="closed", interleave_position=0)
    return state


def count_open_windows(session: Session, site: str, windows: Sequence[str], day: dt.date) -> int:
    """How many of ``windows`` are open on ``day`` (one COUNT, not a row per window)."""
    if not windows:
        return 0
    return session.scalar(select(func.count()).select_from(WindowState).where(
        WindowState.site == site, WindowState.window.in_(windows), WindowState.day == day,
        WindowState.state == "open")) or 0


def window_states(session: Session, site: str) -> list[WindowState]:
    return list(session.scalars(select(WindowState).where(WindowState.site == site)))


def claim_next(session: Session, site: str, plan: CallPlan, window: str, clerk_id: int | None,
               now: dt.datetime) -> Ticket | None:
    """Hand the best waiting ticket to ``window`` in one statement. On PostgreSQL the inner SELECT
    locks the row and skips rows other transactions hold, so two windows never get the same ticket."""
    lane_conditions = []
    lane_rank = []
    for lane in plan.lanes:
        condition = Ticket.queue == lane.queue
        if lane.issued_before is not None:
            cutoff = lane.issued_before.astimezone(dt.UTC).replace(tzinfo=None)  # stored as naive UTC
            condition = and_(condition, Ticket.issued_at <= cutoff)
        lane_conditions.append(condition)
        lane_rank.append((condition, literal(lane.rank)))
    if not lane_conditions:
        return None
    preferred = Ticket.priority_class.is_not(None) if plan.prefer_priority else Ticket.priority_class.is_(None)
    candidate = (select(Ticket.id)
                 .where(Ticket.site == site, Ticket.status == "waiting", or_(*lane_conditions))
                 .order_by(case(*lane_rank, else_=literal(len(lane_rank))),
                           case((preferred, literal(0)), else_=literal(1)),
                           Ticket.issued_at, Ticket.id)
                 .limit(1)
                 .with_for_update(skip_locked=True)
                 .scalar_subquery())
    statement = (update(Ticket)
                 .where(Ticket.id == candidate, Ticket.status == "waiting")
                 .values(status="called", window=window, clerk_id=clerk_id, called_at=now)
                 .returning(Ticket.id))
    ticket_id = session.execute(statement).scalar_one_or_none()
    if ticket_id is None:
        return None
    return session.get(Ticket, ticket_id, populate_existing=True)


def tickets_by_ids(session: Session, ids: Sequence[str]) -> dict[str, Ticket]:
    if not ids:
        return {}
    return {ticket.id: ticket for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
