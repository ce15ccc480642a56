"""好差评 figures of the statistics rows: per key (the statistics' own key and scope over the tickets, so the rows
line up) one grouped query over the ratings of the tickets in scope — ``ratings``, ``rating_avg``,
``bad_ratings`` (levels 1–2), ``good_rating_pct`` (levels 3–5 of the ratings) and ``rating_rate_pct`` (ratings
per served ticket) — merged into the rows and their totals. A rating set aside on appeal (申诉复核 upheld) is
kept but not counted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from server.domain.ratings import BAD_LEVELS, GOOD_LEVELS
from server.models import Rating, Ticket

FIELDS = ("ratings", "rating_avg", "bad_ratings", "good_rating_pct", "rating_rate_pct")


def rating_figures(session: Session, scope, key) -> dict:
    """Raw key → {"ratings", "level_sum", "bad", "good"}: one GROUP BY over the rated tickets in scope."""
    statement = (select(key.label("key"), func.count(Rating.id).label("ratings"),
                        func.sum(Rating.level).label("level_sum"),
                        func.sum(case((Rating.level.in_(BAD_LEVELS), 1), else_=0)).label("bad"),
                        func.sum(case((Rating.level.in_(GOOD_LEVELS), 1), else_=0)).label("good"))
                 .select_from(Ticket).join(Rating, Rating.ticket_id == Ticket.id)
                 .where(scope, Rating.set_aside.is_(False)).group_by(key))
    return {_json_key(row.key): {"ratings": int(row.ratings or 0), "level_sum": int(row.level_sum or 0),
                                 "bad": int(row.bad or 0), "good": int(row.good or 0)}
            for row in session.execute(statement)}


def _json_key(key):
    return key.isoformat() if isinstance(key, dt.date) else key


def add_rating_figures(rows: list[dict], totals: dict, figures: dict) -> None:
    """Set the rating fields of each row (matched by its key) and of the totals."""
    total = {"ratings": 0, "level_sum": 0, "bad": 0, "good": 0}
    for row in rows:
        found = figures.get(row["key"], {})
        row.update(_fields(found, row.get("served", 0)))
        for name in total:
            total[name] += found.get(name, 0)
    totals.update(_fields(total, totals.get("served", 0)))


def _fields(found: dict, served: int) -> dict:
    count = found.get("ratings", 0)
    return {
        "ratings": count,
        "rating_avg": round(found["level_sum"] / count, 2) if count else None,
        "bad_ratings": found.get("bad", 0),
        "good_rating_pct": round(100 * found["good"] / count, 1) if count else None,
        "rating_rate_pct": round(100 * count / served, 1) if served else None,
    }
