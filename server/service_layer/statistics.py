"""Statistics of a site over a range of local days, grouped by day, hour, queue, service, department,
window or clerk — computed in the database: one GROUP BY for the counts and one window-function scan for
the percentiles, never ticket rows loaded into Python.

Definitions (contract v1.1): ``issued`` counts tickets as printed (a transfer's successor is not a new
ticket); ``called`` counts tickets called at least once; ``served`` those finished with an outcome;
``wait`` = first call − issue, over the tickets as printed; ``service`` = finish − first call, over the
served ones; ``within_target_pct`` = share of called tickets whose wait was within their queue's target.
By window or clerk, ``issued`` and ``cancelled`` are 0. Percentiles are nearest-rank."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from layout.model import Site
from server.db import Database
from server.domain.tickets import OUTCOMES
from server.models import Ticket, User

GROUPINGS = ("day", "hour", "queue", "service", "department", "window", "clerk")
COUNTS = ("issued", "called", "served", "no_show", "cancelled", "transferred")
PERCENTILES = {"p50": (1, 2), "p90": (9, 10)}  # nearest rank: the value at ceil(n·a/b)


def _seconds(dialect: str, later, earlier):
    if dialect == "postgresql":
        return func.date_part("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


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


def site_statistics(db: Database, site: Site, start: dt.date, end: dt.date, by: str) -> dict:
    """The contract's answer: ``{"site", "from", "to", "by", "rows": [...], "totals": {...}}``."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    with db.read() as session:
        dialect = session.get_bind().dialect.name
        in_range = and_(Ticket.site == site.id, Ticket.day >= start, Ticket.day <= end)
        grouped = _rows(session, dialect, site, in_range, _key(by, dialect, site, start), by)
        totals = _rows(session, dialect, site, in_range, literal("total"), by).get("total") or _empty()
        labels = names(session, site, by, grouped)
    rows = [{"key": _json_key(key), "name": labels.get(key, str(key)), **grouped[key]}
            for key in sorted(grouped, key=_sortable)]
    return {"site": site.id, "from": start.isoformat(), "to": end.isoformat(), "by": by, "rows": rows,
            "totals": totals}


def _json_key(key):
    return key.isoformat() if isinstance(key, dt.date) else key


def _sortable(key) -> tuple:
    return (key is None, str(key) if not isinstance(key, int) else f"{key:06d}")


def _rows(session: Session, dialect: str, site: Site, in_range, key, by: str) -> dict:
    wait = _seconds(dialect, Ticket.called_at, Ticket.issued_at)
    service = _seconds(dialect, Ticket.finished_at, Ticket.called_at)
    first_called = and_(Ticket.called_at.is_not(None), Ticket.origin_id.is_(None))
    served = Ticket.outcome.is_not(None)
    per_window = by in ("window", "clerk")

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    columns = [
        key.label("key"),
        (literal(0) if per_window else count(Ticket.origin_id.is_(None))).label("issued"),
        count(Ticket.called_at.is_not(None)).label("called"),
        count(served).label("served"),
        count(Ticket.status == "no_show").label("no_show"),
        (literal(0) if per_window else count(Ticket.status == "cancelled")).label("cancelled"),
        count(Ticket.status == "transferred").label("transferred"),
        count(first_called).label("waited"),
        count(and_(first_called, wait <= _target_seconds(site))).label("within"),
        func.max(case((first_called, wait))).label("wait_max"),
        func.max(case((served, service))).label("service_max"),
        *(count(Ticket.outcome == outcome).label(f"outcome_{outcome}") for outcome in OUTCOMES),
    ]
    query = select(*columns).where(in_range)
    if per_window:
        query = query.where(Ticket.window.is_not(None))
    rows = {}
    for row in session.execute(query.group_by(key)):
        values = row._mapping
        rows[values["key"]] = {
            **{name: int(values[name] or 0) for name in COUNTS},
            "wait_p50_s": None, "wait_p90_s": None, "wait_max_s": _whole(values["wait_max"]),
            "service_p50_s": None, "service_p90_s": None,
            "within_target_pct": round(100 * values["within"] / values["waited"], 1) if values["waited"] else None,
            "outcomes": {outcome: int(values[f"outcome_{outcome}"] or 0) for outcome in OUTCOMES},
            "ratings": 0, "rating_avg": None, "bad_ratings": 0,
        }
    for name, values, condition in (("wait", wait, first_called), ("service", service, served)):
        for group, percentiles in _percentiles(session, key, values, and_(in_range, condition)).items():
            if group in rows:
                for label, value in percentiles.items():
                    rows[group][f"{name}_{label}_s"] = _whole(value)
    return rows


def _percentiles(session: Session, key, values, condition) -> dict:
    """Nearest-rank p50 and p90 of ``values`` per key, in one scan with window functions."""
    ranked = (select(key.label("key"), values.label("value"),
                     func.row_number().over(partition_by=key, order_by=values).label("rank"),
                     func.count().over(partition_by=key).label("n"))
              .where(condition).subquery())
    picks = [func.min(case((ranked.c.rank == (ranked.c.n * a + b - 1) // b, ranked.c.value))).label(label)
             for label, (a, b) in PERCENTILES.items()]
    result = session.execute(select(ranked.c.key, *picks).group_by(ranked.c.key))
    return {row[0]: dict(zip(PERCENTILES, row[1:], strict=True)) for row in result}


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
