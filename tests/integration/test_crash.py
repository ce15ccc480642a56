"""kill -9 under load: nothing a client was told is lost, no number is reused, no ticket goes to two windows,
and every call a clerk saw answered reaches the screens.

Real processes (gunicorn, gevent), real PostgreSQL and Redis for the two-process hall; the embedded hall is
one process on SQLite. Kiosk threads issue tickets and clerk threads call and finish while one process is
killed with SIGKILL and started again; the clients fail over or retry meanwhile."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.perf.clients import DisplayClient, FailoverSession, LoadRecord, clerk_loop, kiosk_loop, staff_token
from tests.support.live_server import LiveServer, wait_until

pytestmark = pytest.mark.slow

LAYOUT = str(Path(__file__).resolve().parents[1] / "perf" / "big_hall.yaml")
SITE = "big"
SERVICES = ["s0-1", "s1-1", "s0-2", "s1-2"]  # queues q0 and q1: windows w1..w4 serve them
WINDOWS = ["w10", "w1", "w11", "w20"]  # w10, w20 serve q0 first; w1, w11 serve q1 first
KIOSKS = 3
SERVICE_SECONDS = 0.2  # a compressed service: about 15 calls a second over the four windows
CLERK, CLERK_PASSWORD = "crash-clerk", "crash-clerk-password"


def run_load(urls_for_kiosk, urls_for_clerk, headers: dict, record: LoadRecord, stop: threading.Event):
    threads = [threading.Thread(target=kiosk_loop, daemon=True,
                                args=(FailoverSession(urls_for_kiosk(index)), SITE, SERVICES, f"k{index + 1}",
                                      record, stop, 0.02)) for index in range(KIOSKS)]
    threads += [threading.Thread(target=clerk_loop, daemon=True,
                                 args=(FailoverSession(urls_for_clerk(index)), SITE, window, headers, record, stop,
                                       SERVICE_SECONDS)) for index, window in enumerate(WINDOWS)]
    for thread in threads:
        thread.start()
    return threads


def finish_load(threads, stop: threading.Event) -> None:
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a load client hung"


def check_database(database_url: str, record: LoadRecord) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, queue, number, day, status, \"window\", origin_id FROM tickets WHERE site = :site"),
                {"site": SITE}).all()
    finally:
        engine.dispose()
    stored = {row.id: row for row in rows}
    missing = [ticket["id"] for ticket in record.issued if ticket["id"] not in stored]
    assert not missing, f"{len(missing)} tickets answered 201 are not in the database"
    numbers = Counter((row.day, row.queue, row.number) for row in rows if row.origin_id is None)
    reused = [key for key, count in numbers.items() if count > 1]
    assert not reused, f"numbers handed out twice: {reused[:5]}"
    called = Counter(call["ticket_id"] for call in record.calls)
    assert max(called.values()) == 1, "a ticket was answered to two calls"
    for call in record.calls:
        row = stored[call["ticket_id"]]
        assert row.window == call["window"], f"{row.number} is at {row.window}, answered to {call['window']}"
        assert row.status in ("called", "serving", "done"), row


def test_killing_one_of_two_processes_loses_nothing(postgres_url, redis_url, tmp_path):
    redis_db12 = redis_url.rsplit("/", 1)[0] + "/12"
    env = {"HALL_REDIS_URL": redis_db12}
    server_a = LiveServer(postgres_url, layout=LAYOUT, extra_env=env, log_path=tmp_path / "a.log")
    server_b = LiveServer(postgres_url, layout=LAYOUT, extra_env=env, log_path=tmp_path / "b.log")
    server_a.start()
    server_b.start()
    displays: list[DisplayClient] = []
    try:
        server_a.add_user(CLERK, CLERK_PASSWORD)
        headers = server_b.login(CLERK, CLERK_PASSWORD)
        display_b = DisplayClient(server_b.url, SITE, "lobby", gap_hold=0.5, token=staff_token(headers)).start()
        display_a = DisplayClient(server_a.url, SITE, "lobby", gap_hold=0.5, token=staff_token(headers)).start()
        displays += [display_b, display_a]
        both = [server_a.url, server_b.url]
        record, stop = LoadRecord(), threading.Event()
        # Kiosks and clerks start on alternating processes, so both carry load when A dies.
        threads = run_load(lambda index: both[index % 2:] + both[:index % 2],
                           lambda index: both[index % 2:] + both[:index % 2], headers, record, stop)
        try:
            wait_until(lambda: len(record.calls) >= 15 and len(record.issued) >= 30, 20, 0.05, "load under way")
            server_a.stop(kill=True)
            calls_at_kill = len(record.calls)
            wait_until(lambda: len(record.calls) >= calls_at_kill + 10, 20, 0.05, "B carrying the load alone")
            server_a.start()
            calls_at_restart = len(record.calls)
            wait_until(lambda: len(record.calls) >= calls_at_restart + 10, 20, 0.05, "load after the restart")
        finally:
            finish_load(threads, stop)
        # One more event after the load, so a screen still missing an event sees the gap.
        assert FailoverSession(both).post(f"/api/v1/sites/{SITE}/tickets", json={"service": "s9-1"}).status_code == 201

        check_database(postgres_url, record)
        called_ids = [call["ticket_id"] for call in record.calls]
        wait_until(lambda: display_b.seen(called_ids), 15, 0.1, "every answered call on the screen at B")
        assert display_a.connects >= 2 and display_a.snapshots >= 2, "the screen at A came back and resubscribed"
        after_restart = [call["ticket_id"] for call in record.calls[calls_at_restart:]]
        wait_until(lambda: display_a.seen(after_restart), 15, 0.1, "calls after the restart on the screen at A")
        assert not display_b.errors and not display_a.errors
    finally:
        for display in displays:
            display.stop()
        server_a.stop()
        server_b.stop()


def test_killing_the_embedded_single_process_loses_nothing(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    server = LiveServer(database_url, layout=LAYOUT, log_path=tmp_path / "server.log")
    server.start()
    display = None
    try:
        server.add_user(CLERK, CLERK_PASSWORD)
        headers = server.login(CLERK, CLERK_PASSWORD)
        display = DisplayClient(server.url, SITE, "lobby", token=staff_token(headers)).start()
        record, stop = LoadRecord(), threading.Event()
        threads = run_load(lambda index: [server.url], lambda index: [server.url], headers, record, stop)
        try:
            wait_until(lambda: len(record.calls) >= 15 and len(record.issued) >= 30, 20, 0.05, "load under way")
            server.stop(kill=True)
            server.start()
            calls_at_restart = len(record.calls)
            wait_until(lambda: len(record.calls) >= calls_at_restart + 10, 20, 0.05, "load after the restart")
        finally:
            finish_load(threads, stop)
        assert FailoverSession([server.url]).post(f"/api/v1/sites/{SITE}/tickets",
                                                  json={"service": "s9-1"}).status_code == 201

        check_database(database_url, record)
        assert display.connects >= 2 and display.snapshots >= 2, "the screen reconnected and resubscribed"
        after_restart = [call["ticket_id"] for call in record.calls[calls_at_restart:]]
        wait_until(lambda: display.seen(after_restart), 15, 0.1, "calls after the restart on the screen")
    finally:
        if display is not None:
            display.stop()
        server.stop()
