"""Booking under concurrency across processes: two server processes (gunicorn, gevent) on one PostgreSQL
database, 50 clients booking one slot of capacity 3 at once, half through each process → exactly 3
bookings; one person booking six slots of a day at once through both → exactly one."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import requests

from tests.support.appointments import id_number
from tests.support.live_server import LiveServer
from tests.support.threads import at_once

pytestmark = pytest.mark.slow

SITE = "county"
SERVICE = "property-first-registration"  # the example county: 60-minute slots of 3, 14 days ahead
CLIENTS = 50


@pytest.fixture
def two_processes(postgres_url, tmp_path):
    env = {"HALL_BOOKING_RATE_LIMIT": "0", "HALL_BOOKING_ID_RATE_LIMIT": "0"}
    servers = [LiveServer(postgres_url, extra_env=env, log_path=tmp_path / f"{name}.log") for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def free_slots(url: str, wanted: int) -> list[str]:
    """The starts of the first day (from tomorrow) with ``wanted`` slots still wholly free."""
    day = dt.date.today()
    for _ in range(20):
        day += dt.timedelta(days=1)
        response = requests.get(f"{url}/api/v1/sites/{SITE}/services/{SERVICE}/slots",
                                params={"date": day.isoformat()}, timeout=5)
        assert response.status_code == 200, response.text
        starts = [slot["start"] for slot in response.json() if slot["left"] == slot["capacity"] == 3]
        if len(starts) >= wanted:
            return starts[:wanted]
    raise AssertionError("no bookable day within 20 days")


def book(url: str, start: str, serial: int) -> tuple[int, str]:
    response = requests.post(f"{url}/api/v1/sites/{SITE}/appointments", timeout=30, json={
        "service": SERVICE, "start": start, "name": f"市民{serial}",
        "id_number": id_number(serial, born="19850615"), "phone": "13912345678"})
    body = response.json()
    return response.status_code, body.get("error", {}).get("code", "") if response.status_code != 201 else ""


def test_fifty_clients_on_two_processes_get_exactly_the_three_places_of_a_slot(two_processes):
    servers = two_processes
    start, *others = free_slots(servers[0].url, 7)  # a whole day: 7 slots of an hour
    results = at_once(CLIENTS, lambda index: book(servers[index % 2].url, start, index + 1))
    assert Counter(results) == {(201, ""): 3, (409, "slot_full"): CLIENTS - 3}, Counter(results)
    for server in servers:
        slots = requests.get(f"{server.url}/api/v1/sites/{SITE}/services/{SERVICE}/slots",
                             params={"date": start[:10]}, timeout=5).json()
        assert next(slot for slot in slots if slot["start"] == start)["left"] == 0

    # One person, the six other slots of the same day, through both processes at once: one booking.
    results = at_once(len(others), lambda index: book(servers[index % 2].url, others[index], 900))
    assert Counter(status for status, _ in results) == {201: 1, 409: len(others) - 1}
    assert {code for status, code in results if status == 409} == {"already_booked"}
