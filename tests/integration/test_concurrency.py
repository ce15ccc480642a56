"""Numbering and call-next under concurrency: 300 tickets issued from 4 threads, then called by 8
windows at once. Every ticket is called exactly once; no number is handed out twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from layout.model import Window
from tests.conftest import create_staff, make_app
from tests.support.small_hall import small_hall
from tests.support.threads import at_once

TICKETS = 300
WINDOWS = 8
ISSUERS = 4


@pytest.mark.slow
def test_eight_windows_calling_one_queue_each_ticket_once(database_url):
    windows = tuple(Window(f"c{i}", str(10 + i), f"{10 + i}号窗口", "accept", "subject", ("biz",))
                    for i in range(WINDOWS))
    app = make_app(database_url, small_hall(windows=windows))
    issued: list[dict] = []
    lock = threading.Lock()

    def issue(_index: int) -> None:
        client = app.test_client()
        for _ in range(TICKETS // ISSUERS):
            response = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
            assert response.status_code == 201, response.get_json()
            with lock:
                issued.append(response.get_json())

    at_once(ISSUERS, issue)
    numbers = Counter(ticket["number"] for ticket in issued)
    assert len(issued) == TICKETS and max(numbers.values()) == 1
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, TICKETS + 1)]

    headers = [create_staff(app, f"clerk{i}", f"password-{i}-long") for i in range(WINDOWS)]
    called: list[tuple[str, str]] = []

    def work_window(index: int) -> None:
        client = app.test_client()
        base = f"/api/v1/sites/hall/windows/c{index}"
        assert client.post(f"{base}/open", headers=headers[index]).status_code == 200
        while True:
            response = client.post(f"{base}/call-next", headers=headers[index])
            if response.status_code == 204:
                return
            assert response.status_code == 200, response.get_json()
            with lock:
                called.append((response.get_json()["id"], f"c{index}"))
            finished = client.post(f"{base}/finish", json={"outcome": "accepted"}, headers=headers[index])
            assert finished.status_code == 200, finished.get_json()

    at_once(WINDOWS, work_window)
    ids = Counter(ticket_id for ticket_id, _ in called)
    assert len(called) == TICKETS, "every ticket was called"
    assert max(ids.values()) == 1, "no ticket was handed to two windows"
    assert set(ids) == {ticket["id"] for ticket in issued}
    assert len({window for _, window in called}) > 1, "the windows really worked side by side"
