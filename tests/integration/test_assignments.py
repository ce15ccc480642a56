"""弹性窗口 on a real database: a manager assigns a general window to help a subject queue until a local time;
its calls take that queue first, the queue's tickets list the window, the board shows what it serves, the
staff and public streams hear of it (the public without who and why), and it reverts by itself at its time
and at the day's end — once, whichever process ends it — or when undone. Who may assign, and what is
refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from server.app import stop
from server.assignment_watch import assignments_due, ending_assignments_first
from server.domain.alerts import EvaluateAlerts
from server.domain.assignments import ExpireAssignments
from server.domain.commands import CloseDay
from server.extensions import socketio
from server.models import WindowAssignment
from server.wiring import hall
from tests.conftest import create_staff, make_app, staff_subscriber
from tests.support.helping_hall import helping_hall

NINE = dt.datetime(2026, 1, 5, 1, 0)  # Monday 09:00 in the hall (Asia/Shanghai)
SITE = "/api/v1/sites/hall"
W = f"{SITE}/windows"


@pytest.fixture
def scene(database_url):
    clock = {"now": NINE}
    app = make_app(database_url, helping_hall(), CLOCK=lambda: clock["now"])
    yield app, clock
    stop(app)


def at(clock: dict, minutes: float) -> None:
    clock["now"] = NINE + dt.timedelta(minutes=minutes)


def issue(client, service: str) -> dict:
    response = client.post(f"{SITE}/tickets", json={"service": service})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def events(sio, kind: str) -> list[dict]:
    return [packet["args"][0] for packet in sio.get_received() if packet["name"] == kind]


def rows(app) -> list[WindowAssignment]:
    with hall(app).db.read() as session:
        found = list(session.scalars(select(WindowAssignment).order_by(WindowAssignment.id)))
        session.expunge_all()
        return found


def a_general_ticket_then_a_company_ticket(app, clock) -> tuple[dict, dict, dict]:
    """G001 at 09:00, A001 at 09:01; window 5 opened by its clerk. Left alone, window 5 never calls A001."""
    client = app.test_client()
    clerk = create_staff(app, "clerk5")
    general = issue(client, "teacher-cert")
    at(clock, 1)
    company = issue(client, "company-setup")
    assert client.post(f"{W}/w5/open", headers=clerk).status_code == 200
    return clerk, general, company


def test_an_assigned_window_calls_the_assigned_queue_first_and_its_tickets_list_the_window(scene):
    app, clock = scene
    client = app.test_client()
    clerk, general, company = a_general_ticket_then_a_company_ticket(app, clock)
    manager = create_staff(app, "boss", role="manager")
    staff, public = staff_subscriber(app), socketio.test_client(app)
    public.emit("subscribe", {"site": "hall"})
    staff.get_received(), public.get_received()
    before = client.get(f"/api/v1/tickets/{company['id']}").get_json()
    assert "w5" not in before["windows"] and before["eta_minutes"] is None, "none of its windows is open"

    at(clock, 5)
    reason = "企业登记最久已等候 31 分钟（承诺 30 分钟），5号窗口可协助"
    answer = client.post(f"{W}/w5/assign", json={"queues": ["biz", "general"], "until": "10:00", "reason": reason},
                         headers=manager)
    assert answer.status_code == 200, answer.get_json()
    assignment = answer.get_json()["assignment"]
    assert (assignment["queues"], assignment["helping"], assignment["until"]) == (["biz", "general"], ["biz"], "10:00")
    assert (assignment["by"], assignment["reason"], assignment["ends_at"]) == ("boss", reason, "2026-01-05T02:00:00Z")

    [staff_event] = events(staff, "window")
    assert staff_event["window"] == "w5" and staff_event["assignment"]["reason"] == reason
    assert staff_event["seq"] == answer.get_json()["seq"]
    [public_event] = events(public, "window")
    assert public_event["assignment"]["queues"] == ["biz", "general"] and public_event["assignment"]["until"] == "10:00"
    assert not {"reason", "by", "id", "at"} & set(public_event["assignment"]), public_event
    assert "clerk" not in public_event

    viewed = client.get(f"/api/v1/tickets/{company['id']}").get_json()
    assert viewed["windows"] == ["w1", "w2", "w5"] and viewed["assigned_windows"] == ["w5"]
    assert viewed["eta_minutes"] == 0 and viewed["eta_note"] is None, "window 5 serves it now"
    biz = next(q for q in client.get(f"{SITE}/queues").get_json() if q["id"] == "biz")
    assert biz["windows_open"] == 1
    later = issue(client, "company-change")
    assert "w5" in later["windows"], "a ticket of the queue issued meanwhile lists the window"
    assert "assigned_windows" not in client.get(f"/api/v1/tickets/{general['id']}").get_json()

    board = client.get(f"{SITE}/monitor", headers=manager).get_json()
    w5 = next(w for w in board["windows"] if w["id"] == "w5")
    assert w5["queues"] == ["biz", "general"] and w5["own_queues"] == ["general"]
    assert w5["assignment"]["until"] == "10:00"
    assert next(q for q in board["queues"] if q["id"] == "biz")["open_windows"] == 1, "w5 serves it now"

    called = client.post(f"{W}/w5/call-next", headers=clerk)
    assert called.status_code == 200 and called.get_json()["id"] == company["id"], "the assigned queue first"

    [row] = rows(app)
    assert (json.loads(row.queues), row.reason, row.assigned_by, row.ended_at) == (["biz", "general"], reason,
                                                                                  "boss", None)
    assert row.until_at == dt.datetime(2026, 1, 5, 2, 0) and row.assigned_at == NINE + dt.timedelta(minutes=5)


def test_a_window_assigned_to_another_queue_no_longer_counts_for_its_own(scene):
    app, clock = scene
    client = app.test_client()
    _, general, _ = a_general_ticket_then_a_company_ticket(app, clock)
    manager = create_staff(app, "boss", role="manager")

    def figures() -> tuple:
        queue = next(q for q in client.get(f"{SITE}/queues").get_json() if q["id"] == "general")
        return queue["windows_open"], client.get(f"/api/v1/tickets/{general['id']}").get_json()["eta_minutes"]

    assert figures() == (1, 0)  # window 5, its own, is open
    answer = client.post(f"{W}/w5/assign", json={"queues": ["biz"], "until": None}, headers=manager)
    assert answer.status_code == 200, answer.get_json()
    assert figures() == (0, None), "window 5 calls only 企业登记 now: no window serves the general queue"
    board = client.get(f"{SITE}/monitor", headers=manager).get_json()
    assert next(q for q in board["queues"] if q["id"] == "general")["open_windows"] == 0


def test_the_assignment_reverts_by_itself_at_its_time_once_whichever_process_ends_it(scene, database_url):
    app, clock = scene
    client = app.test_client()
    clerk, general, company = a_general_ticket_then_a_company_ticket(app, clock)
    manager = create_staff(app, "boss", role="manager")
    at(clock, 5)
    assert client.post(f"{W}/w5/assign", json={"queues": ["biz"], "until": "09:30"},
                       headers=manager).status_code == 200
    at(clock, 29)
    assert not assignments_due(hall(app).db, hall(app).context, "hall")
    other = make_app(database_url, helping_hall(), CLOCK=lambda: clock["now"])  # a second process of the hall
    at(clock, 30)  # 09:30: over, whether or not a timer has run yet
    assert assignments_due(hall(app).db, hall(app).context, "hall")
    assert client.get(f"{W}/w5", headers=manager).get_json()["assignment"] is None
    called = client.post(f"{W}/w5/call-next", headers=clerk).get_json()
    assert called["id"] == general["id"], "back to its own queue"
    assert "assigned_windows" not in client.get(f"/api/v1/tickets/{company['id']}").get_json()

    staff = staff_subscriber(app)
    staff.get_received()
    try:
        first = hall(app).handle(ExpireAssignments("hall"))
        second = hall(other).handle(ExpireAssignments("hall"))
    finally:
        stop(other)
    assert (first, second) == (["w5"], []), "ended once"
    [event] = events(staff, "window")
    assert event["window"] == "w5" and event["assignment"] is None
    [row] = rows(app)
    assert (row.end_reason, row.ended_at) == ("expired", NINE + dt.timedelta(minutes=30))
    assert not assignments_due(hall(app).db, hall(app).context, "hall")


def test_the_alert_rounds_end_what_is_due_first_and_write_nothing_otherwise(scene):
    app, clock = scene
    a_general_ticket_then_a_company_ticket(app, clock)
    manager = create_staff(app, "boss", role="manager")
    handled = []

    def handle(command):
        handled.append(type(command).__name__)
        return hall(app).handle(command)

    rounds = ending_assignments_first(handle, lambda site: assignments_due(hall(app).db, hall(app).context, site))
    app.test_client().post(f"{W}/w5/assign", json={"queues": ["biz"], "until": "09:30"}, headers=manager)
    rounds(EvaluateAlerts("hall"))
    assert handled == ["EvaluateAlerts"]
    at(clock, 31)
    rounds(EvaluateAlerts("hall"))
    assert handled == ["EvaluateAlerts", "ExpireAssignments", "EvaluateAlerts"]
    assert rows(app)[0].end_reason == "expired"


def test_undo_and_the_day_end_revert_it_and_every_change_is_kept(scene):
    app, clock = scene
    client = app.test_client()
    clerk, general, _ = a_general_ticket_then_a_company_ticket(app, clock)
    manager = create_staff(app, "boss", role="manager")
    assign = {"queues": ["biz"], "until": None}
    assert client.post(f"{W}/w5/assign", json=assign, headers=manager).get_json()["assignment"]["until"] is None
    again = client.post(f"{W}/w5/assign", json={"queues": ["general", "biz"]}, headers=manager)
    assert again.get_json()["assignment"]["queues"] == ["general", "biz"]
    undone = client.post(f"{W}/w5/assign", json={"queues": None}, headers=manager)
    assert undone.status_code == 200 and undone.get_json()["assignment"] is None
    assert [(r.end_reason, r.ended_by) for r in rows(app)] == [("replaced", "boss"), ("undone", "boss")]

    at(clock, 10)
    assert client.post(f"{W}/w5/assign", json=assign, headers=manager).get_json()["assignment"]["ends_at"] \
        == "2026-01-05T16:00:00Z", "until the local midnight"
    clock["now"] = dt.datetime(2026, 1, 5, 16, 0, 1)  # Tuesday 00:00:01 in the hall
    assert hall(app).handle(ExpireAssignments("branch")) == []
    result = hall(app).handle(CloseDay("hall"))
    assert "w5" in result["windows_closed"]
    assert rows(app)[-1].end_reason == "day_end"
    assert client.get(f"{W}/w5", headers=manager).get_json()["assignment"] is None


def test_what_may_not_be_assigned_is_refused_and_changes_nothing(scene):
    app, clock = scene
    client = app.test_client()
    clerk, _, _ = a_general_ticket_then_a_company_ticket(app, clock)
    manager = create_staff(app, "boss", role="manager")

    def refused(window: str, body, status: int, code: str) -> None:
        response = client.post(f"{W}/{window}/assign", json=body, headers=manager)
        assert response.status_code == status and response.get_json()["error"]["code"] == code, (body, response.json)

    refused("w5", {"queues": ["estate"]}, 409, "queue_not_allowed")  # neither its own nor in may_serve
    refused("w5", {"queues": ["general", "pickup"]}, 409, "queue_not_allowed")
    refused("w1", {"queues": ["biz"], "until": "10:00"}, 409, "window_closed")
    for until in ("9:30", "10:00:00", "24:00", "10:60", "ten", "08:59", "09:01"):  # now is 09:01
        refused("w5", {"queues": ["biz"], "until": until}, 400, "invalid_until")
    refused("w5", {"queues": ["biz"], "until": 930}, 400, "invalid_field")
    refused("w5", {"queues": []}, 400, "invalid_field")
    refused("w5", {"queues": ["biz", "biz"]}, 400, "invalid_field")
    refused("w5", {"queues": "biz"}, 400, "invalid_field")
    refused("w5", {"queues": [1]}, 400, "invalid_field")
    refused("w5", {"until": "10:00"}, 400, "missing_field")
    refused("w99", {"queues": ["biz"]}, 404, "unknown_window")
    assert rows(app) == []

    assert client.post(f"{W}/w5/assign", json={"queues": ["biz"]}).status_code == 401
    response = client.post(f"{W}/w5/assign", json={"queues": ["biz"]}, headers=clerk)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden_role"
    assert client.post(f"{W}/w5/assign", json={"queues": ["biz"]}, headers=create_staff(app, "root", role="admin")
                       ).status_code == 200, "an admin may"


def test_a_manager_of_another_site_gets_403_on_monitor_stats_alerts_and_assign(scene):
    app, _ = scene
    client = app.test_client()
    from server.accounts import add_user

    with hall(app).db.write() as session:
        add_user(session, "branch-boss", "secret-pass-1", "manager", sites=["branch"])
    token = client.post("/api/v1/auth/login", json={"username": "branch-boss", "password": "secret-pass-1"}
                        ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    requests = [("get", f"{SITE}/monitor", None), ("get", f"{SITE}/stats?from=2026-01-05&to=2026-01-05", None),
                ("get", f"{SITE}/alerts", None), ("post", f"{SITE}/alerts/1/ack", None),
                ("post", f"{W}/w5/assign", {"queues": ["biz"]})]
    for method, path, body in requests:
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden_site", path
    assert client.get("/api/v1/sites/branch/monitor", headers=headers).status_code == 200, "its own site"


def test_a_counter_reads_the_open_alerts_of_the_queues_its_window_serves_now(scene):
    app, clock = scene
    client = app.test_client()
    clerk, _, _ = a_general_ticket_then_a_company_ticket(app, clock)
    manager = create_staff(app, "boss", role="manager")
    at(clock, 35)  # G001 and A001 have waited past their queues' 30 minutes
    hall(app).handle(EvaluateAlerts("hall"))

    def alerts_at(window: str) -> list[tuple[str, str]]:
        response = client.get(f"{W}/{window}/alerts", headers=clerk)
        assert response.status_code == 200, response.get_json()
        return [(alert["kind"], alert["subject"]) for alert in response.get_json()]

    assert alerts_at("w1") == [("wait_over_target", "biz")]
    assert alerts_at("w5") == [("wait_over_target", "general")]
    client.post(f"{W}/w5/assign", json={"queues": ["biz", "general"]}, headers=manager)
    assert sorted(alerts_at("w5")) == [("wait_over_target", "biz"), ("wait_over_target", "general")]
    assert client.get(f"{W}/w5/alerts").status_code == 401
    assert client.get(f"{W}/w99/alerts", headers=clerk).status_code == 404
