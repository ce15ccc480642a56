"""Tickets issued at a kiosk whose network printer the server drives (a FakePrinter): the bytes arrive, the
job's outcome is stored and announced, a failing printer never costs the citizen the ticket, staff reprint."""

from __future__ import annotations

import pytest

import kiosk.jobs
from kiosk.jobs import EXPIRED, QUEUE_FULL
from layout.model import PrinterConfig
from server.app import stop
from tests.conftest import create_staff, make_app, staff_subscriber
from tests.fakes.fake_printer import FakePrinter
from tests.support.live_server import wait_until
from tests.support.small_hall import small_hall

CUT = b"\x1dV\x00"
NATIVE_QR = b"\x1d(k"


@pytest.fixture
def fake_printer():
    with FakePrinter() as printer:
        yield printer


def printer_app(database_url, port: int, **config):
    printer = PrinterConfig(type="network", host="127.0.0.1", port=port, timeout_s=1.0)
    settings = {"PRINTER_POLL_SECONDS": 3600, "PRINT_ACK_SECONDS": 10, **config}
    return make_app(database_url, small_hall(printer=printer), **settings)


@pytest.fixture
def app(database_url, fake_printer):
    app = printer_app(database_url, fake_printer.port, PUBLIC_URL="https://hall.example.cn")
    wait_until(lambda: printer_state(app.test_client()) == "online", 5, message="the first status poll")
    yield app
    stop(app)


def issue(client, service="company-setup", **extra) -> dict:
    response = client.post("/api/v1/sites/hall/tickets", json={"service": service, "kiosk": "k1", **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def job_status(client, job: int) -> dict:
    response = client.get(f"/api/v1/print-jobs/{job}")
    assert response.status_code == 200
    return response.get_json()


def wait_for_job(client, job: int, status: str) -> dict:
    return wait_until(lambda: (found := job_status(client, job))["status"] == status and found, 10,
                      message=f"print job {job} to be {status}")


def printer_state(client) -> str:
    return client.get("/api/v1/sites/hall/printers").get_json()[0]["state"]


def events(sio, name: str) -> list[dict]:
    return [packet["args"][0] for packet in sio.get_received() if packet["name"] == name]


def subscriber(app):
    sio = staff_subscriber(app)
    sio.get_received()
    return sio


def test_a_kiosk_ticket_is_printed_on_the_network_printer_and_the_job_marked_printed(app, client, fake_printer):
    sio = subscriber(app)
    ticket = issue(client)
    assert isinstance(ticket["print_job"], int)
    data = fake_printer.wait_for(CUT, timeout=10)
    assert "A001".encode("gb18030") in data
    assert "企业设立登记".encode("gb18030") in data
    assert "请到 综合受理区 1、2号窗口".encode("gb18030") in data, "the zone where the layout names no floor"
    assert "人多时 综合受理区 5号窗口 也会叫号".encode("gb18030") in data
    assert "综合受理区".encode("gb18030") in data
    assert NATIVE_QR in data and f"https://hall.example.cn/t/{ticket['id']}".encode() in data
    assert data.endswith(CUT), "the ticket is cut last"
    job = wait_for_job(client, ticket["print_job"], "printed")
    assert job == {"id": ticket["print_job"], "status": "printed", "reason": None}

    def printed_event():
        return [event for event in events(sio, "print_job") if event["status"] == "printed"]

    event = wait_until(printed_event, 5, message="the print_job event")[0]
    assert event["job"] == ticket["print_job"] and event["ticket_id"] == ticket["id"]
    assert event["ticket"] == "A001" and event["kiosk"] == "k1" and event["site"] == "hall"
    assert isinstance(event["seq"], int)


def test_the_ticket_is_rendered_through_the_cpu_offload_before_it_is_sent(app, client, fake_printer, monkeypatch):
    rendered = []

    def offload(function, *args):
        rendered.append(function.__name__)
        return function(*args)

    monkeypatch.setattr(kiosk.jobs, "run_cpu_bound", offload)
    ticket = issue(client)
    wait_for_job(client, ticket["print_job"], "printed")
    assert rendered == ["ticket_bytes"], "under gevent the rendering runs in the hub's threadpool"
    assert ticket["number"].encode("gb18030") in fake_printer.wait_for(CUT, timeout=10)


def test_the_public_job_status_shows_no_ticket_id(app, client):
    ticket = issue(client)
    wait_for_job(client, ticket["print_job"], "printed")
    assert set(job_status(client, ticket["print_job"])) == {"id", "status", "reason"}


def test_an_empty_roll_fails_the_job_keeps_the_ticket_and_alerts_staff(app, client, fake_printer):
    sio = subscriber(app)
    fake_printer.mode = "paper_out"
    ticket = issue(client)
    job = wait_for_job(client, ticket["print_job"], "failed")
    assert "缺纸" in job["reason"]
    assert CUT not in fake_printer.received(), "nothing is sent to a printer without paper"
    kept = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()
    assert kept["status"] == "waiting" and kept["number"] == "A001"
    assert printer_state(client) == "paper_out"
    received = sio.get_received()
    printer_events = [p["args"][0] for p in received if p["name"] == "printer"]
    assert printer_events[-1]["state"] == "paper_out" and printer_events[-1]["kiosk"] == "k1"
    assert set(printer_events[-1]) >= {"seq", "site", "kiosk", "state", "detail", "at"}
    failed = [p["args"][0] for p in received if p["name"] == "print_job" and p["args"][0]["status"] == "failed"]
    assert failed[-1]["printer_state"] == "paper_out"


def test_an_unreachable_printer_fails_the_job_quickly_and_the_ticket_stays(app, client, fake_printer):
    fake_printer.mode = "unreachable"
    ticket = issue(client)
    job = wait_for_job(client, ticket["print_job"], "failed")
    assert "无法连接打印机" in job["reason"]
    assert client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["status"] == "waiting"
    assert printer_state(client) == "offline"


def test_staff_reprint_a_failed_job_as_a_new_job(app, client, fake_printer):
    clerk = create_staff(app)
    fake_printer.mode = "paper_out"
    ticket = issue(client)
    wait_for_job(client, ticket["print_job"], "failed")
    fake_printer.mode = "normal"
    response = client.post(f"/api/v1/sites/hall/print-jobs/{ticket['print_job']}/reprint", headers=clerk)
    assert response.status_code == 201
    again = response.get_json()
    assert again["id"] != ticket["print_job"] and again["ticket_id"] == ticket["id"] and again["ticket"] == "A001"
    wait_for_job(client, again["id"], "printed")
    assert "A001".encode("gb18030") in fake_printer.wait_for(CUT, timeout=5)
    assert printer_state(client) == "online", "a printed ticket clears the empty-roll alert"


def test_staff_reprint_a_ticket_by_its_id(app, client, fake_printer):
    clerk = create_staff(app)
    ticket = issue(client)
    wait_for_job(client, ticket["print_job"], "printed")
    response = client.post(f"/api/v1/tickets/{ticket['id']}/reprint", headers=clerk)
    assert response.status_code == 201
    wait_for_job(client, response.get_json()["id"], "printed")
    assert fake_printer.wait_for(lambda data: data.count(CUT) >= 2, timeout=5).count(b"A001") == 2


def test_reprint_needs_a_staff_login_and_a_known_ticket(app, client):
    ticket = issue(client)
    assert client.post(f"/api/v1/tickets/{ticket['id']}/reprint").status_code == 401
    clerk = create_staff(app)
    missing = client.post("/api/v1/tickets/no-such-ticket/reprint", headers=clerk)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_ticket"
    wrong_kiosk = client.post(f"/api/v1/tickets/{ticket['id']}/reprint", json={"kiosk": "k9"}, headers=clerk)
    assert wrong_kiosk.status_code == 404 and wrong_kiosk.get_json()["error"]["code"] == "unknown_kiosk"
    unknown_job = client.post("/api/v1/sites/hall/print-jobs/999/reprint", headers=clerk)
    assert unknown_job.status_code == 404 and unknown_job.get_json()["error"]["code"] == "unknown_print_job"


def test_staff_list_the_failed_jobs_of_a_site(app, client, fake_printer):
    clerk = create_staff(app)
    printed = issue(client)
    wait_for_job(client, printed["print_job"], "printed")
    fake_printer.mode = "paper_out"
    failed = issue(client)
    wait_for_job(client, failed["print_job"], "failed")
    assert client.get("/api/v1/sites/hall/print-jobs?status=failed").status_code == 401
    listed = client.get("/api/v1/sites/hall/print-jobs?status=failed", headers=clerk).get_json()
    assert [job["id"] for job in listed] == [failed["print_job"]]
    assert listed[0]["ticket"] == "A002" and listed[0]["attempts"] == 1 and "缺纸" in listed[0]["reason"]
    everything = client.get("/api/v1/sites/hall/print-jobs", headers=clerk).get_json()
    assert [job["id"] for job in everything] == [failed["print_job"], printed["print_job"]]


def test_the_job_list_refuses_bad_filters_with_clear_errors(app, client):
    clerk = create_staff(app)
    bad_status = client.get("/api/v1/sites/hall/print-jobs?status=lost", headers=clerk)
    assert bad_status.status_code == 400 and bad_status.get_json()["error"]["code"] == "invalid_status"
    bad_limit = client.get("/api/v1/sites/hall/print-jobs?limit=0", headers=clerk)
    assert bad_limit.status_code == 400 and bad_limit.get_json()["error"]["code"] == "invalid_limit"
    unknown_site = client.get("/api/v1/sites/nowhere/print-jobs", headers=clerk)
    assert unknown_site.status_code == 404


def test_an_unknown_print_job_is_a_json_404(app, client):
    for path in ("/api/v1/print-jobs/424242", "/api/v1/print-jobs/not-a-number"):
        response = client.get(path)
        assert response.status_code == 404 and "error" in response.get_json()


def test_the_printers_of_a_site_are_listed_for_anyone(app, client):
    printers = client.get("/api/v1/sites/hall/printers").get_json()
    assert printers == [{"kiosk": "k1", "name": "一楼取号机", "type": "network", "state": "online",
                         "detail": printers[0]["detail"], "checked_at": printers[0]["checked_at"]}]
    assert printers[0]["checked_at"].endswith("Z")
    assert client.get("/api/v1/sites/nowhere/printers").status_code == 404


def test_a_silent_printer_fails_within_its_timeout_and_never_blocks_issuing(app, client, fake_printer):
    fake_printer.mode = "silent"
    first = issue(client)
    second = issue(client)  # the request does not wait for the printer
    assert second["number"] == "A002"
    job = wait_for_job(client, first["print_job"], "failed")
    assert job["reason"]
    wait_for_job(client, second["print_job"], "failed")


def test_a_job_without_an_outcome_in_time_is_marked_failed(database_url):
    # A printer that accepts the connection but takes longer than the acknowledgement window.
    with FakePrinter(mode="silent") as printer:
        app = printer_app(database_url, printer.port, PRINT_ACK_SECONDS=0.2)
        client = app.test_client()
        try:
            tickets = [issue(client) for _ in range(3)]
            for ticket in tickets:
                job = wait_until(lambda t=ticket: job_status(client, t["print_job"])["status"] == "failed"
                                 and job_status(client, t["print_job"]), 15, message="the job to fail")
                assert job["reason"]
            reasons = {job_status(client, t["print_job"])["reason"] for t in tickets}
            assert EXPIRED in reasons, "a job still queued behind a hanging printer expires"
        finally:
            stop(app)


def test_a_full_print_queue_fails_the_extra_job_at_once(database_url, monkeypatch):
    import kiosk.jobs

    monkeypatch.setattr(kiosk.jobs, "QUEUE_SIZE", 1)
    with FakePrinter(mode="silent") as printer:
        app = printer_app(database_url, printer.port)
        client = app.test_client()
        try:
            tickets = [issue(client) for _ in range(4)]
            reasons = [wait_until(lambda t=t: job_status(client, t["print_job"])["status"] == "failed"
                                  and job_status(client, t["print_job"])["reason"], 20, message="failure")
                       for t in tickets]
            assert QUEUE_FULL in reasons
            assert all(client.get(f"/api/v1/tickets/{t['id']}").status_code == 200 for t in tickets)
        finally:
            stop(app)
