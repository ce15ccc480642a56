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

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from layout.model import Site
from server.db import Database
from server.domain.tickets import OUTCOMES
from server.models import Ticket, User
from server.service_layer.case_statistics import merge_on_time
from server.service_layer.rating_stats import add_rating_figures, rating_figures

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
        scope = and_(Ticket.site == site.id, Ticket.day >= start, Ticket.day <= end)
        if by in ("window", "clerk"):
            scope = and_(scope, Ticket.window.is_not(None))
        measures = _Measures(dialect, site, by)
        key = _key(by, dialect, site, start)
        counted = measures.counts(session, scope, key)
        ranked = measures.percentiles(session, scope, key)
        overall = measures.percentiles(session, scope, literal("total")).get("total", {})
        labels = names(session, site, by, counted)
        rated = rating_figures(session, scope, key)  # 好差评, one grouped query by the same key
    rows = [{"key": _json_key(group), "name": labels.get(group, str(group)),
             **_row(counted[group], ranked.get(group, {}))} for group in sorted(counted, key=_sortable)]
    totals = _row(_sum(counted.values()), overall) if counted else _empty()
    add_rating_figures(rows, totals, rated)
    merge_on_time(db, site, start, end, by, rows, totals)  # cases (办件): on-time share by item and department
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

    def __init__(self, dialect: str, site: Site, by: str) -> None:
        self.site, self.per_window = site, by in ("window", "clerk")
        self.first_called = and_(Ticket.called_at.is_not(None), Ticket.origin_id.is_(None))
        self.served = Ticket.outcome.is_not(None)
        self.wait = case((self.first_called, _seconds(dialect, Ticket.called_at, Ticket.issued_at)))
        self.service = case((self.served, _seconds(dialect, Ticket.finished_at, Ticket.called_at)))

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
            _count(self.wait <= _target_seconds(self.site)).label("within"),
            func.max(self.wait).label("wait_max"),
            func.max(self.service).label("service_max"),
            *(_count(Ticket.outcome == outcome).label(f"outcome_{outcome}") for outcome in OUTCOMES),
        ]
        result = session.execute(select(*columns).where(scope).group_by(key))
        return {row.key: {name: value for name, value in row._mapping.items() if name != "key"} for row in result}

    def percentiles(self, session: Session, scope, key) -> dict:
        """Per key, nearest-rank p50 and p90 of the waits and of the service times, in one scan."""
        ranked = select(
            key.label("key"), self.wait.label("wait"), self.service.label("service"),
            *(column for name in ("wait", "service") for column in (
                func.row_number().over(partition_by=key, order_by=getattr(self, name).asc().nulls_last())
                .label(f"{name}_rank"),
                func.count(getattr(self, name)).over(partition_by=key).label(f"{name}_n"))),
        ).where(scope, or_(self.first_called, self.served)).subquery()
        picks = [func.min(case((ranked.c[f"{name}_rank"] == (ranked.c[f"{name}_n"] * a + b - 1) // b,
                                ranked.c[name]))).label(f"{name}_{label}_s")
                 for name in ("wait", "service") for label, (a, b) in PERCENTILES.items()]
        result = session.execute(select(ranked.c.key, *picks).group_by(ranked.c.key))
        return {row.key: {name: value for name, value in row._mapping.items() if name != "key"} for row in result}


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
