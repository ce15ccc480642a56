"""Ticket numbers: which local day a ticket belongs to, and how its number is written."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_day(now: datetime, timezone: str) -> date:
    """The hall's calendar day at ``now``; numbering restarts at local midnight, not UTC midnight."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    return now.astimezone(ZoneInfo(timezone)).date()


def format_number(prefix: str, n: int) -> str:
    """``format_number("A", 1) == "A001"``; numbers past 999 simply grow ("A1000")."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"ticket sequence must be a positive integer, got {n!r}")
    return f"{prefix}{n:03d}"
