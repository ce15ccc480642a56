"""Queries and atomic statements. Each function takes the caller's session and runs inside its
transaction; none commits. Nothing here reads a row and then writes what it read."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import and_, case, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.domain.ordering import CallPlan
from server.domain.tickets import CANCELLED, DAY_CLOSED, OPEN_STATUSES
from server.durations import first_wait
from server.models import Counter, IdempotencyKey, PrintJob, SiteEvent, SiteSequence, Ticket, WindowState

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


def reserve_seqs(session: Session, site: str, count: int, public_count: int) -> tuple[int, int]:
    """Take the site's next ``count`` staff seqs and ``public_count`` public seqs in one statement (the row
    stays locked until the commit, which keeps both streams gapless and in commit order across
    processes); returns the first of each."""
    statement = _upsert(session, SiteSequence, {"site": site, "seq": count, "public_seq": public_count}, ["site"],
                        {"seq": count, "public_seq": public_count}).returning(SiteSequence.seq, SiteSequence.public_seq)
    seq, public_seq = session.execute(statement).one()
    return seq - count + 1, public_seq - public_count + 1


def current_seq(session: Session, site: str, public: bool = False) -> int:
    column = SiteSequence.public_seq if public else SiteSequence.seq
    return session.scalar(select(column).where(SiteSequence.site == site)) or 0


def insert_events(session: Session, site: str, rows: Sequence[tuple[str, dict, int | None]],
                  now: dt.datetime) -> None:
    """Keep numbered events (kind, staff payload with its seq, public seq or None) for snapshots and replays."""
    session.execute(insert(SiteEvent), [
        {"site": site, "seq": payload["seq"], "public_seq": public_seq, "kind": kind,
         "payload": json.dumps(payload, ensure_ascii=False), "created_at": now} for kind, payload, public_seq in rows])


def recent_calls(session: Session, site: str, public: bool, after: int | None = None,
                 limit: int = RECENT_CALLS, since: dt.datetime | None = None) -> list[tuple[dict, int | None]]:
    """Called events, newest first, as (staff payload, public seq); ``after`` a seq of the audience's stream,
    ``since`` the earliest moment (naive UTC: the start of the site's local day)."""
    order = SiteEvent.public_seq if public else SiteEvent.seq
    statement = (select(SiteEvent.payload, SiteEvent.public_seq)
                 .where(SiteEvent.site == site, SiteEvent.kind == "called").order_by(order.desc()).limit(limit))
    if since is not None:
        statement = statement.where(SiteEvent.created_at >= since)
    if public:
        statement = statement.where(SiteEvent.public_seq.is_not(None))
    if after is not None:
        statement = statement.where(order > after)
    return [(json.loads(payload), public_seq) for payload, public_seq in session.execute(statement)]


def in_line_since():
    """A ticket's place in line, as ``WaitingTicket.in_line_since``: the requeue, else the issue."""
    return func.coalesce(Ticket.requeued_at, Ticket.issued_at)


def _waiting_on(site: str, day: dt.date | None) -> list:
    conditions = [Ticket.site == site, Ticket.status == "waiting"]
    if day is not None:
        conditions.append(Ticket.day == day)
    return conditions


def waiting_counts(session: Session, site: str, day: dt.date | None) -> dict[str, int]:
    """Tickets waiting per queue on the local ``day`` (None: any day)."""
    rows = session.execute(select(Ticket.queue, func.count()).where(*_waiting_on(site, day)).group_by(Ticket.queue))
    return {queue: count for queue, count in rows}


def oldest_waiting(session: Session, site: str, day: dt.date | None) -> dict[str, dt.datetime]:
    rows = session.execute(select(Ticket.queue, func.min(in_line_since()))
                           .where(*_waiting_on(site, day)).group_by(Ticket.queue))
    return {queue: _as_datetime(oldest) for queue, oldest in rows}


def _as_datetime(value) -> dt.datetime:
    # SQLite hands an aggregate of a DateTime column back as its stored text.
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def count_ahead(session: Session, ticket: Ticket) -> int:
    """Tickets of the same queue and day that are served before this one (a priority ticket only waits
    for earlier priority tickets; a normal ticket counts every earlier ticket, to stay on the safe side).
    Ids of tickets in line since the same instant compare by code point, as ``people_ahead`` does:
    PostgreSQL would otherwise use the database's collation (en_US puts "c..." before "D...")."""
    by_code_point = Ticket.id.collate("C") if session.get_bind().dialect.name == "postgresql" else Ticket.id
    since, own = in_line_since(), ticket.requeued_at or ticket.issued_at
    earlier = or_(since < own, and_(since == own, by_code_point < ticket.id))
    conditions = [Ticket.site == ticket.site, Ticket.queue == ticket.queue, Ticket.day == ticket.day,
                  Ticket.status == "waiting", earlier]
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
    """Hand the best waiting ticket of the plan's day to ``window`` in one statement. On PostgreSQL the
    inner SELECT locks the row and skips rows other transactions hold, so two windows never get the same
    ticket. Ids of tickets in line since the same instant compare by code point, as ``CallPlan.sort_key``
    does, not by the database's collation."""
    lane_conditions = []
    lane_rank = []
    since = in_line_since()
    for lane in plan.lanes:
        condition = Ticket.queue == lane.queue
        if lane.issued_before is not None:
            cutoff = lane.issued_before.astimezone(dt.UTC).replace(tzinfo=None)  # stored as naive UTC
            condition = and_(condition, since <= cutoff)
        lane_conditions.append(condition)
        lane_rank.append((condition, literal(lane.rank)))
    if not lane_conditions:
        return None
    preferred = Ticket.priority_class.is_not(None) if plan.prefer_priority else Ticket.priority_class.is_(None)
    by_code_point = Ticket.id.collate("C") if session.get_bind().dialect.name == "postgresql" else Ticket.id
    candidate = (select(Ticket.id)
                 .where(*_waiting_on(site, plan.day), or_(*lane_conditions))
                 .order_by(case(*lane_rank, else_=literal(len(lane_rank))),
                           case((preferred, literal(0)), else_=literal(1)),
                           since, by_code_point)
                 .limit(1)
                 .with_for_update(skip_locked=True)
                 .scalar_subquery())
    statement = (update(Ticket)
                 .where(Ticket.id == candidate, Ticket.status == "waiting")
                 .values(status="called", window=window, clerk_id=clerk_id, called_at=now,
                         wait_s=first_wait(session.get_bind().dialect.name, now))
                 .returning(Ticket.id))
    ticket_id = session.execute(statement).scalar_one_or_none()
    if ticket_id is None:
        return None
    return session.get(Ticket, ticket_id, populate_existing=True)


def close_earlier_days(session: Session, site: str, today: dt.date, now: dt.datetime) -> list[Ticket]:
    """Cancel, in one statement, every ticket an earlier local day left open; the tickets it changed
    (none when another process closed the day first: the rows it waited for no longer match)."""
    statement = (update(Ticket)
                 .where(Ticket.site == site, Ticket.day < today, Ticket.status.in_(OPEN_STATUSES))
                 .values(status=CANCELLED, cancel_reason=DAY_CLOSED, finished_at=now)
                 .returning(Ticket.id))
    ids = list(session.execute(statement).scalars())
    if not ids:
        return []
    return list(session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.issued_at, Ticket.id)
                                .execution_options(populate_existing=True)))


def close_stale_windows(session: Session, site: str, today: dt.date, now: dt.datetime) -> list[str]:
    """Close, in one statement, the windows an earlier day left open or paused; their ids."""
    statement = (update(WindowState)
                 .where(WindowState.site == site, WindowState.day < today, WindowState.state != "closed")
                 .values(state="closed", reason=None, clerk_id=None, current_ticket=None, changed_at=now)
                 .returning(WindowState.window))
    return sorted(session.execute(statement).scalars())


def claim_idempotency_key(session: Session, site: str, key: str, ticket_id: str, now: dt.datetime) -> str:
    """Keep ``key`` for ``ticket_id`` unless another request holds it; the ticket id the key now stands for.

    One INSERT … ON CONFLICT DO NOTHING, then a read: on PostgreSQL a second request with the same key
    waits in the INSERT for the first one's transaction, then reads the ticket it committed (or, when it
    rolled back, keeps the key itself); on SQLite writers are serial (BEGIN IMMEDIATE)."""
    dialect = session.get_bind().dialect.name
    factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(factory(IdempotencyKey).values(site=site, key=key, ticket_id=ticket_id, created_at=now)
                    .on_conflict_do_nothing(index_elements=["site", "key"]))
    return session.scalar(select(IdempotencyKey.ticket_id)
                          .where(IdempotencyKey.site == site, IdempotencyKey.key == key))


def first_print_job(session: Session, ticket_id: str) -> int | None:
    return session.scalar(select(func.min(PrintJob.id)).where(PrintJob.ticket_id == ticket_id))
