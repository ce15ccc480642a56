"""SQLite under gevent: another process holding the write lock never freezes the server process. Reads
and pages answer at once; a write waits for the lock cooperatively up to HALL_DATABASE_BUSY_TIMEOUT,
then answers 503 JSON ``database_busy``; once the lock is free, writes go through again."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import requests

from tests.support.live_server import ROOT, LiveServer, wait_until

pytestmark = pytest.mark.slow

LAYOUT = str(ROOT / "tests" / "perf" / "big_hall.yaml")
BUSY_TIMEOUT = 1.5


def timed(method, url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = method(url, timeout=8, **kwargs)
    return response, time.monotonic() - started


def test_a_write_lock_held_by_another_process_blocks_only_writes_and_only_up_to_the_busy_timeout(tmp_path):
    database = tmp_path / "hall.db"
    server = LiveServer(f"sqlite:///{database}", layout=LAYOUT, log_path=tmp_path / "server.log",
                        extra_env={"HALL_DATABASE_BUSY_TIMEOUT": str(BUSY_TIMEOUT)}).start()
    tickets = f"{server.url}/api/v1/sites/big/tickets"
    holder = sqlite3.connect(database, isolation_level=None, timeout=0)
    try:
        try:
            assert requests.post(tickets, json={"service": "s0-1"}, timeout=5).status_code == 201
            holder.execute("BEGIN IMMEDIATE")  # another process (a script, a tool) holds the write lock

            answers: list[tuple[requests.Response, float]] = []
            writer = threading.Thread(target=lambda: answers.append(timed(requests.post, tickets,
                                                                          json={"service": "s0-1"})))
            writer.start()
            # Read and page requests all through the write's wait: none may wait with it.
            slowest: dict[str, float] = {}
            rounds = 0
            while writer.is_alive():
                for path in ("/api/v1/sites", "/api/v1/sites/big/queues", "/api/v1/sites/big/layout"):
                    response, seconds = timed(requests.get, f"{server.url}{path}")
                    assert response.status_code == 200, (path, response.text)
                    slowest[path] = max(seconds, slowest.get(path, 0.0))
                rounds += 1
            print("slowest answers during the wait:", slowest, "rounds:", rounds)
            assert rounds >= 5, "the reads ran while the write waited"
            assert max(slowest.values()) < 0.3, f"reads waited behind the locked write: {slowest}"
            writer.join(timeout=10)
            response, seconds = answers[0]
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "database_busy"
            assert BUSY_TIMEOUT - 0.1 <= seconds < BUSY_TIMEOUT + 1.0, f"answered after {seconds:.2f}s"

            health = requests.get(f"{server.url}/healthz", timeout=8)
            assert health.status_code == 503, "the health check writes, so it sees that writes cannot go through"
            assert health.json()["checks"]["database"] == "down: database_busy"
        finally:
            holder.rollback()
            holder.close()
        wait_until(lambda: requests.post(tickets, json={"service": "s0-1"}, timeout=5).status_code == 201, 5,
                   0.1, "writes to go through once the lock is free")
        assert requests.get(f"{server.url}/healthz", timeout=5).json()["status"] == "ok"
    finally:
        server.stop()
