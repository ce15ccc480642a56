"""A print agent proves which kiosk it serves with that kiosk's own device token: without it, with a made-up
one or with another kiosk's, its hello is refused and it gets no jobs, acknowledges nothing and reports no
printer. A layout with print-agent kiosks is served only when each has a token; the demo makes its own."""

from __future__ import annotations

import json

import pytest

from kiosk.agent import PrintAgent, parse_arguments
from layout.model import Kiosk, PrinterConfig
from server.app import create_app, stop
from server.extensions import socketio
from tests.conftest import make_app
from tests.support.small_hall import small_hall

NAMESPACE = "/agent"
TOKENS = {"hall/kiosk/k1": "k1-token-0123456789abcdef", "hall/kiosk/k2": "k2-token-0123456789abcdef"}


def agent_hall():
    return small_hall(kiosks=(Kiosk("k1", "一楼取号机", "accept", PrinterConfig(type="agent")),
                              Kiosk("k2", "二楼取号机", "accept", PrinterConfig(type="agent"))))


@pytest.fixture
def app(database_url):
    app = make_app(database_url, agent_hall(), DEVICE_TOKENS=TOKENS)
    yield app
    stop(app)


def issue(client, kiosk: str) -> dict:
    response = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup", "kiosk": kiosk})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def hello(app, kiosk: str, token: str | None):
    agent = socketio.test_client(app, namespace=NAMESPACE)
    message = {"site": "hall", "kiosk": kiosk, **({"token": token} if token is not None else {})}
    return agent, agent.emit("agent_hello", message, namespace=NAMESPACE, callback=True)


def jobs_received(agent) -> list[dict]:
    return [packet["args"][0] for packet in agent.get_received(NAMESPACE) if packet["name"] == "print_job"]


def printer_state(client, kiosk: str) -> str:
    printers = client.get("/api/v1/sites/hall/printers").get_json()
    return next(p for p in printers if p["kiosk"] == kiosk)["state"]


@pytest.mark.parametrize("token, code", [(None, "token_required"),
                                         ("made-up-token-0123456789", "invalid_token")])
def test_a_hello_without_the_kiosks_token_is_refused_and_the_job_stays_untouched(app, client, token, code):
    ticket = issue(client, "k1")

    agent, answer = hello(app, "k1", token)

    assert answer["error"]["code"] == code
    assert jobs_received(agent) == []
    ack = agent.emit("print_ack", {"job": ticket["print_job"], "status": "printed"}, namespace=NAMESPACE,
                     callback=True)
    assert ack["error"]["code"] == "hello_first"
    fake = agent.emit("agent_printer", {"state": "paper_out"}, namespace=NAMESPACE, callback=True)
    assert fake["error"]["code"] == "hello_first"
    assert client.get(f"/api/v1/print-jobs/{ticket['print_job']}").get_json()["status"] == "pending"
    assert printer_state(client, "k1") != "paper_out"


def test_the_token_of_one_kiosk_cannot_say_hello_as_another(app, client):
    ticket = issue(client, "k2")

    impostor, answer = hello(app, "k2", TOKENS["hall/kiosk/k1"])

    assert answer["error"]["code"] == "invalid_token"
    assert jobs_received(impostor) == []
    agent, answer = hello(app, "k2", TOKENS["hall/kiosk/k2"])
    assert answer["ok"] is True and answer["pending"] == 1
    assert [order["job"] for order in jobs_received(agent)] == [ticket["print_job"]]


def test_the_server_refuses_to_start_while_an_agent_kiosk_has_no_token(database_url):
    with pytest.raises(RuntimeError) as refused:
        make_app(database_url, agent_hall(), DEVICE_TOKENS={"hall/kiosk/k1": TOKENS["hall/kiosk/k1"]})

    message = str(refused.value)
    assert "hall/kiosk/k2" in message and "hall/kiosk/k1" not in message
    assert "flask --app server devices tokens" in message and "AGENT_TOKEN" in message


def test_the_tokens_command_gives_every_device_a_token_and_prints_where_it_goes(tmp_path):
    path = tmp_path / "device_tokens.json"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}",
                      "LAYOUT_OBJECT": agent_hall(), "DEVICE_TOKENS_FILE": str(path), "SECRET_KEY": "x" * 40})
    runner = app.test_cli_runner()

    printed = runner.invoke(args=["devices", "tokens", "--url", "https://hall.example.cn"])

    assert printed.exit_code == 0, printed.output
    tokens = json.loads(path.read_text())
    windows = {f"hall/{kind}/{window.id}" for window in agent_hall().sites[0].windows for kind in ("window", "pad")}
    assert set(tokens) == {"hall/kiosk/k1", "hall/kiosk/k2", "hall/display/lobby"} | windows
    assert len(set(tokens.values())) == len(tokens) and all(len(token) >= 32 for token in tokens.values())
    assert path.stat().st_mode & 0o777 == 0o600
    assert f"https://hall.example.cn/kiosk/hall/k2#token={tokens['hall/kiosk/k2']}" in printed.output
    assert f"AGENT_TOKEN={tokens['hall/kiosk/k2']}" in printed.output
    assert f"/display/hall/window/w2#token={tokens['hall/window/w2']}" in printed.output
    assert runner.invoke(args=["devices", "tokens"]).exit_code == 0
    assert json.loads(path.read_text()) == tokens, "a second run keeps the tokens the devices already use"

    rotated = runner.invoke(args=["devices", "rotate", "hall/kiosk/k2"])

    assert rotated.exit_code == 0, rotated.output
    after = json.loads(path.read_text())
    assert after["hall/kiosk/k2"] != tokens["hall/kiosk/k2"]
    assert after["hall/kiosk/k1"] == tokens["hall/kiosk/k1"]
    assert runner.invoke(args=["devices", "rotate", "hall/kiosk/k9"]).exit_code != 0


def test_a_rotated_token_works_at_once_and_the_old_one_stops_without_a_restart(monkeypatch, tmp_path):
    from server import device_tokens

    monkeypatch.setattr(device_tokens, "RECHECK_SECONDS", 0.0)
    path = tmp_path / "device_tokens.json"
    before = device_tokens.issue_missing(agent_hall(), path)
    app = make_app(f"sqlite:///{tmp_path / 'hall.db'}", agent_hall(),
                   DEVICE_TOKENS=device_tokens.read_tokens(path))
    try:
        assert hello(app, "k1", before["hall/kiosk/k1"])[1]["ok"] is True

        after = device_tokens.rotate(path, "hall/kiosk/k1")

        assert hello(app, "k1", before["hall/kiosk/k1"])[1]["error"]["code"] == "invalid_token"
        assert hello(app, "k1", after)[1]["ok"] is True
    finally:
        stop(app)


def test_the_demo_makes_its_own_tokens_prints_them_and_then_starts(monkeypatch, tmp_path, capsys):
    from server import demo

    path = tmp_path / "device_tokens.json"
    monkeypatch.setenv("HALL_DATABASE_URL", f"sqlite:///{tmp_path / 'hall.db'}")
    monkeypatch.setenv("HALL_DEVICE_TOKENS", str(path))
    monkeypatch.delenv("HALL_LAYOUT", raising=False)

    demo.main()

    tokens = json.loads(path.read_text())
    banner = capsys.readouterr().out
    assert f"/kiosk/county/k2#token={tokens['county/kiosk/k2']}" in banner
    assert f"AGENT_TOKEN={tokens['county/kiosk/k2']}" in banner, "the example's k2 prints through an agent"
    assert f"/display/county/lobby#token={tokens['county/display/lobby']}" in banner
    served = make_app(f"sqlite:///{tmp_path / 'hall.db'}", LAYOUT_OBJECT=None, DEVICE_TOKENS=tokens)
    stop(served)


def test_a_shared_hall_agent_token_is_refused_saying_what_replaced_it(monkeypatch, tmp_path):
    from server.config import from_environment

    monkeypatch.setenv("HALL_AGENT_TOKEN", "an-old-shared-token-of-every-agent-0123")
    with pytest.raises(ValueError) as refused:
        from_environment(tmp_path)
    assert "HALL_AGENT_TOKEN" in str(refused.value) and "devices tokens" in str(refused.value)
    assert "an-old-shared-token" not in str(refused.value)


def test_the_agent_program_needs_its_kiosks_token(monkeypatch, capsys):
    monkeypatch.delenv("AGENT_TOKEN", raising=False)
    with pytest.raises(SystemExit):
        parse_arguments(["--server", "http://hall", "--site", "county", "--kiosk", "k2",
                         "--printer-type", "dummy"])
    assert "AGENT_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("AGENT_TOKEN", "k2-token-0123456789abcdef")
    arguments = parse_arguments(["--server", "http://hall", "--site", "county", "--kiosk", "k2",
                                 "--printer-type", "dummy"])
    assert arguments.token == "k2-token-0123456789abcdef"


class RefusingServer:
    """Stands in for the Socket.IO client: answers every hello with the given refusal."""

    def __init__(self, code: str) -> None:
        self.code, self.handlers, self.hellos, self.disconnected = code, {}, [], False

    def on(self, event, handler, namespace=None) -> None:
        self.handlers[event] = handler

    def emit(self, event, data=None, namespace=None, callback=None) -> None:
        if event == "agent_hello":
            self.hellos.append(data)
            callback({"error": {"code": self.code, "message": "refused"}})

    def connect(self, *args, **kwargs) -> None:
        self.handlers["connect"]()

    def disconnect(self) -> None:
        self.disconnected = True


def test_an_agent_whose_token_is_refused_stops_and_says_why(caplog):
    server = RefusingServer("invalid_token")
    agent = PrintAgent("http://hall", "hall", "k1", PrinterConfig(type="dummy"), status_interval_s=60,
                       client=server, token="k1-token-0123456789abcdef")

    agent.start()

    assert server.hellos == [{"site": "hall", "kiosk": "k1", "token": "k1-token-0123456789abcdef"}]
    assert agent._stopped.wait(5) and agent.refused == "invalid_token"
    assert "AGENT_TOKEN" in caplog.text
