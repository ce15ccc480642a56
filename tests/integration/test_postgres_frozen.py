"""A PostgreSQL that stops answering (frozen, or a network that swallows packets) costs a request a few
seconds, never minutes: the server answers 503 JSON, /healthz says down, pages that need no database
still answer, and all is well again once the database answers. A server started while its database does
not answer starts anyway, answers 503 meanwhile, and brings the schema up to date when it can."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from sqlalchemy.engine import make_url

from tests.support.black_hole import BlackHoleLink
from tests.support.live_server import ROOT, LiveServer, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

LAYOUT = str(ROOT / "tests" / "perf" / "big_hall.yaml")
TICKETS = "/api/v1/sites/big/tickets"
LIMITS = {"HALL_DATABASE_CONNECT_TIMEOUT": "2", "HALL_DATABASE_STATEMENT_TIMEOUT": "1",
          "HALL_DATABASE_LOCK_TIMEOUT": "1", "HALL_DATABASE_ANSWER_TIMEOUT": "2",
          "HALL_DATABASE_BUSY_TIMEOUT": "2"}
FEW_SECONDS = 6.0  # the answer bound and one connect attempt, with room for a loaded machine


@pytest.fixture
def link(postgres_url):
    url = make_url(postgres_url)
    hole = BlackHoleLink((url.host or "127.0.0.1", url.port or 5432))
    yield hole, url.set(host="127.0.0.1", port=hole.port).render_as_string(hide_password=False)
    hole.close()


def timed(method, url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = method(url, timeout=30, **kwargs)
    return response, time.monotonic() - started


def issue(server: LiveServer) -> tuple[requests.Response, float]:
    return timed(requests.post, f"{server.url}{TICKETS}", json={"service": "s0-1"})


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code in (200, 503)
    except requests.RequestException:
        return False


def assert_503_json(response: requests.Response, seconds: float, code: str = "database_unavailable") -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == code
    assert seconds < FEW_SECONDS, f"answered after {seconds:.1f}s"


def test_a_database_that_stops_answering_costs_a_request_seconds_and_healthz_says_down(link, tmp_path):
    hole, linked_url = link
    server = LiveServer(linked_url, layout=LAYOUT, extra_env=LIMITS, log_path=tmp_path / "server.log").start()
    try:
        response, _ = issue(server)
        assert response.status_code == 201
        hole.swallow()

        results: list[tuple[requests.Response, float]] = []
        kiosks = [threading.Thread(target=lambda: results.append(issue(server))) for _ in range(4)]
        for kiosk in kiosks:
            kiosk.start()
        health, health_seconds = timed(requests.get, f"{server.url}/healthz")
        sites, sites_seconds = timed(requests.get, f"{server.url}/api/v1/sites")
        for kiosk in kiosks:
            kiosk.join(timeout=30)
        print("while swallowed: tickets", [f"{r.status_code} {s:.1f}s" for r, s in results],
              f"healthz {health.status_code} {health_seconds:.1f}s, sites {sites_seconds:.2f}s")
        assert len(results) == 4
        for response, seconds in results:
            assert_503_json(response, seconds)
        assert health.status_code == 503 and health.json()["status"] == "down"
        assert health_seconds < FEW_SECONDS, f"/healthz answered after {health_seconds:.1f}s"
        assert sites.status_code == 200 and sites_seconds < 1.0, "a page without the database is not held up"

        hole.mend()
        wait_until(lambda: requests.get(f"{server.url}/healthz", timeout=10).status_code == 200, 15, 0.2,
                   "/healthz ok once the database answers")
        assert issue(server)[0].status_code == 201
    finally:
        server.stop()


def test_a_server_started_while_its_database_does_not_answer_serves_503_then_upgrades(link, tmp_path):
    hole, linked_url = link
    hole.swallow()
    server = LiveServer(linked_url, layout=LAYOUT, extra_env=LIMITS, log_path=tmp_path / "server.log")
    server._healthy = lambda: answers(server.url)  # it must come up without its database
    try:
        server.start(timeout=60)
        health, seconds = timed(requests.get, f"{server.url}/healthz")
        assert health.status_code == 503 and health.json()["status"] == "down"
        assert seconds < FEW_SECONDS
        assert_503_json(*issue(server))
        sites, _ = timed(requests.get, f"{server.url}/api/v1/sites")
        assert sites.status_code == 200

        hole.mend()
        wait_until(lambda: requests.get(f"{server.url}/healthz", timeout=10).status_code == 200, 20, 0.2,
                   "/healthz ok once the database answers")
        response, _ = issue(server)
        assert response.status_code == 201, "the schema was created once the database answered"
        assert response.json()["number"] == "A001"
    finally:
        server.stop()
