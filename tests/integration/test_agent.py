"""The kiosk print agent as a real process against the real server (gunicorn + gevent): the ticket's bytes
reach the printer behind the agent and the job is acknowledged as printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.fakes.fake_printer import FakePrinter
from tests.support.live_server import ROOT, LiveServer, wait_until

LAYOUT = Path(__file__).resolve().parents[1] / "support" / "layouts" / "agent_hall.yaml"
SITE = "agent-hall"
CUT = b"\x1dV\x00"

pytestmark = pytest.mark.slow


@pytest.fixture
def fake_printer():
    with FakePrinter() as printer:
        yield printer


@pytest.fixture
def server(tmp_path):
    live = LiveServer(f"sqlite:///{tmp_path / 'hall.db'}", layout=str(LAYOUT), log_path=tmp_path / "server.log",
                      extra_env={"HALL_PRINT_ACK_SECONDS": "30", "HALL_PUBLIC_URL": "https://hall.example.cn"})
    live.start()
    yield live
    live.stop()


def start_agent(server: LiveServer, printer: FakePrinter, log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "kiosk.agent", "--server", server.url, "--site", SITE, "--kiosk", "k1",
             "--printer-type", "network", "--host", "127.0.0.1", "--port", str(printer.port), "--timeout", "2",
             "--status-interval", "30"],
            cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
            env={**os.environ, "AGENT_TOKEN": server.token(SITE, "kiosk", "k1")})  # the kiosk's own


def stop_agent(agent: subprocess.Popen) -> None:
    agent.terminate()
    try:
        agent.wait(timeout=10)
    except subprocess.TimeoutExpired:
        agent.kill()
        agent.wait(timeout=5)


def issue(server: LiveServer) -> dict:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets",
                             json={"service": "pension-enrolment", "kiosk": "k1"}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def job_status(server: LiveServer, job: int) -> str:
    return requests.get(f"{server.url}/api/v1/print-jobs/{job}", timeout=5).json()["status"]


def agent_printer_state(server: LiveServer) -> str:
    printers = requests.get(f"{server.url}/api/v1/sites/{SITE}/printers", timeout=5).json()
    return printers[0]["state"]


def test_the_agent_prints_jobs_issued_before_and_after_it_connects(server, fake_printer, tmp_path):
    waiting_for_agent = issue(server)
    assert job_status(server, waiting_for_agent["print_job"]) == "pending"

    agent = start_agent(server, fake_printer, tmp_path / "agent.log")
    try:
        wait_until(lambda: job_status(server, waiting_for_agent["print_job"]) == "printed", 20, 0.1,
                   "the job issued while no agent was connected to be printed")
        assert waiting_for_agent["number"].encode("gb18030") in fake_printer.received()

        fresh = issue(server)
        data = fake_printer.wait_for(lambda received: received.count(CUT) >= 2, timeout=10)
        wait_until(lambda: job_status(server, fresh["print_job"]) == "printed", 10, 0.1, "the new job printed")
        second_ticket = data[data.index(CUT) + len(CUT):]
        assert fresh["number"].encode("gb18030") in second_ticket
        assert "城乡居民基本养老保险参保登记".encode("gb18030") in second_ticket
        assert f"https://hall.example.cn/t/{fresh['id']}".encode() in second_ticket  # the QR's URL
        assert b"\x1d(k" in second_ticket  # native QR, as the layout's printer config says
        wait_until(lambda: agent_printer_state(server) == "online", 10, 0.1, "the agent to report its printer")
    finally:
        stop_agent(agent)
    wait_until(lambda: agent_printer_state(server) == "offline", 10, 0.1, "the server to notice the agent left")


class RecordingClient:
    """Stands in for the Socket.IO client: keeps the handlers the agent registers and what it emits."""

    def __init__(self) -> None:
        self.handlers: dict[str, object] = {}
        self.sent: list[tuple[str, dict]] = []

    def on(self, event, handler, namespace=None) -> None:
        self.handlers[event] = handler

    def emit(self, event, data=None, namespace=None, callback=None) -> None:
        self.sent.append((event, data))

    def connect(self, *args, **kwargs) -> None:
        self.handlers["connect"]()

    def disconnect(self) -> None:
        pass

    def acks(self) -> list[dict]:
        return [data for event, data in self.sent if event == "print_ack"]


def order(job: int, data: bytes, kiosk: str = "k1") -> dict:
    import base64

    return {"job": job, "site": SITE, "kiosk": kiosk, "ticket": "A001", "ticket_id": "x",
            "data": base64.b64encode(data).decode()}


def test_a_job_sent_again_after_a_lost_acknowledgement_is_not_printed_twice(fake_printer):
    from kiosk.agent import PrintAgent
    from layout.model import PrinterConfig

    client = RecordingClient()
    agent = PrintAgent("http://server", SITE, "k1", PrinterConfig(type="network", host="127.0.0.1",
                                                                   port=fake_printer.port, timeout_s=2),
                       status_interval_s=60, client=client, token="t0ken")
    agent.start()
    try:
        assert client.sent[0] == ("agent_hello", {"site": SITE, "kiosk": "k1", "token": "t0ken"})
        client.handlers["print_job"](order(7, b"TICKET-7" + CUT))
        wait_until(lambda: len(client.acks()) == 1, 10, message="the first acknowledgement")
        client.handlers["print_job"](order(7, b"TICKET-7" + CUT))  # the server did not hear the ack
        wait_until(lambda: len(client.acks()) == 2, 10, message="the job acknowledged again")
        assert client.acks() == [{"job": 7, "status": "printed"}] * 2
        assert fake_printer.received().count(b"TICKET-7") == 1

        client.handlers["print_job"](order(8, b"TICKET-8", kiosk="k2"))  # not ours: ignored
        client.handlers["print_job"]({"job": 9, "site": SITE, "kiosk": "k1", "data": "%%%"})
        wait_until(lambda: len(client.acks()) == 3, 10, message="the bad job refused")
        assert client.acks()[-1]["job"] == 9 and client.acks()[-1]["status"] == "failed"
        assert b"TICKET-8" not in fake_printer.received()
    finally:
        agent.stop()


def test_the_agent_reports_a_printer_without_paper_and_fails_the_job(fake_printer):
    from kiosk.agent import PrintAgent
    from layout.model import PrinterConfig

    fake_printer.mode = "paper_out"
    client = RecordingClient()
    agent = PrintAgent("http://server", SITE, "k1", PrinterConfig(type="network", host="127.0.0.1",
                                                                   port=fake_printer.port, timeout_s=2),
                       status_interval_s=60, client=client)
    agent.start()
    try:
        client.handlers["print_job"](order(3, b"TICKET-3" + CUT))
        wait_until(lambda: client.acks(), 10, message="the acknowledgement")
        [ack] = client.acks()
        assert ack["status"] == "failed" and ack["printer_state"] == "paper_out" and "缺纸" in ack["reason"]
        assert b"TICKET-3" not in fake_printer.received()
        reports = [data for event, data in client.sent if event == "agent_printer"]
        assert reports and reports[-1]["state"] == "paper_out"
    finally:
        agent.stop()


class AnsweringClient(RecordingClient):
    """Answers every print_ack as the server does, except while it is told the connection is down."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def emit(self, event, data=None, namespace=None, callback=None) -> None:
        super().emit(event, data, namespace, callback)
        if event == "agent_hello" and callback is not None:
            callback({"ok": True, "pending": 0})
        elif event == "print_ack" and callback is not None and not self.down:
            callback({"ok": True, "job": data["job"], "status": data["status"]})


def test_an_outcome_the_server_never_confirmed_is_sent_again_after_a_restart(fake_printer, tmp_path):
    from kiosk.agent import PrintAgent
    from layout.model import PrinterConfig

    printer = PrinterConfig(type="network", host="127.0.0.1", port=fake_printer.port, timeout_s=2)
    state = tmp_path / "outcomes.json"
    client = AnsweringClient()
    agent = PrintAgent("http://server", SITE, "k1", printer, status_interval_s=60, client=client, token="t0ken",
                       state_file=state)
    agent.start()
    try:
        client.handlers["print_job"](order(5, b"TICKET-5" + CUT))  # answered and confirmed
        wait_until(lambda: len(client.acks()) == 1, 10, message="the first outcome")
        client.down = True  # the connection drops: the next answer never gets through
        client.handlers["print_job"](order(6, b"TICKET-6" + CUT))
        wait_until(lambda: len(client.acks()) == 2, 10, message="the second outcome, unheard")
    finally:
        agent.stop()

    again = AnsweringClient()  # the agent restarts (a power cut of the kiosk PC)
    restarted = PrintAgent("http://server", SITE, "k1", printer, status_interval_s=60, client=again,
                           token="t0ken", state_file=state)
    restarted.start()
    try:
        wait_until(lambda: again.acks(), 10, message="the unheard outcome sent after the hello")
        assert again.acks() == [{"job": 6, "status": "printed"}]  # not job 5: the server had confirmed it
        again.handlers["print_job"](order(6, b"TICKET-6" + CUT))  # the server had sent it again meanwhile
        wait_until(lambda: len(again.acks()) == 2, 10, message="the job answered, not printed")
        assert fake_printer.received().count(b"TICKET-6") == 1
    finally:
        restarted.stop()
