"""The site's local day is the unit of a queue: what a day left open is cancelled ("day_closed") when it
ends, whether the process was running at midnight or started the next morning, and nothing of an
earlier day is called, counted or shown, even before that sweep ran. Over HTTP and Socket.IO, on both
databases, with a controllable clock."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server.app import stop
from server.extensions import socketio
from server.models import Ticket, WindowState
from server.wiring import hall
from tests.conftest import create_staff, make_app, staff_subscriber
from tests.support.clock import Clock
from tests.support.live_server import wait_until

MONDAY_9 = dt.datetime(2026, 1, 5, 1, 0)  # 09:00 in Asia/Shanghai, naive UTC
TUESDAY_8 = dt.datetime(2026, 1, 6, 0, 0)  # 08:00 the next morning
W = "/api/v1/sites/hall/windows"


def issue(client, service: str = "company-setup") -> dict:
    response = client.post("/api/v1/sites/hall/tickets", json={"service": service})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def received(sio, name: str) -> list[dict]:
    return [packet["args"][0] for packet in sio.get_received() if packet["name"] == name]


def rows(app) -> dict[str, tuple[str, str | None]]:
    with hall(app).db.read() as session:
        return {ticket.id: (ticket.status, ticket.cancel_reason) for ticket in session.scalars(select(Ticket))}


def test_a_process_started_on_tuesday_cancels_what_monday_left_open_and_never_shows_it(database_url):
    clock = Clock(MONDAY_9)
    monday = make_app(database_url, CLOCK=clock)
    client, clerk = monday.test_client(), create_staff(monday)
    first = issue(client)
    clock.now += dt.timedelta(minutes=1)
    second, third = issue(client), issue(client)
    assert client.post(f"{W}/w1/open", headers=clerk).status_code == 200
    assert client.post(f"{W}/w1/call-next", headers=clerk).get_json()["id"] == first["id"]
    stop(monday)  # nothing runs over midnight

    clock.now = TUESDAY_8
    tuesday = make_app(database_url, CLOCK=clock)
    try:
        client, clerk = tuesday.test_client(), create_staff(tuesday, "clerk2")
        assert {rows(tuesday)[t["id"]] for t in (first, second, third)} == {("cancelled", "day_closed")}
        view = client.get(f"/api/v1/tickets/{second['id']}").get_json()
        assert (view["status"], view["cancel_reason"], view["ahead"]) == ("cancelled", "day_closed", 0)
        with hall(tuesday).db.read() as session:
            window = session.scalar(select(WindowState).where(WindowState.window == "w1"))
            assert (window.state, window.current_ticket) == ("closed", None), "left open across midnight"

        sio = socketio.test_client(tuesday)
        sio.emit("subscribe", {"site": "hall", "display": "lobby"})
        snapshot = received(sio, "snapshot")[0]
        assert snapshot["calls"] == [] and snapshot["waiting"] == {}, "Monday's call and queue are not shown"
        assert snapshot["windows"]["w1"]["state"] == "closed"

        fresh = issue(client)
        assert (fresh["number"], fresh["ahead"]) == ("A001", 0)
        assert client.post(f"{W}/w1/open", headers=clerk).status_code == 200
        assert client.post(f"{W}/w1/call-next", headers=clerk).get_json()["id"] == fresh["id"]
        assert client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk).status_code == 200
        assert client.post(f"{W}/w1/call-next", headers=clerk).status_code == 204
        queues = {queue["id"]: queue for queue in client.get("/api/v1/sites/hall/queues").get_json()}
        assert queues["biz"]["waiting"] == 0 and queues["biz"]["oldest_wait_minutes"] == 0
    finally:
        stop(tuesday)


def test_before_the_sweep_a_ticket_of_an_earlier_day_is_not_called_counted_or_cancellable(database_url):
    clock = Clock(MONDAY_9)
    app = make_app(database_url, CLOCK=clock, DAY_CHECK_SECONDS=3600)  # the timer will not run in time
    try:
        client, clerk = app.test_client(), create_staff(app)
        monday = issue(client)
        clock.now = TUESDAY_8
        assert rows(app)[monday["id"]] == ("waiting", None), "not swept yet"
        view = client.get(f"/api/v1/tickets/{monday['id']}").get_json()
        assert (view["status"], view["cancel_reason"]) == ("cancelled", "day_closed")
        assert client.get("/api/v1/sites/hall/queues").get_json()[0]["waiting"] == 0
        assert client.post(f"{W}/w1/open", headers=clerk).status_code == 200
        assert client.post(f"{W}/w1/call-next", headers=clerk).status_code == 204
        refused = client.post(f"/api/v1/tickets/{monday['id']}/cancel")
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "illegal_transition"
    finally:
        stop(app)


def test_a_running_process_closes_the_day_at_local_midnight_and_tells_holders_and_screens(database_url):
    clock = Clock(dt.datetime(2026, 1, 5, 15, 59, 59))  # 23:59:59 on Monday in Shanghai
    app = make_app(database_url, CLOCK=clock, DAY_CHECK_SECONDS=0.05)
    try:
        client = app.test_client()
        ticket = issue(client)
        holder = socketio.test_client(app)
        holder.emit("subscribe", {"site": "hall", "ticket": ticket["id"]})
        staff = staff_subscriber(app)
        holder.get_received(), staff.get_received()

        clock.now = dt.datetime(2026, 1, 5, 16, 0, 1)  # 00:00:01 on Tuesday
        wait_until(lambda: rows(app)[ticket["id"]] == ("cancelled", "day_closed"), 5, message="the day closed")
        told = wait_until(lambda: received(holder, "ticket"), 5, message="the holder's ticket event")
        assert told[-1]["ticket"]["status"] == "cancelled" and told[-1]["ticket"]["cancel_reason"] == "day_closed"
        waiting = wait_until(lambda: received(staff, "waiting"), 5, message="the waiting count")
        assert waiting[-1]["waiting"] == {}
    finally:
        stop(app)
