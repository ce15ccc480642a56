"""Issuing and reading tickets through the HTTP contract v1."""

from __future__ import annotations

import datetime as dt

from tests.conftest import make_app


def issue(client, service="company-setup", **extra):
    return client.post("/api/v1/sites/hall/tickets", json={"service": service, **extra})


def test_sites_lists_the_hall(client):
    assert client.get("/api/v1/sites").get_json()[0] == {
        "id": "hall", "name": "测试县政务服务中心", "name_en": "", "level": "county"}


def test_layout_names_windows_queues_services_displays_and_kiosks(client):
    layout = client.get("/api/v1/sites/hall/layout").get_json()
    window = next(w for w in layout["windows"] if w["id"] == "w2")
    assert window == {"id": "w2", "number": "2", "name": "2号窗口 企业登记", "zone": "accept", "kind": "subject",
                      "queues": ["biz", "estate"], "overflow": []}
    assert {q["id"]: q["prefix"] for q in layout["queues"]} == {"biz": "A", "estate": "B", "general": "G",
                                                                 "pickup": "P"}
    services = {s["id"]: s for s in layout["services"]}
    assert services["teacher-cert"]["queue"] == "general" and services["teacher-cert"]["available"]
    assert services["stat-report"]["available"] is False
    assert layout["displays"][0]["zones"] == ["accept", "pickup"]
    assert layout["kiosks"][0]["id"] == "k1"


def test_issued_ticket_has_number_windows_and_an_unguessable_id(client):
    response = issue(client)
    assert response.status_code == 201
    ticket = response.get_json()
    assert ticket["number"] == "A001"
    assert ticket["queue"] == "biz" and ticket["service"] == "company-setup"
    assert ticket["windows"] == ["w1", "w2", "w5"], "own windows, then the general w5 that helps by overflow"
    assert ticket["ahead"] == 0
    assert ticket["eta_minutes"] is None and ticket["eta_note"] == "暂无窗口开放 / no window open"
    assert ticket["status_url"] == f"http://localhost/t/{ticket['id']}"  # absolute, for the QR code
    assert len(ticket["id"]) >= 22  # 16 random bytes, url-safe
    assert issue(client).get_json()["number"] == "A002"


def test_people_ahead_and_estimated_wait_grow_with_the_queue(client, clerk):
    assert client.post("/api/v1/sites/hall/windows/w1/open", headers=clerk).status_code == 200
    for _ in range(3):
        issue(client)
    fourth = issue(client).get_json()
    assert fourth["ahead"] == 3
    assert fourth["eta_minutes"] == 53 and fourth["eta_note"] is None, "3 × 17.5, the queue's items' average"


def test_delegated_item_goes_to_the_general_queue_while_the_delegation_is_in_force(client):
    ticket = issue(client, "teacher-cert").get_json()
    assert ticket["number"] == "G001" and ticket["windows"] == ["w5"]


def test_item_whose_delegation_expired_is_refused_with_409(client):
    response = issue(client, "stat-report")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "service_unavailable"


def test_daily_cap_reached_is_409_and_numbers_are_not_consumed(client):
    for _ in range(3):
        assert issue(client, "estate-first").status_code == 201
    response = issue(client, "estate-first")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "daily_cap_reached" and error["message"].startswith("今日号已取完")


def test_ticket_status_is_readable_by_its_id(client):
    ticket = issue(client).get_json()
    status = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()
    assert status["status"] == "waiting" and status["number"] == "A001" and status["window"] is None
    assert status["called_at"] is None and status["ahead"] == 0


def test_unknown_ids_are_404_with_the_json_error_shape(client):
    assert client.get("/api/v1/sites/nowhere/layout").status_code == 404
    response = issue(client, "no-such-item")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_service"
    assert client.post("/api/v1/sites/nowhere/tickets", json={"service": "x"}).status_code == 404
    assert client.get("/api/v1/tickets/not-a-ticket").get_json()["error"]["code"] == "unknown_ticket"
    assert issue(client, priority="vip").get_json()["error"]["code"] == "unknown_priority"
    assert issue(client, kiosk="k99").status_code == 404


def test_malformed_or_incomplete_bodies_are_400(client):
    bad = client.post("/api/v1/sites/hall/tickets", data="{nope", content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "malformed_json"
    missing = client.post("/api/v1/sites/hall/tickets", json={"priority": None})
    assert missing.status_code == 400 and missing.get_json()["error"]["code"] == "missing_field"
    wrong = client.post("/api/v1/sites/hall/tickets", json={"service": 12})
    assert wrong.status_code == 400 and wrong.get_json()["error"]["code"] == "invalid_field"
    listed = client.post("/api/v1/sites/hall/tickets", json=["company-setup"])
    assert listed.status_code == 400


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and "error" in response.get_json()


def test_tickets_outside_opening_hours_are_refused(database_url):
    sunday_noon = dt.datetime(2026, 11, 29, 4, 0)  # 12:00 in Asia/Shanghai, a Sunday
    app = make_app(database_url, IGNORE_HOURS=False, CLOCK=lambda: sunday_noon)
    response = app.test_client().post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "hall_closed"


def test_numbering_restarts_on_the_next_local_day_and_history_stays(database_url):
    moments = iter([dt.datetime(2026, 11, 26, 8, 0), dt.datetime(2026, 11, 26, 16, 30)])  # 16:30Z = 00:30 local
    now = {"value": next(moments)}
    app = make_app(database_url, CLOCK=lambda: now["value"])
    client = app.test_client()
    first = issue(client).get_json()
    now["value"] = next(moments)
    second = issue(client).get_json()
    assert first["number"] == "A001" and second["number"] == "A001"
    assert client.get(f"/api/v1/tickets/{first['id']}").status_code == 200


def test_issue_rate_limit_answers_429_json(database_url):
    app = make_app(database_url, ISSUE_RATE_LIMIT="2/minute")
    client = app.test_client()
    assert [issue(client).status_code for _ in range(3)] == [201, 201, 429]
    assert issue(client).get_json()["error"]["code"] == "rate_limited"


def test_queues_report_waiting_counts(client):
    issue(client)
    issue(client, "teacher-cert")
    queues = {q["id"]: q for q in client.get("/api/v1/sites/hall/queues").get_json()}
    assert queues["biz"]["waiting"] == 1 and queues["general"]["waiting"] == 1 and queues["pickup"]["waiting"] == 0


def test_kiosk_addresses_listed_as_exempt_are_not_rate_limited(database_url):
    import ipaddress

    app = make_app(database_url, ISSUE_RATE_LIMIT="1/minute",
                   RATE_LIMIT_EXEMPT=(ipaddress.ip_network("10.20.0.0/24"),))
    kiosk = app.test_client()
    kiosk_env = {"REMOTE_ADDR": "10.20.0.7"}
    statuses = [kiosk.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"},
                           environ_base=kiosk_env).status_code for _ in range(3)]
    assert statuses == [201, 201, 201]
    phone = {"REMOTE_ADDR": "192.0.2.9"}
    assert [kiosk.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"},
                       environ_base=phone).status_code for _ in range(2)] == [201, 429]


def test_an_unknown_page_path_gets_a_chinese_404_page(client):
    response = client.get("/display/hall/lobby/extra/parts")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "页面不存在" in response.get_data(as_text=True)
