"""A kiosk whose printer type is ``agent``: its jobs wait for the print agent (Socket.IO namespace /agent),
reach it again after a reconnect, and fail when nobody acknowledges them in time."""

from __future__ import annotations

import base64

import pytest

from kiosk.health import AGENT_GONE
from kiosk.jobs import EXPIRED
from layout.model import Kiosk, PrinterConfig
from server.app import stop
from server.extensions import socketio
from tests.conftest import make_app, staff_subscriber
from tests.support.live_server import wait_until
from tests.support.small_hall import small_hall

NAMESPACE = "/agent"


def agent_hall(**site_changes):
    kiosks = (Kiosk("k1", "一楼取号机", "accept", PrinterConfig(type="agent", paper_mm=58, qr="image")),
              Kiosk("k2", "二楼取号机", "accept", PrinterConfig(type="agent")),
              Kiosk("k3", "无打印机", "accept", None))
    return small_hall(kiosks=kiosks, **site_changes)


# Each agent kiosk's own device token (tests/integration/test_agent_tokens.py: refused without it).
TOKENS = {"hall/kiosk/k1": "k1-token-0123456789abcdef", "hall/kiosk/k2": "k2-token-0123456789abcdef"}


def agent_app(database_url, ack_seconds: float = 30):
    return make_app(database_url, agent_hall(), PRINT_ACK_SECONDS=ack_seconds, PUBLIC_URL="https://hall.example.cn",
                    DEVICE_TOKENS=TOKENS)


@pytest.fixture
def app(database_url):
    app = agent_app(database_url)
    yield app
    stop(app)


def issue(client, kiosk="k1") -> dict:
    response = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup", "kiosk": kiosk})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def connect_agent(app, kiosk="k1"):
    agent = socketio.test_client(app, namespace=NAMESPACE)
    hello = {"site": "hall", "kiosk": kiosk, "token": TOKENS[f"hall/kiosk/{kiosk}"]}
    answer = agent.emit("agent_hello", hello, namespace=NAMESPACE, callback=True)
    return agent, answer


def jobs_received(agent) -> list[dict]:
    return [p["args"][0] for p in agent.get_received(NAMESPACE) if p["name"] == "print_job"]


def job_status(client, job: int) -> dict:
    return client.get(f"/api/v1/print-jobs/{job}").get_json()


def printer_of(client, kiosk: str) -> dict:
    return next(p for p in client.get("/api/v1/sites/hall/printers").get_json() if p["kiosk"] == kiosk)


def test_an_agent_job_stays_pending_until_the_agent_acknowledges_it(app, client):
    ticket = issue(client)
    assert job_status(client, ticket["print_job"])["status"] == "pending"
    agent, answer = connect_agent(app)
    assert answer["ok"] is True and answer["pending"] == 1
    assert answer["printer"] == {"paper_mm": 58, "qr": "image"}
    [order] = jobs_received(agent)
    assert order["job"] == ticket["print_job"] and order["ticket"] == "A001" and order["ticket_id"] == ticket["id"]
    data = base64.b64decode(order["data"])
    assert "A001".encode("gb18030") in data and "企业设立登记".encode("gb18030") in data
    assert b"\x1dv0" in data, "the layout asks for an image QR on this kiosk"
    assert job_status(client, ticket["print_job"])["status"] == "pending"

    ack = agent.emit("print_ack", {"job": order["job"], "status": "printed"}, namespace=NAMESPACE, callback=True)
    assert ack == {"ok": True, "job": order["job"], "status": "printed"}
    assert job_status(client, ticket["print_job"]) == {"id": ticket["print_job"], "status": "printed", "reason": None}


def test_a_connected_agent_receives_new_jobs_of_its_kiosk_only(app, client):
    agent, _ = connect_agent(app)
    other, _ = connect_agent(app, "k2")
    jobs_received(agent), jobs_received(other)
    ticket = issue(client)
    assert [order["job"] for order in jobs_received(agent)] == [ticket["print_job"]]
    assert jobs_received(other) == []


def test_every_job_status_change_is_announced_to_the_site(app, client):
    screen = staff_subscriber(app)
    agent, _ = connect_agent(app)
    ticket = issue(client)
    agent.emit("print_ack", {"job": ticket["print_job"], "status": "failed", "reason": "卡纸 / paper jam",
                             "printer_state": "offline"}, namespace=NAMESPACE, callback=True)
    events = [p["args"][0] for p in screen.get_received() if p["name"] == "print_job"]
    assert [(e["job"], e["status"], e["reason"]) for e in events] == [(ticket["print_job"], "failed", "卡纸 / paper jam")]
    assert printer_of(client, "k1")["state"] == "offline"


def test_a_reconnecting_agent_gets_its_open_jobs_again(app, client):
    agent, _ = connect_agent(app)
    ticket = issue(client)
    assert [order["job"] for order in jobs_received(agent)] == [ticket["print_job"]]
    agent.disconnect(namespace=NAMESPACE)
    again, answer = connect_agent(app)
    assert answer["pending"] == 1
    assert [order["job"] for order in jobs_received(again)] == [ticket["print_job"]]
    again.emit("print_ack", {"job": ticket["print_job"], "status": "printed"}, namespace=NAMESPACE, callback=True)
    third, answer = connect_agent(app)
    assert answer["pending"] == 0 and jobs_received(third) == []


def test_a_job_nobody_acknowledges_in_time_is_marked_failed(database_url):
    app = agent_app(database_url, ack_seconds=0.2)
    client = app.test_client()
    try:
        ticket = issue(client)
        job = wait_until(lambda: (found := job_status(client, ticket["print_job"]))["status"] == "failed" and found,
                         5, message="the job to expire")
        assert job["reason"] == EXPIRED
        assert client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["status"] == "waiting"
        agent, answer = connect_agent(app)
        assert answer["pending"] == 0, "an expired job is not printed late"
        late = agent.emit("print_ack", {"job": ticket["print_job"], "status": "printed"}, namespace=NAMESPACE,
                          callback=True)
        assert late["ok"] and job_status(client, ticket["print_job"])["status"] == "printed", \
            "a late confirmation still says what happened"
    finally:
        stop(app)


def test_agent_reprint_creates_a_new_job_for_the_agent(app, client):
    from tests.conftest import create_staff

    clerk = create_staff(app)
    agent, _ = connect_agent(app)
    ticket = issue(client)
    jobs_received(agent)
    response = client.post(f"/api/v1/tickets/{ticket['id']}/reprint", headers=clerk)
    assert response.status_code == 201
    again = response.get_json()
    assert again["status"] == "pending" and again["id"] != ticket["print_job"]
    assert [order["job"] for order in jobs_received(agent)] == [again["id"]]


def test_reprint_at_a_kiosk_without_a_printer_is_refused(app, client):
    from tests.conftest import create_staff

    clerk = create_staff(app)
    ticket = issue(client, kiosk="k3")
    assert "print_job" not in ticket
    response = client.post(f"/api/v1/tickets/{ticket['id']}/reprint", headers=clerk)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_printer"
    without_kiosk = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).get_json()
    response = client.post(f"/api/v1/tickets/{without_kiosk['id']}/reprint", headers=clerk)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_printer"


@pytest.mark.parametrize("message, code", [
    ("not an object", "invalid_message"),
    ({"site": "hall"}, "missing_field"),
    ({"site": "nowhere", "kiosk": "k1"}, "unknown_site"),
    ({"site": "hall", "kiosk": "k9"}, "unknown_kiosk"),
    ({"site": "hall", "kiosk": "k3"}, "not_an_agent_kiosk"),
])
def test_a_bad_hello_is_refused_with_a_reason(app, message, code):
    agent = socketio.test_client(app, namespace=NAMESPACE)
    answer = agent.emit("agent_hello", message, namespace=NAMESPACE, callback=True)
    assert answer["error"]["code"] == code
    errors = [p["args"][0] for p in agent.get_received(NAMESPACE) if p["name"] == "agent_error"]
    assert errors[0]["error"]["code"] == code


def test_bad_acknowledgements_are_refused(app, client):
    stranger = socketio.test_client(app, namespace=NAMESPACE)
    ticket = issue(client)
    answer = stranger.emit("print_ack", {"job": ticket["print_job"], "status": "printed"}, namespace=NAMESPACE,
                           callback=True)
    assert answer["error"]["code"] == "hello_first"
    other_kiosk, _ = connect_agent(app, "k2")
    answer = other_kiosk.emit("print_ack", {"job": ticket["print_job"], "status": "printed"}, namespace=NAMESPACE,
                              callback=True)
    assert answer["error"]["code"] == "unknown_print_job"
    agent, _ = connect_agent(app)
    for message in ({"job": "1", "status": "printed"}, {"job": ticket["print_job"], "status": "lost"},
                    {"job": ticket["print_job"], "status": "failed", "printer_state": "on fire"}):
        assert agent.emit("print_ack", message, namespace=NAMESPACE, callback=True)["error"]["code"] == "invalid_field"
    assert job_status(client, ticket["print_job"])["status"] == "pending"


def test_the_agent_reports_its_printer_and_its_departure(app, client):
    screen = staff_subscriber(app)
    agent, _ = connect_agent(app)
    answer = agent.emit("agent_printer", {"state": "paper_out", "detail": "打印机缺纸 / printer out of paper"},
                        namespace=NAMESPACE, callback=True)
    assert answer == {"ok": True}
    assert printer_of(client, "k1")["state"] == "paper_out"
    refused = agent.emit("agent_printer", {"state": "melted"}, namespace=NAMESPACE, callback=True)
    assert refused["error"]["code"] == "invalid_field"
    agent.disconnect(namespace=NAMESPACE)
    printer = printer_of(client, "k1")
    assert printer["state"] == "offline" and printer["detail"] == AGENT_GONE
    states = [p["args"][0]["state"] for p in screen.get_received() if p["name"] == "printer"]
    assert states[-2:] == ["paper_out", "offline"]


def test_jobs_left_open_by_a_stopped_server_fail_when_it_starts_again(database_url):
    import datetime as dt

    from kiosk.jobs import INTERRUPTED

    first = agent_app(database_url, ack_seconds=20)
    ticket = issue(first.test_client())
    stop(first)

    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=5)
    second = make_app(database_url, agent_hall(), PRINT_ACK_SECONDS=20, CLOCK=lambda: later,
                      DEVICE_TOKENS=TOKENS)
    try:
        job = job_status(second.test_client(), ticket["print_job"])
        assert job == {"id": ticket["print_job"], "status": "failed", "reason": INTERRUPTED}
    finally:
        stop(second)
