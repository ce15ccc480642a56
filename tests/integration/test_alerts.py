"""Alerts on a real database: a wait passes its target with nothing happening and the evaluation (any
process's) opens one alert, staff hear of it, the board lists it, a manager acknowledges it, and it clears
when the queue moves; two processes evaluating at once open it once."""

from __future__ import annotations

import datetime as dt

import pytest

from server.app import stop
from server.domain.alerts import EvaluateAlerts
from server.domain.commands import RecordScreenState
from server.wiring import hall
from tests.conftest import create_staff, make_app, staff_subscriber

NINE = dt.datetime(2026, 1, 5, 1, 0)  # Monday 09:00 in the hall
W = "/api/v1/sites/hall/windows"


@pytest.fixture
def scene(database_url):
    clock = {"now": NINE}
    app = make_app(database_url, CLOCK=lambda: clock["now"])
    hall(app).handle(RecordScreenState("hall", "lobby", "lobby", "ok", True))  # the lobby TV is on
    yield app, clock
    stop(app)


def alerts_of(sio) -> list[dict]:
    return [packet["args"][0] for packet in sio.get_received() if packet["name"] == "alert"]


def test_a_wait_past_its_target_opens_one_alert_that_is_acknowledged_and_clears(scene):
    app, clock = scene
    client = app.test_client()
    clerk, manager = create_staff(app, "clerk1"), create_staff(app, "boss", role="manager")
    staff = staff_subscriber(app)
    assert client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).status_code == 201
    assert hall(app).handle(EvaluateAlerts("hall")) == []
    clock["now"] = NINE + dt.timedelta(minutes=31)
    [opened] = hall(app).handle(EvaluateAlerts("hall"))
    hall(app).handle(EvaluateAlerts("hall"))
    [event] = alerts_of(staff)
    assert (event["kind"], event["subject"], event["status"], event["id"]) == ("wait_over_target", "biz", "open",
                                                                               opened["id"])
    board = client.get("/api/v1/sites/hall/monitor", headers=manager).get_json()
    assert [alert["id"] for alert in board["alerts"]] == [opened["id"]]

    acked = client.post(f"/api/v1/sites/hall/alerts/{opened['id']}/ack", headers=manager)
    assert acked.status_code == 200 and acked.get_json()["acked_by"] == "boss"
    again = client.post(f"/api/v1/sites/hall/alerts/{opened['id']}/ack", headers=manager)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_acknowledged"
    assert client.post(f"/api/v1/sites/hall/alerts/{opened['id']}/ack", headers=clerk).status_code == 403
    assert client.post("/api/v1/sites/hall/alerts/999/ack", headers=manager).status_code == 404

    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    assert hall(app).handle(EvaluateAlerts("hall")) == []
    assert [(e["status"], e["acked_by"]) for e in alerts_of(staff)] == [("open", "boss"), ("cleared", "boss")]
    log = client.get("/api/v1/sites/hall/alerts?status=all", headers=manager).get_json()
    assert [(a["kind"], a["acked_by"], a["cleared_at"] is not None) for a in log] == [
        ("wait_over_target", "boss", True)]
    assert client.get("/api/v1/sites/hall/alerts?status=open", headers=manager).get_json() == []
    assert client.get("/api/v1/sites/hall/alerts?status=later", headers=manager).status_code == 400


def test_two_processes_evaluating_the_same_cause_open_one_alert(scene, database_url):
    app, clock = scene
    other = make_app(database_url, CLOCK=lambda: clock["now"])
    try:
        app.test_client().post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
        clock["now"] = NINE + dt.timedelta(minutes=45)
        first = hall(app).handle(EvaluateAlerts("hall"))
        second = hall(other).handle(EvaluateAlerts("hall"))
        assert [a["id"] for a in first] == [a["id"] for a in second] and len(first) == 1
    finally:
        stop(other)
