"""Queries and atomic statements. Each function takes the caller's session and runs inside its
transaction; none commits. Nothing here reads a row and then writes what it read."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.domain.ordering import CallPlan
from server.domain.tickets import CANCELLED, DAY_CLOSED, OPEN_STATUSES
from server.models import IdempotencyKey, PrintJob, SiteEvent, SiteSequence, Ticket, WindowState
from server.plain_sql import Sql, as_datetime, as_loaded, one, rows, run

RECENT_CALLS = 20
RECENT_DURATIONS = 20


_NEXT_COUNTER = Sql("INSERT INTO counters (site, scope, day, value) VALUES (:site, :scope, :day, 1) "
                    "ON CONFLICT (site, scope, day) DO UPDATE SET value = counters.value + 1 RETURNING value")


def next_counter(session: Session, site: str, scope: str, day: dt.date) -> int:
    """Increment and return the counter of (site, scope, day) in one statement."""
    return one(session, _NEXT_COUNTER, {"site": site, "scope": scope, "day": day})[0]


_RESERVE_SEQS = Sql("INSERT INTO site_sequences (site, seq, public_seq) VALUES (:site, :count, :public_count) "
                    "ON CONFLICT (site) DO UPDATE SET seq = site_sequences.seq + :count, "
                    "public_seq = site_sequences.public_seq + :public_count RETURNING seq, public_seq")


def reserve_seqs(session: Session, site: str, count: int, public_count: int) -> tuple[int, int]:
    """Take the site's next ``count`` staff seqs and ``public_count`` public seqs in one statement (the row
    stays locked until the commit, which keeps both streams gapless and in commit order across
    processes); returns the first of each."""
    seq, public_seq = one(session, _RESERVE_SEQS, {"site": site, "count": count, "public_count": public_count})
    return seq - count + 1, public_seq - public_count + 1


def current_seq(session: Session, site: str, public: bool = False) -> int:
    column = SiteSequence.public_seq if public else SiteSequence.seq
    return session.scalar(select(column).where(SiteSequence.site == site)) or 0


_INSERT_EVENTS = Sql("INSERT INTO site_events (site, seq, public_seq, kind, payload, created_at) "
                     "VALUES (:site, :seq, :public_seq, :kind, :payload, :created_at)")


def insert_events(session: Session, site: str, rows: Sequence[tuple[str, dict, int | None]],
                  now: dt.datetime) -> None:
    """Keep numbered events (kind, staff payload with its seq, public seq or None) for snapshots and replays."""
    run(session, _INSERT_EVENTS, many=[
        {"site": site, "seq": payload["seq"], "public_seq": public_seq, "kind": kind,
         "payload": json.dumps(payload, ensure_ascii=False), "created_at": now} for kind, payload, public_seq in rows]
        ).close()


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


_WAITING_COUNTS = Sql("SELECT queue, count(*) FROM tickets WHERE site = :site AND status = 'waiting' "
                      "AND day = :day GROUP BY queue")
_WAITING_COUNTS_ANY_DAY = Sql("SELECT queue, count(*) FROM tickets WHERE site = :site AND status = 'waiting' "
                              "GROUP BY queue")


def waiting_counts(session: Session, site: str, day: dt.date | None) -> dict[str, int]:
    """Tickets waiting per queue on the local ``day`` (None: any day)."""
    if day is None:
        return dict(rows(session, _WAITING_COUNTS_ANY_DAY, {"site": site}))
    return dict(rows(session, _WAITING_COUNTS, {"site": site, "day": day}))


def oldest_waiting(session: Session, site: str, day: dt.date | None) -> dict[str, dt.datetime]:
    found = session.execute(select(Ticket.queue, func.min(in_line_since()))
                            .where(*_waiting_on(site, day)).group_by(Ticket.queue))
    return {queue: as_datetime(oldest) for queue, oldest in found}  # SQLite: an aggregate's stored text


def _count_ahead(ahead: str) -> Sql:
    """``ahead`` says which waiting tickets come first, with ``{earlier}`` for those in line before this one."""
    earlier = "(coalesce(requeued_at, issued_at) < :own OR (coalesce(requeued_at, issued_at) = :own AND id{collate} < :id))"
    sql = ("SELECT count(*) FROM tickets WHERE site = :site AND queue = :queue AND day = :day "
           "AND status = 'waiting' AND (" + ahead.replace("{earlier}", earlier) + ")")
    return Sql(sql.format(collate=""), sql.format(collate=' COLLATE "C"'))


_BOOKED = "appointment_id IS NOT NULL"  # 预约: a booked ticket is ahead of every walk-in (eta.people_ahead)
_COUNT_AHEAD = _count_ahead(f"{_BOOKED} OR {{earlier}}")
_COUNT_AHEAD_PRIORITY = _count_ahead(f"{_BOOKED} OR ({{earlier}} AND priority_class IS NOT NULL)")
_COUNT_AHEAD_BOOKED = _count_ahead(f"{_BOOKED} AND {{earlier}}")


def count_ahead(session: Session, ticket: Ticket) -> int:
    """Tickets of the same queue and day that are served before this one (a priority ticket only waits
    for earlier priority tickets; a normal ticket counts every earlier ticket, to stay on the safe side;
    a booked ticket waits for earlier booked ones only, and every booked ticket is ahead of a walk-in).
    Ids of tickets in line since the same instant compare by code point, as ``people_ahead`` does:
    PostgreSQL would otherwise use the database's collation (en_US puts "c..." before "D...")."""
    if ticket.appointment_id is not None:
        statement = _COUNT_AHEAD_BOOKED
    elif ticket.priority_class is not None:
        statement = _COUNT_AHEAD_PRIORITY
    else:
        statement = _COUNT_AHEAD
    return one(session, statement, {"site": ticket.site, "queue": ticket.queue, "day": ticket.day, "id": ticket.id,
                                     "own": ticket.requeued_at or ticket.issued_at})[0] or 0


_RECENT_DURATIONS = Sql(
    "SELECT called_at, finished_at FROM tickets WHERE site = :site AND queue = :queue AND day = :day "
    f"AND status = 'done' AND called_at IS NOT NULL ORDER BY finished_at DESC LIMIT {RECENT_DURATIONS}")


def recent_durations(session: Session, site: str, queue: str, day: dt.date) -> list[float]:
    found = rows(session, _RECENT_DURATIONS, {"site": site, "queue": queue, "day": day})
    return [(as_datetime(finished) - as_datetime(called)).total_seconds() / 60 for called, finished in found
            if finished and called]


_WINDOW_COLUMNS = ("state", "day", "reason", "clerk_id", "current_ticket", "interleave_position", "changed_at")
_LOCK_WINDOW = Sql(
    f"SELECT {', '.join(_WINDOW_COLUMNS)} FROM window_states WHERE site = :site AND \"window\" = :window",
    f"SELECT {', '.join(_WINDOW_COLUMNS)} FROM window_states WHERE site = :site AND \"window\" = :window "
    "FOR UPDATE")
_ADD_WINDOW = Sql("INSERT INTO window_states (site, \"window\", state, interleave_position) "
                  "VALUES (:site, :window, 'closed', 0) ON CONFLICT DO NOTHING")


def window_state(session: Session, site: str, window: str, lock: bool = False) -> WindowState:
    """The window's row, created closed on first use; ``lock`` holds it for this transaction."""
    if lock:
        state = _locked_window(session, site, window)
        if state is not None:
            return state
        # First use of the window: create the row (another process may race us to it), then lock it.
        run(session, _ADD_WINDOW, {"site": site, "window": window}).close()
        state = _locked_window(session, site, window)
    else:
        state = session.get(WindowState, (site, window))
    if state is None:
        state = WindowState(site=site, window=window, state="closed", interleave_position=0)
    return state


def _locked_window(session: Session, site: str, window: str) -> WindowState | None:
    """The window's row read (and on PostgreSQL locked) by one plain statement, as the session's own
    object. (A get with FOR UPDATE through the ORM cost ten times the statement.)"""
    row = one(session, _LOCK_WINDOW, {"site": site, "window": window})
    if row is None:
        return None
    return as_loaded(session, WindowState, {"site": site, "window": window, **dict(zip(_WINDOW_COLUMNS, row, strict=True))})


def count_open_windows(session: Session, site: str, windows: Sequence[str], day: dt.date) -> int:
    """How many of ``windows`` are open on ``day`` (one COUNT, not a row per window)."""
    if not windows:
        return 0
    statement = _COUNT_OPEN_WINDOWS.get(len(windows))
    if statement is None:
        names = ", ".join(f":w{index}" for index in range(len(windows)))
        statement = _COUNT_OPEN_WINDOWS.setdefault(len(windows), Sql(
            f'SELECT count(*) FROM window_states WHERE site = :site AND "window" IN ({names}) AND day = :day '
            "AND state = 'open'"))
    params = {f"w{index}": window for index, window in enumerate(windows)}
    return one(session, statement, {**params, "site": site, "day": day})[0] or 0


_COUNT_OPEN_WINDOWS: dict[int, Sql] = {}


def window_states(session: Session, site: str) -> list[WindowState]:
    return list(session.scalars(select(WindowState).where(WindowState.site == site)))


def claim_next(session: Session, site: str, plan: CallPlan, window: str, clerk_id: int | None,
               now: dt.datetime) -> Ticket | None:
    """Hand the best waiting ticket of the plan's day to ``window`` in one statement. On PostgreSQL the
    inner SELECT locks the row and skips rows other transactions hold, so two windows never get the same
    ticket. Ids of tickets in line since the same instant compare by code point, as ``CallPlan.sort_key``
    does, not by the database's collation."""
    if not plan.lanes:
        return None
    shape = (tuple((lane.issued_before is not None, int(lane.rank)) for lane in plan.lanes), plan.prefer_priority,
             plan.day is not None)
    statement = _CLAIMS.get(shape)
    if statement is None:
        statement = _CLAIMS.setdefault(shape, _claim_statement(*shape))
    params = {"site": site, "day": plan.day, "window": window, "clerk_id": clerk_id, "now": now}
    for index, lane in enumerate(plan.lanes):
        params[f"queue{index}"] = lane.queue
        if lane.issued_before is not None:
            params[f"cutoff{index}"] = lane.issued_before.astimezone(dt.UTC).replace(tzinfo=None)  # naive UTC
    row = one(session, statement, params)
    if row is None:
        return None
    return as_loaded(session, Ticket, dict(zip(_TICKET_COLUMNS, row, strict=True)))  # as claimed (RETURNING)


_TICKET_COLUMNS = tuple(column.name for column in Ticket.__table__.columns)


_CLAIMS: dict[tuple, Sql] = {}


def _claim_statement(lanes: tuple[tuple[bool, int], ...], prefer_priority: bool, by_day: bool) -> Sql:
    """The claim of ``claim_next`` for plans of one shape: the lanes (has a cutoff, rank) in order, whether
    priority tickets go first, whether the plan names a day."""
    since = "coalesce(requeued_at, issued_at)"
    conditions = [f"queue = :queue{index}" + (f" AND {since} <= :cutoff{index}" if cutoff else "")
                  for index, (cutoff, _) in enumerate(lanes)]
    rank = " ".join(f"WHEN {condition} THEN {lane_rank}" for condition, (_, lane_rank) in zip(conditions, lanes, strict=True))
    preferred = "priority_class IS NOT NULL" if prefer_priority else "priority_class IS NULL"
    # wait_s (server/durations.py): first call − issue of the ticket as printed, kept through later calls.
    sql = ("UPDATE tickets SET status = 'called', \"window\" = :window, clerk_id = :clerk_id, called_at = :now, "
           "wait_s = coalesce(wait_s, CASE WHEN origin_id IS NULL THEN {wait} END) "
           "WHERE id = (SELECT id FROM tickets WHERE site = :site AND status = 'waiting'"
           + (" AND day = :day" if by_day else "")
           + " AND (" + " OR ".join(f"({condition})" for condition in conditions) + ")"
           f" ORDER BY CASE {rank} ELSE {len(lanes)} END,"
           " CASE WHEN appointment_id IS NOT NULL THEN 0 ELSE 1 END,"  # 预约: before every walk-in of its lane
           f" CASE WHEN {preferred} THEN 0 ELSE 1 END, {since}, id{{collate}}"
           " LIMIT 1{lock}) AND status = 'waiting' RETURNING " + ", ".join(f'"{name}"' for name in _TICKET_COLUMNS))
    return Sql(sql.format(collate="", lock="", wait=_SQLITE_WAIT),
               sql.format(collate=' COLLATE "C"', lock=" FOR UPDATE SKIP LOCKED", wait=_POSTGRES_WAIT))


# As server.durations.seconds_between: SQLite's julianday is kept to the millisecond.
_SQLITE_WAIT = "round((julianday(:now) - julianday(issued_at)) * 86400.0, 3)"
_POSTGRES_WAIT = "date_part('epoch', CAST(:now AS TIMESTAMP) - issued_at)"


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
