"""On-time share of cases (按时办结率) for the statistics by item and by department, merged into the rows of
``server.service_layer.statistics`` by one call.

Of the cases accepted in the range, those *due* are the decided ones and the undecided ones whose deadline
lies before the range's last day or today, whichever is earlier (a case still within its deadline is not late); a due case is *on time* when it was decided on or before its deadline (the
site's local day). ``on_time_pct`` (0–100) is None while none is due."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from layout.model import Site
from server.db import Database
from server.domain.cases import ACCEPTED
from server.models import Case

GROUPS = {"service": "service", "department": "department"}


def on_time_figures(db: Database, site: Site, start: dt.date, end: dt.date, by: str,
                    today: dt.date | None = None) -> dict:
    """key → {"cases", "cases_due", "cases_on_time", "on_time_pct"}; the total under None."""
    zone = ZoneInfo(site.timezone)
    column = getattr(Case, GROUPS[by])
    with db.read() as session:
        rows = session.execute(select(column, Case.status, Case.deadline, Case.decided_at).where(
            Case.site == site.id, Case.accepted_day >= start, Case.accepted_day <= end)).all()
    due_before = end if today is None else min(end, today)
    figures: dict = {}
    for key, status, deadline, decided_at in rows:
        for group in (key, None):
            figure = figures.setdefault(group, {"cases": 0, "cases_due": 0, "cases_on_time": 0})
            figure["cases"] += 1
            if decided_at is not None:
                figure["cases_due"] += 1
                decided_day = decided_at.replace(tzinfo=dt.UTC).astimezone(zone).date()
                figure["cases_on_time"] += decided_day <= deadline
            elif status == ACCEPTED and deadline < due_before:
                figure["cases_due"] += 1
    for figure in figures.values():
        due = figure["cases_due"]
        figure["on_time_pct"] = round(100.0 * figure["cases_on_time"] / due, 1) if due else None
    return figures


def merge_on_time(db: Database, site: Site, start: dt.date, end: dt.date, by: str, rows: list[dict],
                  totals: dict, today: dt.date | None = None) -> None:
    """Add the case figures to the rows (and the totals) of a by-service or by-department answer."""
    if by not in GROUPS:
        return
    figures = on_time_figures(db, site, start, end, by, today)
    empty = {"cases": 0, "cases_due": 0, "cases_on_time": 0, "on_time_pct": None}
    for row in rows:
        row.update(figures.get(row["key"], empty))
    totals.update(figures.get(None, empty))
