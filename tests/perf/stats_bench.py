"""How long the manager's statistics take over a year of a busy hall: ~150,000 tickets of the benchmark
hall (60 of its windows serving), generated into SQLite and PostgreSQL, then each grouping timed.

    python -m tests.perf.stats_bench [--tickets 150000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from layout.loader import load_layout
from server.db import Database
from server.models import Ticket
from server.schema import upgrade
from server.service_layer.statistics import GROUPINGS, site_statistics
from tests.perf.bench import LAYOUT, POSTGRES_ADMIN_URL, SITE, machine

STATS_DATABASE = "yichuang_stats_bench"
WINDOWS = 60
TARGET_SECONDS = 1.0


def working_days(year: int) -> list[dt.date]:
    day, days = dt.date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def generate(site, count: int, seed: int = 7) -> list[dict]:
    """Tickets spread over the year's working days, 08:30–17:00 local: most served, some missed,
    cancelled or transferred, waits and service times of a few minutes to an hour; most served ones rated."""
    chance = random.Random(seed)
    days = working_days(2025)
    services = list(site.services)
    windows = [window.id for window in site.windows[:WINDOWS]]
    outcomes = ("accepted", "accepted", "accepted", "notified", "rejected", "handled", "handled")
    rows, numbers = [], {}
    for _ in range(count):
        day = chance.choice(days)
        service = chance.choice(services)
        issued = dt.datetime.combine(day, dt.time(0, 30)) + dt.timedelta(seconds=chance.randrange(8 * 3600))
        numbers[(day, service.queue)] = numbers.get((day, service.queue), 0) + 1
        row = {"id": secrets.token_urlsafe(16), "site": site.id, "number": f"A{numbers[(day, service.queue)]:03d}",
               "day": day, "service": service.id, "queue": service.queue, "priority_class": None,
               "status": "done", "issued_at": issued, "kiosk": None, "window": None, "clerk_id": None,
               "called_at": None, "started_at": None, "finished_at": None, "recalls": 0, "outcome": None,
               "origin_id": None, "transferred_to": None, "wait_s": None, "service_s": None,
               "rating_level": None}
        fate = chance.random()
        if fate < 0.03:
            row["status"] = "cancelled"
        else:
            row["window"] = chance.choice(windows)
            row["clerk_id"] = windows.index(row["window"]) + 1
            row["called_at"] = issued + dt.timedelta(seconds=chance.randrange(60, 3600))
            row["finished_at"] = row["called_at"] + dt.timedelta(seconds=chance.randrange(120, 1800))
            row["wait_s"] = (row["called_at"] - issued).total_seconds()  # as the call sets it (server/durations.py)
            if fate < 0.08:
                row["status"] = "no_show"
            elif fate < 0.10:
                row["status"] = "transferred"
            else:
                row["outcome"] = chance.choice(outcomes)
                row["service_s"] = (row["finished_at"] - row["called_at"]).total_seconds()  # as the finish sets it
                if chance.random() < 0.6:  # rated (好差评), as the rating store keeps it on the ticket
                    row["rating_level"] = chance.choice((5, 5, 5, 4, 4, 3, 2, 1))
        rows.append(row)
    return rows


def fill(db: Database, rows: list[dict]) -> None:
    with db.engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Ticket), rows[start:start + 5000])
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE tickets"))


def postgres_url(database: str = STATS_DATABASE) -> str:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {database}"))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per grouping; the median is shown")
    args = parser.parse_args(argv)
    site = load_layout(LAYOUT).site(SITE)
    rows = generate(site, args.tickets)
    print(f"machine: {machine()}")
    print(f"statistics over {len(rows)} tickets of 2025 ({WINDOWS} windows), median of {args.runs} runs:")
    print("| database | " + " | ".join(f"by={by} s" for by in GROUPINGS) + " |")
    print("|---|" + "---|" * len(GROUPINGS))
    with tempfile.TemporaryDirectory() as folder:
        for name, url in (("sqlite", f"sqlite:///{Path(folder) / 'stats.db'}"), ("postgresql", postgres_url())):
            db = Database(url)
            upgrade(db.engine)
            fill(db, rows)
            timings = []
            for by in GROUPINGS:
                runs = []
                for _ in range(args.runs):
                    began = time.perf_counter()
                    result = site_statistics(db, site, dt.date(2025, 1, 1), dt.date(2025, 12, 31), by)
                    runs.append(time.perf_counter() - began)
                if by not in ("window", "clerk"):  # there tickets count where they were called
                    assert result["totals"]["issued"] == len(rows)
                timings.append(sorted(runs)[len(runs) // 2])
            db.dispose()
            verdict = "meets" if timings[GROUPINGS.index("service")] < TARGET_SECONDS else "MISSES"
            print(f"| {name} | " + " | ".join(f"{seconds:.3f}" for seconds in timings) + f" | ({verdict} the "
                  f"1 s target for by=service)")


if __name__ == "__main__":
    main()
