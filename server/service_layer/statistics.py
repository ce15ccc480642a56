"""Statistics of a site over a range of local days, grouped by day, hour, queue, service, department,
window or clerk — computed in the database: one GROUP BY for the counts and one window-function scan for
the percentiles, never ticket rows loaded into Python.

Definitions (contract v1.1): ``issued`` counts tickets as printed (a transfer's successor is not a new
ticket); ``called`` counts tickets called at least once; ``served`` those finished with an outcome;
``wait`` = first call − issue, over the tickets as printed; ``service`` = finish − first call, over the
served ones; ``within_target_pct`` = share of called tickets whose wait was within their queue's target.
By window or clerk, ``issued`` and ``cancelled`` are 0. Percentiles are nearest-rank.

Speed: both durations are kept on the ticket row in seconds when they happen (``server/durations.py``), and
``ix_tickets_statistics`` holds every column read here after the site and the local day, so a year of a
site is one index range, read without visiting the table. PostgreSQL ranks with ``percentile_disc`` (the
nearest rank), per key and for the totals in one ``ROLLUP``; SQLite numbers each duration with
``row_number`` over a plain ORDER BY — per key, and over all keys in the duration's own index over a long
range — and reads back only the rows at the ranks the counts point to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from layout.model import Site
from server.db import Database
from server.domain.tickets import OUTCOMES
from server.models import Ticket, User
from server.service_layer.case_statistics import merge_on_time
from server.service_layer.rating_stats import add_rating_figures, rating_counts

GROUPINGS = ("day", "hour", "queue", "service", "department", "window", "clerk")
COUNTS = ("issued", "called", "served", "no_show", "cancelled", "transferred")
PERCENTILES = {"p50": (1, 2), "p90": (9, 10)}  # nearest rank: the value at ceil(n·a/b)
DURATIONS = {"wait": Ticket.wait_s, "service": Ticket.service_s}
LONG_RANGE_DAYS = 28  # from this many days on, SQLite ranks all keys' durations in their own index's order


def _utc_offset_seconds(site: Site, day: dt.date) -> int:
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(site.timezone))
    return int(moment.utcoffset().total_seconds())


def _local_hour(dialect: str, site: Site, start: dt.date):
    # Chinese halls keep one offset all year; the offset of the range's first day is the hall's.
    offset = _utc_offset_seconds(site, start)
    if dialect == "postgresql":
        shifted = Ticket.issued_at + func.make_interval(0, 0, 0, 0, 0, 0, offset)
        return cast(func.date_part("hour", shifted), Integer)
    return cast(func.strftime("%H", Ticket.issued_at, f"{offset:+d} seconds"), Integer)


def _key(by: str, dialect: str, site: Site, start: dt.date):
    if by == "day":
        return Ticket.day
    if by == "hour":
        return _local_hour(dialect, site, start)
    if by == "department":
        departments = {service.id: service.department for service in site.services}
        return case(*((Ticket.service == service, literal(department)) for service, department in departments.items()),
                    else_=literal(""))
    return {"queue": Ticket.queue, "service": Ticket.service, "window": Ticket.window,
            "clerk": Ticket.clerk_id}[by]


def _target_seconds(site: Site):
    return case(*((Ticket.queue == queue.id, literal(queue.target_minutes * 60)) for queue in site.queues),
                else_=literal(30 * 60))


def site_statistics(db: Database, site: Site, start: dt.date, end: dt.date, by: str,
                    today: dt.date | None = None) -> dict:
    """The contract's answer: ``{"site", "from", "to", "by", "rows": [...], "totals": {...}}``; ``today`` (the
    site's local day) keeps the cases still within their deadline out of the late ones."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    with db.read() as session:
        dialect = session.get_bind().dialect.name
        scope = and_(Ticket.site == site.id, Ticket.day >= start, Ticket.day <= end)
        if by in ("window", "clerk"):
            scope = and_(scope, Ticket.window.is_not(None))
        measures = _Measures(dialect, site, by, long_range=(end - start).days >= LONG_RANGE_DAYS)
        key = _key(by, dialect, site, start)
        counted = measures.counts(session, scope, key)
        ranks, overall = measures.percentiles(session, scope, key, counted) if counted else ({}, {})
        labels = names(session, site, by, counted)
    rows = [{"key": _json_key(group), "name": labels.get(group, str(group)),
             **_row(counted[group], ranks.get(group, {}))} for group in sorted(counted, key=_sortable)]
    totals = _row(_sum(counted.values()), overall) if counted else _empty()
    add_rating_figures(rows, totals, {_json_key(group): figures for group, figures in counted.items()})
    merge_on_time(db, site, start, end, by, rows, totals, today)  # cases (办件): on-time share by item and department
    return {"site": site.id, "from": start.isoformat(), "to": end.isoformat(), "by": by, "rows": rows,
            "totals": totals}


def _json_key(key):
    return key.isoformat() if isinstance(key, dt.date) else key


def _sortable(key) -> tuple:
    return (key is None, str(key) if not isinstance(key, int) else f"{key:06d}")


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


class _Measures:
    """The expressions of one statistics request: what is counted, and the two durations ranked."""

    def __init__(self, dialect: str, site: Site, by: str, long_range: bool = False) -> None:
        self.dialect, self.site, self.per_window, self.long_range = dialect, site, by in ("window", "clerk"), long_range
        self.first_called = Ticket.wait_s.is_not(None)  # called, as printed (server/durations.py)
        self.served = Ticket.outcome.is_not(None)

    def counts(self, session: Session, scope, key) -> dict:
        """Per key: the counts, the waits within target, the longest wait and service (one GROUP BY)."""
        columns = [
            key.label("key"),
            (literal(0) if self.per_window else _count(Ticket.origin_id.is_(None))).label("issued"),
            _count(Ticket.called_at.is_not(None)).label("called"),
            _count(self.served).label("served"),
            _count(Ticket.status == "no_show").label("no_show"),
            (literal(0) if self.per_window else _count(Ticket.status == "cancelled")).label("cancelled"),
            _count(Ticket.status == "transferred").label("transferred"),
            _count(self.first_called).label("waited"),
            _count(self.first_called).label("wait_n"),
            _count(Ticket.service_s.is_not(None)).label("service_n"),
            _count(Ticket.wait_s <= _target_seconds(self.site)).label("within"),
            func.max(Ticket.wait_s).label("wait_max"),
            func.max(Ticket.service_s).label("service_max"),
            *(_count(Ticket.outcome == outcome).label(f"outcome_{outcome}") for outcome in OUTCOMES),
            *rating_counts(),  # 好差评, from the level each ticket keeps
        ]
        result = session.execute(select(*columns).where(scope).group_by(key))
        return {row.key: {name: value for name, value in row._mapping.items() if name != "key"} for row in result}

    def percentiles(self, session: Session, scope, key, counted: dict) -> tuple[dict, dict]:
        """Nearest-rank p50 and p90 of the waits and of the service times: per key, and over every key."""
        if self.dialect == "postgresql":
            return self._ordered_sets(session, scope, key)
        return self._positions(session, scope, key, counted)

    def _ordered_sets(self, session: Session, scope, key) -> tuple[dict, dict]:
        """PostgreSQL: ``percentile_disc(a/b)`` is the value at ceil(n·a/b), per key and for all (ROLLUP)."""
        rows = select(key.label("key"), *(column.label(name) for name, column in DURATIONS.items())) \
            .where(scope, or_(self.first_called, self.served)).subquery()
        picks = [func.percentile_disc(a / b).within_group(rows.c[name]).label(f"{name}_{label}_s")
                 for name in DURATIONS for label, (a, b) in PERCENTILES.items()]
        result = session.execute(select(rows.c.key, func.grouping(rows.c.key).label("overall"), *picks)
                                 .group_by(func.rollup(rows.c.key)))
        ranked, overall = {}, {}
        for row in result:
            figures = {name: value for name, value in row._mapping.items() if name not in ("key", "overall")}
            if row.overall:
                overall = figures
            else:
                ranked[row.key] = figures
        return ranked, overall

    def _positions(self, session: Session, scope, key, counted: dict) -> tuple[dict, dict]:
        """SQLite: each duration numbered once in (key, seconds) order and once in seconds order
        (``row_number`` over a plain ORDER BY, no partition to buffer); the counts of the same read say at
        which numbers each key's ranks fall, and only those rows are read back. Over a long range the
        seconds order is the duration's own index (no sort; it skips the other days' entries); elsewhere
        ``value * 1 IS NOT NULL`` keeps the planner on the range of the days, which the index cannot prove
        non-null and so cannot serve."""
        ranked: dict = {group: {} for group in counted}
        overall: dict = {}
        for name, column in DURATIONS.items():
            numbers, start = {}, 0
            for group in sorted(counted, key=_sqlite_order):  # the order SQLite sorts the keys in
                present = counted[group][f"{name}_n"] or 0
                for label, (a, b) in PERCENTILES.items():
                    if present:
                        numbers.setdefault(start + (present * a + b - 1) // b, []).append((group, label))
                start += present
            for values in (ranked, None):
                if not start:
                    continue
                wanted = numbers if values is not None else {
                    (start * a + b - 1) // b: [(None, label)] for label, (a, b) in PERCENTILES.items()}
                order = (key, column) if values is not None else (column,)
                indexed = values is None and self.long_range
                present = column.is_not(None) if indexed else (column * 1).is_not(None)
                numbered = select(column.label("value"), func.row_number().over(order_by=order).label("number")) \
                    .where(scope, present).subquery()
                for number, value in session.execute(select(numbered.c.number, numbered.c.value)
                                                     .where(numbered.c.number.in_(sorted(wanted)))):
                    for group, label in wanted[number]:
                        (ranked[group] if values is not None else overall)[f"{name}_{label}_s"] = value
        return ranked, overall


def _sqlite_order(key) -> tuple:
    """SQLite's ORDER BY of one grouping's keys: NULL first, then the values (text by code point)."""
    return (key is not None, key.isoformat() if isinstance(key, dt.date) else key)


def _sum(groups) -> dict:
    """Totals from the per-key figures: counts add up, maxima are the largest."""
    total: dict = {}
    for figures in groups:
        for name, value in figures.items():
            if name.endswith("_max"):
                total[name] = value if total.get(name) is None else max(total[name], value or total[name])
            else:
                total[name] = (total.get(name) or 0) + (value or 0)
    return total


def _row(counted: dict, ranked: dict) -> dict:
    return {
        **{name: int(counted[name] or 0) for name in COUNTS},
        "wait_p50_s": _whole(ranked.get("wait_p50_s")), "wait_p90_s": _whole(ranked.get("wait_p90_s")),
        "wait_max_s": _whole(counted["wait_max"]),
        "service_p50_s": _whole(ranked.get("service_p50_s")), "service_p90_s": _whole(ranked.get("service_p90_s")),
        "within_target_pct": round(100 * counted["within"] / counted["waited"], 1) if counted["waited"] else None,
        "outcomes": {outcome: int(counted[f"outcome_{outcome}"] or 0) for outcome in OUTCOMES},
        "ratings": 0, "rating_avg": None, "bad_ratings": 0,
    }


def _whole(seconds) -> int | None:
    return None if seconds is None else int(round(float(seconds)))


def _empty() -> dict:
    return {**dict.fromkeys(COUNTS, 0), "wait_p50_s": None, "wait_p90_s": None, "wait_max_s": None,
            "service_p50_s": None, "service_p90_s": None, "within_target_pct": None,
            "outcomes": dict.fromkeys(OUTCOMES, 0), "ratings": 0, "rating_avg": None, "bad_ratings": 0}


def names(session: Session, site: Site, by: str, keys: Iterable) -> dict:
    """What each key is called on the page and in the exports."""
    keys = list(keys)
    if by == "day":
        return {key: key.isoformat() if isinstance(key, dt.date) else str(key) for key in keys}
    if by == "hour":
        return {key: f"{int(key):02d}:00–{int(key) + 1:02d}:00" for key in keys if key is not None}
    if by == "clerk":
        ids = [key for key in keys if key is not None]
        rows = session.execute(select(User.id, User.username).where(User.id.in_(ids))).all() if ids else []
        users = {user_id: username for user_id, username in rows}
        return {key: users.get(key, str(key)) for key in keys}
    table = {"queue": site.queues, "service": site.services, "department": site.departments,
             "window": site.windows}[by]
    known = {item.id: item.name for item in table}
    return {key: known.get(key, key or "") for key in keys}
