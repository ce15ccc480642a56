"""How long the hall manager's board takes: ``GET /api/v1/sites/<site>/monitor`` of the benchmark hall (100
windows) in the middle of a busy day — a year of history on file, 1,500 tickets already served today, every
window open with a citizen at it and 300 waiting — timed over repeated requests, on SQLite and PostgreSQL.
The requests go through the Flask test client, in the process: the figures are the server's own time.

    python -m tests.perf.monitor_bench [--requests 200] [--history 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from layout.loader import load_layout
from server.app import stop
from server.wiring import hall
from tests.conftest import create_staff, make_app
from tests.perf.bench import LAYOUT, SITE, machine
from tests.perf.stats_bench import fill, generate, postgres_url

MONITOR_DATABASE = "yichuang_monitor_bench"
TARGET_SECONDS = 0.050
NOW = dt.datetime(2026, 1, 7, 3, 0)  # a Wednesday, 11:00 in the hall
SERVED_TODAY = 1500
WAITING = 300


def served_today(site, count: int, seed: int = 11) -> list[dict]:
    """Tickets of this morning, finished at the windows between 08:30 and now."""
    chance = random.Random(seed)
    rows = []
    for number in range(count):
        service = chance.choice(site.services)
        window = chance.choice(site.windows)
        issued = NOW - dt.timedelta(seconds=chance.randrange(1800, 9000))
        called = issued + dt.timedelta(seconds=chance.randrange(60, 1500))
        finished = min(NOW, called + dt.timedelta(seconds=chance.randrange(120, 900)))
        rows.append({"id": secrets.token_urlsafe(16), "site": site.id, "number": f"Z{number:04d}", "day": NOW.date(),
                     "service": service.id, "queue": service.queue, "priority_class": None, "status": "done",
                     "issued_at": issued, "kiosk": None, "window": window.id, "clerk_id": 1, "called_at": called,
                     "started_at": None, "finished_at": finished, "recalls": 0, "outcome": "accepted",
                     "origin_id": None, "transferred_to": None, "wait_s": (called - issued).total_seconds(),
                     "service_s": (finished - called).total_seconds()})
    return rows


def busy_day(app, site, history: int) -> dict:
    """The scene: history and this morning in the database, then through the API every window opened
    and calling, and people waiting. The manager's headers."""
    fill(hall(app).db, generate(site, history) + served_today(site, SERVED_TODAY))
    client = app.test_client()
    clerk = create_staff(app, "bench-clerk")
    manager = create_staff(app, "bench-manager", role="manager")
    services = [service.id for service in site.services]
    for number in range(len(site.windows) + WAITING):
        response = client.post(f"/api/v1/sites/{site.id}/tickets", json={"service": services[number % len(services)]})
        assert response.status_code == 201, response.get_json()
    for window in site.windows:
        assert client.post(f"/api/v1/sites/{site.id}/windows/{window.id}/open", headers=clerk).status_code == 200
        response = client.post(f"/api/v1/sites/{site.id}/windows/{window.id}/call-next", headers=clerk)
        assert response.status_code == 200, response.get_json()
    return manager


def measure(url: str, site, requests: int, history: int) -> list[float]:
    app = make_app(url, LAYOUT_OBJECT=load_layout(LAYOUT), CLOCK=lambda: NOW)
    try:
        manager = busy_day(app, site, history)
        client = app.test_client()
        board = client.get(f"/api/v1/sites/{site.id}/monitor", headers=manager).get_json()
        assert len(board["windows"]) == 100 and sum(queue["waiting"] for queue in board["queues"]) >= WAITING
        assert all(window["current"] for window in board["windows"])
        timings = []
        for _ in range(requests):
            began = time.perf_counter()
            response = client.get(f"/api/v1/sites/{site.id}/monitor", headers=manager)
            timings.append(time.perf_counter() - began)
            assert response.status_code == 200
        return timings
    finally:
        stop(app)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--history", type=int, default=50_000, help="tickets of 2025 already on file")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # the app's start and pool messages would break up the table
    site = load_layout(LAYOUT).site(SITE)
    print(f"machine: {machine()}")
    print(f"GET /monitor of {len(site.windows)} windows (all serving), {WAITING} waiting, {SERVED_TODAY} served "
          f"today, {args.history} tickets of history; {args.requests} requests:")
    print("| database | p50 ms | p99 ms | mean ms | max ms |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, url in (("sqlite", f"sqlite:///{Path(folder) / 'monitor.db'}"), ("postgresql", postgres_url(MONITOR_DATABASE))):
            timings = [seconds * 1000 for seconds in measure(url, site, args.requests, args.history)]
            p99 = percentile(timings, 0.99)
            verdict = "meets" if p99 < TARGET_SECONDS * 1000 else "MISSES"
            print(f"| {name} | {percentile(timings, 0.5):.1f} | {p99:.1f} | {statistics.fmean(timings):.1f} | "
                  f"{max(timings):.1f} | ({verdict} the 50 ms target at p99)")


if __name__ == "__main__":
    main()
