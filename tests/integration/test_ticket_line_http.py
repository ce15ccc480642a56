"""Through HTTP on both databases: cancelling a ticket (contract v1.1), putting a missed one back in line
(过号重排), how a finish is recorded (reason, missing, the delegation's authority), where a ticket may
be called and what the lobby hears of a call on another floor, and wait estimates."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from layout.model import Floor, Zone
from server.app import stop
from server.extensions import socketio
from tests.conftest import create_staff, make_app
from tests.support.clock import Clock
from tests.support.small_hall import small_hall

MONDAY_9 = dt.datetime(2026, 1, 5, 1, 0)
SITE = "/api/v1/sites/hall"
W = f"{SITE}/windows"


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9)


@pytest.fixture
def app(database_url, clock):
    app = make_app(database_url, CLOCK=clock)
    yield app
    stop(app)


def issue(client, service: str = "company-setup") -> dict:
    response = client.post(f"{SITE}/tickets", json={"service": service})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def error(response, status: int) -> str:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]["code"]


def test_the_holder_cancels_a_waiting_ticket_and_staff_cancel_is_marked_as_theirs(client, clerk):
    mine, other = issue(client), issue(client)
    response = client.post(f"/api/v1/tickets/{mine['id']}/cancel")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"], body["cancel_reason"]) == (mine["id"], "cancelled", "citizen")
    assert client.get(f"/api/v1/tickets/{mine['id']}").get_json()["status"] == "cancelled"
    staff = client.post(f"/api/v1/tickets/{other['id']}/cancel", headers=clerk).get_json()
    assert staff["cancel_reason"] == "staff"
    assert error(client.post(f"/api/v1/tickets/{mine['id']}/cancel"), 409) == "illegal_transition"
    assert error(client.post("/api/v1/tickets/nothing-here/cancel"), 404) == "unknown_ticket"
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert error(client.post(f"/api/v1/tickets/{other['id']}/cancel", headers=bad_token), 401) == "invalid_token"


def test_a_finished_or_called_ticket_cannot_be_cancelled(client, clerk):
    ticket = issue(client)
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    assert error(client.post(f"/api/v1/tickets/{ticket['id']}/cancel"), 409) == "illegal_transition"
    client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    assert error(client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=clerk), 409) == "illegal_transition"


def test_a_clerk_puts_a_late_citizen_back_in_line_within_the_site_s_minutes(client, clerk, clock):
    late = issue(client)
    clock.now += dt.timedelta(minutes=1)
    waiting = issue(client)
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    client.post(f"{W}/w1/no-show", headers=clerk)
    clock.now += dt.timedelta(minutes=5)
    requeue = f"{SITE}/tickets/{late['id']}/requeue"
    assert error(client.post(requeue), 401) == "login_required"
    back = client.post(requeue, headers=clerk)
    assert back.status_code == 200 and back.get_json()["status"] == "waiting" and back.get_json()["ahead"] == 1
    assert client.post(f"{W}/w1/call-next", headers=clerk).get_json()["id"] == waiting["id"]
    client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    assert client.post(f"{W}/w1/call-next", headers=clerk).get_json()["id"] == late["id"]
    client.post(f"{W}/w1/no-show", headers=clerk)
    clock.now += dt.timedelta(minutes=31)
    assert error(client.post(requeue, headers=clerk), 409) == "requeue_expired"
    assert error(client.post(f"{SITE}/tickets/{waiting['id']}/requeue", headers=clerk), 409) == "illegal_transition"


def test_a_rejection_needs_a_reason_and_keeps_it_a_notice_keeps_what_is_missing(client, clerk, clock):
    rejected = issue(client)
    clock.now += dt.timedelta(minutes=1)
    notified = issue(client)
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    finish = f"{W}/w1/finish"
    for body in ({"outcome": "rejected"}, {"outcome": "rejected", "reason": "   "}):
        assert error(client.post(finish, json=body, headers=clerk), 400) == "reason_required"
    answer = client.post(finish, json={"outcome": "rejected", "reason": "不属于本机关职权范围"}, headers=clerk)
    assert answer.status_code == 200 and answer.get_json()["reason"] == "不属于本机关职权范围"
    client.post(f"{W}/w1/call-next", headers=clerk)
    for missing in ("身份证明", ["户口本"], [1], ["身份证明", "身份证明"], [""]):
        body = {"outcome": "notified", "missing": missing}
        assert error(client.post(finish, json=body, headers=clerk), 400) == "invalid_field"
    body = {"outcome": "notified", "missing": ["身份证明"]}
    assert client.post(finish, json=body, headers=clerk).get_json()["missing"] == ["身份证明"]
    assert client.get(f"/api/v1/tickets/{notified['id']}").get_json()["missing"] == ["身份证明"]
    assert client.get(f"/api/v1/tickets/{rejected['id']}").get_json()["reason"] == "不属于本机关职权范围"


def test_an_item_delegated_for_acceptance_only_is_not_handled_at_once_at_a_general_window(client, clerk):
    issue(client, "teacher-cert")
    client.post(f"{W}/w5/open", headers=clerk)
    client.post(f"{W}/w5/call-next", headers=clerk)
    assert error(client.post(f"{W}/w5/finish", json={"outcome": "handled"}, headers=clerk), 409) == "not_authorised"
    assert client.post(f"{W}/w5/finish", json={"outcome": "accepted"}, headers=clerk).status_code == 200


def floors_layout():
    site = small_hall().sites[0]
    windows = tuple(replace(window, zone="accept-3f") if window.id in ("w1", "w2") else window
                    for window in site.windows)
    return small_hall(floors=(Floor("f1", "一楼"), Floor("f3", "三楼")),
                      zones=(Zone("accept", "综合受理区", "f1"), Zone("accept-3f", "三楼综合受理区", "f3"),
                             Zone("pickup", "综合出件区", "f1")), windows=windows)


def test_a_ticket_called_by_overflow_on_another_floor_reaches_the_screens_of_its_own_floor(database_url):
    clock = Clock(MONDAY_9)
    app = make_app(database_url, floors_layout(), CLOCK=clock)
    try:
        client, clerk = app.test_client(), create_staff(app)
        ticket = issue(client)
        assert ticket["windows"] == ["w1", "w2", "w5"] and ticket["overflow_windows"] == ["w5"]
        assert [group["text"] for group in ticket["where"]] == ["三楼 1、2号窗口", "一楼 5号窗口"]
        lobby = socketio.test_client(app)
        lobby.emit("subscribe", {"site": "hall", "display": "lobby"})
        lobby.get_received()
        clock.now += dt.timedelta(minutes=31)
        client.post(f"{W}/w5/open", headers=clerk)
        assert client.post(f"{W}/w5/call-next", headers=clerk).get_json()["id"] == ticket["id"]
        [call] = [p["args"][0] for p in lobby.get_received() if p["name"] == "called"]
        assert (call["ticket"], call["zone"], call["floor_name"], call["queue_zones"]) == (
            "A001", "accept", "一楼", ["accept-3f"])
        assert "ticket_id" not in call
    finally:
        stop(app)


def test_queues_say_there_is_no_estimate_while_no_window_of_theirs_is_open(client, clerk):
    for _ in range(2):
        issue(client, "teacher-cert")
    general = next(q for q in client.get(f"{SITE}/queues").get_json() if q["id"] == "general")
    assert (general["waiting"], general["eta_minutes"], general["eta_note"]) == (2, None, "暂无窗口开放 / no window open")
    client.post(f"{W}/w5/open", headers=clerk)
    general = next(q for q in client.get(f"{SITE}/queues").get_json() if q["id"] == "general")
    assert general["eta_minutes"] == 20 and general["eta_note"] is None, "2 × teacher-cert's 10 minutes"
