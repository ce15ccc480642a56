"""Cases (办件) through the HTTP contract, on SQLite and PostgreSQL: accepted at a window (same transaction as
the finish), decided and handed out by the back office, followed by its holder, collected through a pickup
ticket at the 综合出件 window; overdue cases alert; and every bad input refused with its code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select

from server.app import stop
from server.case_store import SqlCaseStore
from server.domain.alerts import EvaluateAlerts
from server.domain.cases import STATUSES
from server.models import Case, CaseEvent, SiteEvent, Ticket
from server.wiring import hall
from tests.conftest import create_staff, make_app
from tests.support.cases import Clock, W, accept, case_hall, staff

S = "/api/v1/sites/hall"


@pytest.fixture
def scene(database_url):
    clock = Clock()
    app = make_app(database_url, layout=case_hall(), CLOCK=clock)
    yield app, clock
    stop(app)


@pytest.fixture
def people(scene):
    app, _ = scene
    return {"clerk": create_staff(app, "clerk1"), "amr": staff(app, "amr1", "backoffice", "amr"),
            "nr": staff(app, "nr1", "backoffice", "nr"), "manager": staff(app, "boss", "manager")}


def test_an_accepted_finish_opens_a_case_with_its_deadline_in_working_days(scene, people):
    app, _ = scene
    client = app.test_client()
    answer = accept(client, people["clerk"], applicant_name=" 张三 ", applicant_phone="+86 138-1234-5678")
    case = answer["case"]
    # Tuesday 2026-12-01 + 5 working days, with Friday 12-04 a holiday: Wed, Thu, Mon, Tue, Wed.
    assert case["status"] == "accepted" and case["deadline"] == "2026-12-09"
    assert case["number"] == "202612010001" and len(case["id"]) >= 22
    assert answer["status"] == "done" and answer["outcome"] == "accepted"
    second = accept(client, people["clerk"])["case"]
    assert second["number"] == "202612010002" and second["id"] != case["id"]
    with hall(app).db.read() as session:
        stored = session.get(Case, case["id"])
        assert (stored.applicant_name, stored.applicant_phone) == ("张三", "13812345678")
        assert (stored.service, stored.department, stored.window) == ("company-setup", "amr", "w1")
        events = session.scalars(select(SiteEvent.payload).where(SiteEvent.kind == "case")).all()
    # The staff stream hears of it; no event carries the case id, the name or the phone.
    assert len(events) == 2 and all(case["id"] not in e and "张三" not in e and "5678" not in e for e in events)
    view = client.get(f"{S}/cases/{case['number']}", headers=people["amr"]).get_json()
    assert view["applicant_phone"] == "138****5678" and view["days_left"] == 5 and "id" not in view
    assert [step["status"] for step in view["history"]] == ["accepted"] and view["history"][0]["by"] == "clerk1"


def test_the_holder_follows_the_case_and_the_back_office_moves_it_with_history(scene, people):
    app, clock = scene
    client = app.test_client()
    case = accept(client, people["clerk"], applicant_phone="13812345678")["case"]
    tracked = client.get(f"/api/v1/cases/{case['id']}").get_json()
    assert tracked["status"] == "accepted" and tracked["deadline"] == "2026-12-09" and tracked["days_left"] == 5
    assert "applicant_phone" not in tracked and "applicant_name" not in tracked
    assert tracked["where"][0]["windows"] == ["w9"]
    listed = client.get(f"{S}/cases", headers=people["amr"]).get_json()
    assert [row["number"] for row in listed] == [case["number"]]
    assert client.get(f"{S}/cases", headers=people["nr"]).get_json() == []
    clock.now += dt.timedelta(days=1)
    decided = client.post(f"{S}/cases/{case['number']}/decide", json={"decision": "approved", "note": "材料齐全"},
                          headers=people["amr"])
    assert decided.status_code == 200 and decided.get_json()["status"] == "approved"
    ready = client.post(f"{S}/cases/{case['number']}/ready", headers=people["amr"]).get_json()
    assert ready["status"] == "ready"
    tracked = client.get(f"/api/v1/cases/{case['id']}").get_json()
    assert tracked["status"] == "ready" and tracked["status_name"] == "可领取" and tracked["ready"] is True
    assert [step["status"] for step in tracked["history"]] == ["accepted", "approved", "ready"]
    assert all(set(step) == {"status", "status_name", "at"} for step in tracked["history"])
    with hall(app).db.read() as session:
        steps = [(s.status, s.actor, s.at, s.note) for s in session.scalars(select(CaseEvent).order_by(CaseEvent.id))]
    assert [step[:2] for step in steps] == [("accepted", "clerk1"), ("approved", "amr1"), ("ready", "amr1")]
    assert steps[1][2:] == (clock.now, "材料齐全")


def test_pickup_at_the_kiosk_and_delivery_at_the_pickup_window(scene, people):
    app, _ = scene
    client = app.test_client()
    case = accept(client, people["clerk"])["case"]
    client.post(f"{S}/cases/{case['number']}/decide", json={"decision": "approved"}, headers=people["amr"])
    client.post(f"{S}/cases/{case['number']}/ready", headers=people["amr"])
    ticket = client.post(f"{S}/pickups", json={"case": case["number"]})
    assert ticket.status_code == 201, ticket.get_json()
    ticket = ticket.get_json()
    assert ticket["queue"] == "pickup" and ticket["number"] == "P001" and ticket["case"]["number"] == case["number"]
    assert "service_name" not in ticket["case"], "a typed (guessable) number does not say what was applied for"
    twice = client.post(f"{S}/pickups", json={"case": f"https://hall.example/c/{case['id']}"})
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "pickup_issued"
    client.post(f"{W}/w9/open", headers=people["clerk"])
    called = client.post(f"{W}/w9/call-next", headers=people["clerk"]).get_json()
    assert called["id"] == ticket["id"]
    # sent on within the pickup queue (another pickup item, here the same): the successor still holds the case
    moved = client.post(f"{W}/w9/transfer", json={"service": ticket["service"]}, headers=people["clerk"])
    assert moved.status_code == 200, moved.get_json()
    successor = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["transferred_to"]
    ticket = client.get(f"/api/v1/tickets/{successor}").get_json()
    assert client.post(f"{W}/w9/call-next", headers=people["clerk"]).get_json()["id"] == ticket["id"]
    shown = client.get(f"{S}/tickets/{ticket['id']}/case", headers=people["clerk"]).get_json()
    assert shown["number"] == case["number"] and shown["status"] == "ready" and shown["pickup_ticket"] == "P001"
    finished = client.post(f"{W}/w9/finish", json={"outcome": "delivered"}, headers=people["clerk"])
    assert finished.status_code == 200 and finished.get_json()["outcome"] == "delivered"
    assert client.get(f"/api/v1/cases/{case['id']}").get_json()["status"] == "delivered"
    again = client.post(f"{S}/pickups", json={"case": case["number"]})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "case_not_ready"


def test_a_mailed_case_keeps_its_tracking_number(scene, people):
    app, _ = scene
    client = app.test_client()
    case = accept(client, people["clerk"], service="company-change")["case"]
    assert case["deadline"] == "2026-12-07" and case["delivery"] == ["mail"]
    client.post(f"{S}/cases/{case['number']}/decide", json={"decision": "approved"}, headers=people["amr"])
    not_pickup = client.post(f"{S}/cases/{case['number']}/ready", headers=people["amr"])
    assert not_pickup.status_code == 409 and not_pickup.get_json()["error"]["code"] == "delivery_not_offered"
    no_tracking = client.post(f"{S}/cases/{case['number']}/mail", json={}, headers=people["amr"])
    assert no_tracking.status_code == 400 and no_tracking.get_json()["error"]["code"] == "tracking_required"
    mailed = client.post(f"{S}/cases/{case['number']}/mail", json={"tracking": "SF1234567890"},
                         headers=people["manager"])
    assert mailed.status_code == 200 and mailed.get_json()["tracking"] == "SF1234567890"
    assert client.get(f"/api/v1/cases/{case['id']}").get_json()["status"] == "mailed"


def test_bad_input_is_refused_with_its_code(scene, people):
    app, _ = scene
    client = app.test_client()
    case = accept(client, people["clerk"])["case"]
    number = case["number"]

    def code(response, status):
        assert response.status_code == status, response.get_json()
        return response.get_json()["error"]["code"]

    assert code(client.post(f"{S}/pickups", json={"case": "209901019999"}), 404) == "unknown_case"
    assert code(client.get("/api/v1/cases/not-a-case-id-at-all"), 404) == "unknown_case"
    assert code(client.post(f"{S}/pickups", json={"case": number}), 409) == "case_not_ready"
    assert code(client.post(f"{S}/pickups", json={"case": "abc"}), 400) == "invalid_case_number"
    assert code(client.post(f"{S}/cases/{number}/decide", json={"decision": "approved"}, headers=people["nr"]),
                403) == "forbidden_department"
    assert code(client.get(f"{S}/cases?department=amr", headers=people["nr"]), 403) == "forbidden_department"
    assert code(client.post(f"{S}/cases/{number}/decide", json={"decision": "approved"},
                            headers=people["clerk"]), 403) == "forbidden_role"
    assert code(client.post(f"{S}/cases/{number}/decide", json={"decision": "rejected", "note": "  "},
                            headers=people["amr"]), 400) == "reason_required"
    assert code(client.post(f"{S}/cases/{number}/decide", json={"decision": "maybe"}, headers=people["amr"]),
                400) == "invalid_field"
    assert code(client.post(f"{S}/cases/{number}/ready", headers=people["amr"]), 409) == "illegal_transition"
    assert code(client.post(f"{S}/cases/{number}/decide", json={"decision": "rejected", "note": "理" * 501},
                            headers=people["amr"]), 400) == "invalid_field"
    reason = "不符合条件：" + "材料" * 147  # 300 characters: the contract takes up to 500
    rejected = client.post(f"{S}/cases/{number}/decide", json={"decision": "rejected", "note": reason},
                           headers=people["amr"])
    assert rejected.status_code == 200 and rejected.get_json()["note"] == reason
    assert code(client.post(f"{S}/cases/{number}/decide", json={"decision": "approved"}, headers=people["amr"]),
                409) == "case_decided"
    assert code(client.post(f"{S}/cases/209901019999/ready", headers=people["amr"]), 404) == "unknown_case"
    assert code(client.get(f"{S}/cases?status=lost", headers=people["amr"]), 400) == "invalid_query"
    # A phone that is no mainland mobile number: 400, and nothing finished, no case opened.
    client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    client.post(f"{W}/w1/call-next", headers=people["clerk"])
    for phone in ("12345", "010-12345678", "1381234567x"):
        assert code(client.post(f"{W}/w1/finish", json={"outcome": "accepted", "applicant_phone": phone},
                                headers=people["clerk"]), 400) == "invalid_phone"
    assert code(client.post(f"{W}/w1/finish", json={"outcome": "handled", "applicant_phone": "13812345678"},
                            headers=people["clerk"]), 400) == "invalid_field"
    assert code(client.post(f"{W}/w1/finish", json={"outcome": "delivered"}, headers=people["clerk"]),
                400) == "invalid_outcome"
    with hall(app).db.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "called")) == 1


def test_a_case_not_decided_by_its_deadline_raises_case_overdue_on_the_monitor(scene, people):
    app, clock = scene
    client = app.test_client()
    case = accept(client, people["clerk"], service="company-change")["case"]  # due Monday 2026-12-07
    clock.now = dt.datetime(2026, 12, 7, 9, 0)  # the deadline day itself: not yet overdue
    assert [a for a in hall(app).handle(EvaluateAlerts("hall")) if a["kind"] == "case_overdue"] == []
    clock.now = dt.datetime(2026, 12, 8, 1, 0)
    alerts = [a for a in hall(app).handle(EvaluateAlerts("hall")) if a["kind"] == "case_overdue"]
    assert [a["subject"] for a in alerts] == [case["number"]] and "承诺时限" in alerts[0]["message"]
    board = client.get(f"{S}/monitor", headers=people["manager"]).get_json()
    assert [a["subject"] for a in board["alerts"] if a["kind"] == "case_overdue"] == [case["number"]]
    listed = client.get(f"{S}/cases", headers=people["amr"]).get_json()
    assert listed[0]["overdue"] is True and listed[0]["days_left"] == -1
    client.post(f"{S}/cases/{case['number']}/decide", json={"decision": "approved"}, headers=people["amr"])
    assert [a for a in hall(app).handle(EvaluateAlerts("hall")) if a["kind"] == "case_overdue"] == []
    with hall(app).db.read() as session:
        alert_events = [json.loads(p) for p in session.scalars(select(SiteEvent.payload)
                                                                .where(SiteEvent.kind == "alert"))]
    assert [e["status"] for e in alert_events if e["kind"] == "case_overdue"] == ["open", "cleared"]


def test_statistics_by_item_and_department_gain_the_on_time_share(scene, people):
    app, clock = scene
    client = app.test_client()
    on_time = accept(client, people["clerk"])["case"]  # due 2026-12-09
    late = accept(client, people["clerk"], service="company-change")["case"]  # due 2026-12-07
    undecided = accept(client, people["clerk"])["case"]
    client.post(f"{S}/cases/{on_time['number']}/decide", json={"decision": "approved"}, headers=people["amr"])
    clock.now = dt.datetime(2026, 12, 8, 2, 0)
    client.post(f"{S}/cases/{late['number']}/decide", json={"decision": "approved"}, headers=people["amr"])
    assert undecided["deadline"] == "2026-12-09"
    by_service = client.get(f"{S}/stats?from=2026-12-01&to=2026-12-08&by=service", headers=people["manager"])
    rows = {row["key"]: row for row in by_service.get_json()["rows"]}
    assert (rows["company-setup"]["cases"], rows["company-setup"]["cases_due"]) == (2, 1)
    assert rows["company-setup"]["on_time_pct"] == 100.0 and rows["company-change"]["on_time_pct"] == 0.0
    def amr_figures() -> tuple:
        answer = client.get(f"{S}/stats?from=2026-12-01&to=2026-12-10&by=department", headers=people["manager"])
        amr = next(row for row in answer.get_json()["rows"] if row["key"] == "amr")
        return amr["cases"], amr["cases_due"], amr["cases_on_time"], amr["on_time_pct"]

    # Asked on the 8th for a range to the 10th: the undecided case is still within its deadline, not late.
    assert amr_figures() == (3, 2, 1, 50.0)
    # On the 10th it is past its deadline too: 1 of 3 on time.
    clock.now = dt.datetime(2026, 12, 10, 2, 0)
    assert amr_figures() == (3, 3, 1, 33.3)
    by_department = client.get(f"{S}/stats?from=2026-12-01&to=2026-12-10&by=department", headers=people["manager"])
    assert by_department.get_json()["totals"]["cases"] == 3
    exported = client.get(f"{S}/stats.csv?from=2026-12-01&to=2026-12-10&by=department", headers=people["manager"])
    table = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    header, amr_row = table[0], next(row for row in table if row[1] == "amr")
    assert amr_row[header.index("按时办结率(%)")] == "33.3" and amr_row[header.index("受理办件数")] == "3"
    by_window = client.get(f"{S}/stats.csv?from=2026-12-01&to=2026-12-10&by=window", headers=people["manager"])
    assert "按时办结率(%)" not in by_window.data.decode("utf-8-sig").splitlines()[0], "cases count by item and department"


def test_the_list_keeps_the_cases_worked_on_and_the_newest_handed_out_within_its_limit(app):
    day = dt.date(2026, 11, 2)
    with hall(app).db.write() as session:
        for index in range(6):
            status = ("accepted", "mailed", "delivered")[index % 3]
            session.add(Case(id=f"case-{index:02d}", site="hall", number=f"2026110{index}0001", service="company-setup",
                             department="amr", status=status, delivery="pickup,mail",
                             accepted_at=dt.datetime(2026, 11, 2, 2, index), accepted_day=day,
                             deadline=day + dt.timedelta(days=10 - index), updated_at=dt.datetime(2026, 11, 2)))
    with hall(app).db.read() as session:
        listed = [case.id for case in SqlCaseStore(session).listed("hall", STATUSES, None, limit=4)]
    # the two worked on, nearest deadline first; then the newest two of the four handed out
    assert listed == ["case-03", "case-00", "case-05", "case-04"]
