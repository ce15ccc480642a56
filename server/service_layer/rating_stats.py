"""好差评 figures of the statistics rows: per key (the statistics' own key and scope over the tickets, so the rows
line up) the counts of the levels the tickets in scope keep (``server/rating_store.py``) — ``ratings``, ``rating_avg``,
``bad_ratings`` (levels 1–2), ``good_rating_pct`` (levels 3–5 of the ratings) and ``rating_rate_pct`` (ratings
per served ticket) — merged into the rows and their totals. A rating set aside on appeal (申诉复核 upheld) is
kept but not counted."""

from __future__ import annotations

from sqlalchemy import case, func

from server.domain.ratings import BAD_LEVELS, GOOD_LEVELS
from server.models import Ticket

FIELDS = ("ratings", "rating_avg", "bad_ratings", "good_rating_pct", "rating_rate_pct")


def rating_counts() -> list:
    """The columns of the statistics' GROUP BY that count the ratings: ``ratings``, ``level_sum``, ``bad`` and
    ``good``, from the level a ticket keeps of its rating (none when unrated or set aside)."""
    level = Ticket.rating_level
    return [func.count(level).label("ratings"), func.sum(level).label("level_sum"),
            func.sum(case((level.in_(BAD_LEVELS), 1), else_=0)).label("bad"),
            func.sum(case((level.in_(GOOD_LEVELS), 1), else_=0)).label("good")]


def add_rating_figures(rows: list[dict], totals: dict, figures: dict) -> None:
    """Set the rating fields of each row (matched by its key) and of the totals."""
    total = {"ratings": 0, "level_sum": 0, "bad": 0, "good": 0}
    for row in rows:
        found = {name: int(figures.get(row["key"], {}).get(name) or 0) for name in total}
        row.update(_fields(found, row.get("served", 0)))
        for name in total:
            total[name] += found.get(name, 0)
    totals.update(_fields(total, totals.get("served", 0)))


def _fields(found: dict, served: int) -> dict:
    count = found["ratings"]
    return {
        "ratings": count,
        "rating_avg": round(found["level_sum"] / count, 2) if count else None,
        "bad_ratings": found["bad"],
        "good_rating_pct": round(100 * found["good"] / count, 1) if count else None,
        "rating_rate_pct": round(100 * count / served, 1) if served else None,
    }
