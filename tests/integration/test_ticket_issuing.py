"""Tickets are for kiosks: one with its device token takes as many as its hall needs, anyone else a few an
hour per address. An Idempotency-Key makes a kiosk's retry safe: the retry answers the first request's
ticket, never a second one, even when both requests race or the server died before answering."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from layout.model import PrinterConfig
from server.app import stop
from server.config import DEFAULT_ISSUE_RATE_LIMIT
from server.models import Ticket
from server.wiring import hall
from tests.conftest import make_app
from tests.support.live_server import LiveServer
from tests.support.small_hall import small_hall

K1_TOKEN = "k1-token-0123456789abcdef"
TICKETS = "/api/v1/sites/hall/tickets"
KEY = "7f3c0d2a9b8e4f61a5c2d3e4f5a6b7c8"


def tickets_in(app) -> int:
    with hall(app).db.read() as session:
        return session.scalar(select(func.count()).select_from(Ticket))


def from_kiosk(key: str | None = None, token: str = K1_TOKEN) -> dict:
    return {"X-Kiosk-Token": token, **({"Idempotency-Key": key} if key else {})}


@pytest.fixture
def app(database_url):
    app = make_app(database_url, small_hall(PrinterConfig(type="dummy")), ISSUE_RATE_LIMIT="3/hour",
                   DEVICE_TOKENS={"hall/kiosk/k1": K1_TOKEN})
    yield app
    stop(app)


def test_a_kiosk_with_its_token_is_not_limited_and_anyone_else_takes_a_few_an_hour(app, client):
    anonymous = [client.post(TICKETS, json={"service": "company-setup"}).status_code for _ in range(5)]
    assert anonymous == [201, 201, 201, 429, 429]
    named_a_kiosk = client.post(TICKETS, json={"service": "company-setup", "kiosk": "k1"})
    assert named_a_kiosk.status_code == 429, "naming a kiosk is not being one"

    kiosk = [client.post(TICKETS, json={"service": "company-setup", "kiosk": "k1"}, headers=from_kiosk())
             for _ in range(12)]

    assert [response.status_code for response in kiosk] == [201] * 12
    assert tickets_in(app) == 15


def test_the_default_limit_for_callers_without_a_token_is_a_few_an_hour():
    count, per = DEFAULT_ISSUE_RATE_LIMIT.split("/")
    assert int(count) <= 10 and per == "hour"


@pytest.mark.parametrize("body, headers, status, code", [
    ({"service": "company-setup", "kiosk": "k1"}, {"X-Kiosk-Token": "made-up-token-0123456789"}, 401,
     "invalid_token"),
    ({"service": "company-setup"}, {"X-Kiosk-Token": K1_TOKEN}, 400, "kiosk_required"),
    ({"service": "company-setup", "kiosk": "k1"}, {"X-Kiosk-Token": K1_TOKEN, "Idempotency-Key": "short"},
     400, "invalid_idempotency_key"),
])
def test_a_wrong_kiosk_token_or_key_is_refused_and_issues_nothing(app, client, body, headers, status, code):
    response = client.post(TICKETS, json=body, headers=headers)

    assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert tickets_in(app) == 0


def test_a_retry_with_the_same_key_answers_the_first_ticket(app, client):
    body = {"service": "company-setup", "kiosk": "k1"}
    first = client.post(TICKETS, json=body, headers=from_kiosk(KEY))
    retry = client.post(TICKETS, json=body, headers=from_kiosk(KEY))

    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["id"] == first.get_json()["id"]
    assert retry.get_json()["number"] == first.get_json()["number"] == "A001"
    assert retry.get_json()["print_job"] == first.get_json()["print_job"], "printed once; the retry shows it"
    assert tickets_in(app) == 1
    fresh = client.post(TICKETS, json=body, headers=from_kiosk("0" * 32))
    assert fresh.status_code == 201 and fresh.get_json()["number"] == "A002"
    reused = client.post(TICKETS, json={"service": "estate-first", "kiosk": "k1"}, headers=from_kiosk(KEY))
    assert reused.status_code == 400 and reused.get_json()["error"]["code"] == "idempotency_key_reused"


def test_another_caller_with_the_same_key_gets_a_ticket_of_its_own(app, client):
    def post(address: str):
        return client.post(TICKETS, json={"service": "company-setup"}, headers={"Idempotency-Key": KEY},
                           environ_base={"REMOTE_ADDR": address})

    mine = post("10.0.0.7").get_json()
    theirs = post("10.0.0.8")

    assert theirs.status_code == 201
    assert theirs.get_json()["id"] != mine["id"], "a guessed key shows nobody else's ticket"
    assert post("10.0.0.7").get_json()["id"] == mine["id"]


def test_requests_racing_with_one_key_make_one_ticket(app):
    body = {"service": "company-setup", "kiosk": "k1"}
    start = threading.Barrier(8)

    def post(_):
        client = app.test_client()
        start.wait()
        return client.post(TICKETS, json=body, headers=from_kiosk(KEY))

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(8)))

    assert sorted(answer.status_code for answer in answers) == [200] * 7 + [201]
    assert len({answer.get_json()["id"] for answer in answers}) == 1
    assert tickets_in(app) == 1


@pytest.mark.postgres
def test_a_second_claim_of_a_key_waits_for_the_first_transaction_and_reads_its_ticket(postgres_url):
    import datetime as dt

    from server import store

    app = make_app(postgres_url)
    try:
        db, now = hall(app).db, dt.datetime(2026, 1, 5, 1, 0)
        first = db.writer()
        claimed = store.claim_idempotency_key(first, "hall", KEY, "ticket-of-the-first", now)
        assert claimed == "ticket-of-the-first"
        with ThreadPoolExecutor(1) as pool:
            def second_claim():
                with db.write() as session:
                    return store.claim_idempotency_key(session, "hall", KEY, "ticket-of-the-second", now)

            second = pool.submit(second_claim)
            with pytest.raises(TimeoutError):
                second.result(timeout=0.5)  # it waits in its INSERT: the first has not committed yet
            first.commit()
            first.close()
            assert second.result(timeout=10) == "ticket-of-the-first"
    finally:
        stop(app)


@pytest.mark.slow
def test_a_retry_after_the_server_was_killed_answers_the_ticket_it_had_made(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'hall.db'}", log_path=tmp_path / "server.log",
                        extra_env={"HALL_ISSUE_RATE_LIMIT": "5/hour"})
    server.start()
    try:
        url = f"{server.url}/api/v1/sites/county/tickets"
        body = {"service": "mortgage-registration", "kiosk": "k1"}
        headers = {"X-Kiosk-Token": server.token("county", "kiosk", "k1"), "Idempotency-Key": KEY}
        first = requests.post(url, json=body, headers=headers, timeout=10)
        assert first.status_code == 201  # the kiosk never saw this answer: the server dies now

        server.restart(kill=True)
        retry = requests.post(url, json=body, headers=headers, timeout=10)

        assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
        queue = first.json()["queue"]
        waiting = {q["id"]: q["waiting"] for q in requests.get(f"{server.url}/api/v1/sites/county/queues",
                                                                timeout=10).json()}
        assert waiting[queue] == 1, "one ticket, not a phantom second one"
    finally:
        server.stop(kill=True)
