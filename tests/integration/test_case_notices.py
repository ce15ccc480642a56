"""When a case's result is ready its holder hears of it: the tracking page's room (Socket.IO, live), and the
applicant's phone through the notifier — the log backend (phone masked) or an SMS gateway's webhook, here a
local HTTP server. Two pickups of one case at once make one ticket; case numbers stay unique under load."""

from __future__ import annotations

import json
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from server.app import stop
from server.case_wiring import NOTIFIER_EXTENSION
from server.extensions import socketio
from server.notifier import LogNotifier, Notice, WebhookNotifier
from tests.conftest import create_staff, make_app
from tests.support.cases import Clock, accept, case_hall, staff

S = "/api/v1/sites/hall"


class Gateway:
    """A local SMS gateway: records each POST body, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.received: queue.Queue = queue.Queue()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.put((self.headers["Content-Type"], json.loads(body)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


def ready_case(app, phone: str | None = "13812345678") -> dict:
    client = app.test_client()
    clerk, office = create_staff(app, "clerk1"), staff(app, "amr1", "backoffice", "amr")
    case = accept(client, clerk, **({"applicant_phone": phone} if phone else {}))["case"]
    client.post(f"{S}/cases/{case['number']}/decide", json={"decision": "approved"}, headers=office)
    return case | {"office": office}


def test_the_webhook_gets_the_ready_notice_and_the_tracking_page_hears_it_live(database_url, gateway):
    app = make_app(database_url, layout=case_hall(), CLOCK=Clock(), NOTIFY_WEBHOOK=gateway.url,
                   PUBLIC_URL="https://hall.example")
    try:
        case = ready_case(app)
        phone_page = socketio.test_client(app)
        phone_page.emit("subscribe_case", {"case": case["id"]})
        snapshot = [p for p in phone_page.get_received() if p["name"] == "case_snapshot"]
        assert snapshot[0]["args"][0]["status"] == "approved"
        lobby = socketio.test_client(app)
        lobby.emit("subscribe", {"site": "hall"})
        lobby.get_received()
        assert app.test_client().post(f"{S}/cases/{case['number']}/ready", headers=case["office"]).status_code == 200
        content_type, body = gateway.received.get(timeout=10)
        assert content_type.startswith("application/json")
        assert body["to"] == "13812345678" and body["case_number"] == case["number"]
        assert body["url"] == f"https://hall.example/c/{case['id']}" and "可领取" not in body["text"]
        assert "已办结" in body["text"] and "9号窗口" in body["text"]
        heard = [p["args"][0] for p in phone_page.get_received() if p["name"] == "case"]
        assert heard == [{"number": case["number"], "status": "ready"}]
        # The public stream never hears of cases.
        assert all(p["name"] != "case" and case["id"] not in json.dumps(p["args"]) for p in lobby.get_received())
    finally:
        stop(app)


def test_no_phone_no_notice_and_a_failing_gateway_never_undoes_the_change(database_url, caplog):
    app = make_app(database_url, layout=case_hall(), CLOCK=Clock(), NOTIFY_WEBHOOK="http://127.0.0.1:9/none",
                   NOTIFY_TIMEOUT=1)
    try:
        reactions = app.extensions[NOTIFIER_EXTENSION]
        silent = ready_case(app, phone=None)
        assert reactions.notify_ready(silent["id"], "/c/x") is False
        client = app.test_client()
        clerk = create_staff(app, "clerk2")
        case = accept(client, clerk, window="w2", applicant_phone="13912345678")["case"]
        client.post(f"{S}/cases/{case['number']}/decide", json={"decision": "approved"}, headers=silent["office"])
        with caplog.at_level(logging.WARNING, logger="server.notifier"):
            assert reactions.notify_ready(case["id"], "/c/x") is False
        assert "139****5678" in caplog.text and "13912345678" not in caplog.text
        ready = client.post(f"{S}/cases/{case['number']}/ready", headers=silent["office"])
        assert ready.status_code == 200 and ready.get_json()["status"] == "ready"
    finally:
        stop(app)


def test_the_log_notifier_masks_the_phone_and_leaves_out_the_tracking_address(caplog):
    with caplog.at_level(logging.INFO, logger="server.notifier"):
        assert LogNotifier().send(Notice("13812345678", "202612010001", "请到综合出件窗口领取", "/c/secret-id"))
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text and "secret-id" not in caplog.text


def test_a_gateway_that_refuses_is_a_failed_notice():
    refusing = Gateway(status=500)
    try:
        assert WebhookNotifier(refusing.url, 2).send(Notice("13812345678", "1", "text", "/c/x")) is False
        assert refusing.received.get(timeout=5)[1]["to"] == "13812345678"
    finally:
        refusing.close()


def test_two_pickups_of_one_case_at_once_make_one_ticket_and_numbers_stay_unique(database_url):
    app = make_app(database_url, layout=case_hall(), CLOCK=Clock())
    try:
        case = ready_case(app)
        app.test_client().post(f"{S}/cases/{case['number']}/ready", headers=case["office"])

        def pick(_):
            return app.test_client().post(f"{S}/pickups", json={"case": case["number"]}).status_code

        with ThreadPoolExecutor(4) as pool:
            statuses = sorted(pool.map(pick, range(4)))
        assert statuses == [201, 409, 409, 409]
        client = app.test_client()
        clerks = {window: create_staff(app, f"clerk-{window}") for window in ("w2", "w3")}
        for service in ("company-setup", "estate-first"):
            client.post(f"{S}/tickets", json={"service": service})
        for window, headers in clerks.items():
            client.post(f"/api/v1/sites/hall/windows/{window}/open", headers=headers)
            assert client.post(f"/api/v1/sites/hall/windows/{window}/call-next", headers=headers).status_code == 200

        def finish(window):
            answer = app.test_client().post(f"/api/v1/sites/hall/windows/{window}/finish",
                                            json={"outcome": "accepted"}, headers=clerks[window])
            return answer.get_json()["case"]["number"]

        with ThreadPoolExecutor(2) as pool:
            numbers = [case["number"], *pool.map(finish, clerks)]
        assert sorted(numbers) == ["202612010001", "202612010002", "202612010003"]
    finally:
        stop(app)
