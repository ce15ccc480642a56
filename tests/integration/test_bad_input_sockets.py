"""Bad input over Socket.IO gets its ``*_error`` answer and the connection stays usable: lone surrogates,
NULs, overlong text and out-of-range numbers in subscribe, screen_status and the print agents' messages."""

from __future__ import annotations

import json

import pytest

from server.app import stop
from server.extensions import socketio
from tests.conftest import make_app

AGENT = "/agent"
BAD_TEXT = ["\ud800", "a\udfffb", "a\x00b", "x" * 300]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for the module (SQLite: every message here is refused before a database is asked)."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('bad-sockets') / 'hall.db'}")
    yield app
    stop(app)


def sendable(packets: list[dict]) -> None:
    """What the real transport would send: JSON with its characters as they are, in UTF-8."""
    for packet in packets:
        json.dumps(packet["args"], ensure_ascii=False).encode("utf-8")


def errors_of(client, name: str, namespace: str | None = None) -> list[dict]:
    packets = client.get_received(namespace)
    sendable(packets)
    return [packet["args"][0]["error"] for packet in packets if packet["name"] == name]


@pytest.mark.parametrize("field", ["site", "display", "token", "ticket", "kiosk"])
@pytest.mark.parametrize("value", BAD_TEXT, ids=["surrogate", "surrogate-inside", "nul", "overlong"])
def test_a_subscribe_with_bad_text_gets_subscribe_error_and_can_subscribe_again(app, field, value):
    sio = socketio.test_client(app)
    answer = sio.emit("subscribe", {"site": "hall", field: value}, callback=True)
    assert answer["error"]["code"] == "invalid_field"
    assert [error["code"] for error in errors_of(sio, "subscribe_error")] == ["invalid_field"]
    assert sio.is_connected()
    assert sio.emit("subscribe", {"site": "hall"}, callback=True)["ok"] is True
    assert [packet["name"] for packet in sio.get_received()] == ["snapshot"]


@pytest.mark.parametrize("after", [-1, 2**31, 2**63, 10**40, 1.5, True, "3"])
def test_a_subscribe_with_an_after_no_seq_can_have_gets_subscribe_error(app, after):
    sio = socketio.test_client(app)
    sio.emit("subscribe", {"site": "hall", "after": after})
    assert [error["code"] for error in errors_of(sio, "subscribe_error")] == ["invalid_field"]
    assert sio.is_connected()


def test_a_subscribe_for_a_ticket_of_no_site_quotes_the_id_sendably(app):
    sio = socketio.test_client(app)
    sio.emit("subscribe", {"site": "hall", "ticket": "中文-id"})
    assert [error["code"] for error in errors_of(sio, "subscribe_error")] == ["unknown_ticket"]


@pytest.mark.parametrize("field", ["site", "display", "audio", "kind", "token"])
@pytest.mark.parametrize("value", BAD_TEXT[:3], ids=["surrogate", "surrogate-inside", "nul"])
def test_a_screen_status_with_bad_text_gets_screen_status_error(app, field, value):
    screen = socketio.test_client(app)
    message = {"site": "hall", "display": "lobby", "audio": "ok", field: value}
    assert screen.emit("screen_status", message, callback=True)["error"]["code"] == "invalid_field"
    assert [error["code"] for error in errors_of(screen, "screen_status_error")] == ["invalid_field"]
    assert screen.is_connected()


@pytest.mark.parametrize("field", ["site", "kiosk", "token"])
@pytest.mark.parametrize("value", BAD_TEXT[:3], ids=["surrogate", "surrogate-inside", "nul"])
def test_an_agent_hello_with_bad_text_gets_agent_error(app, field, value):
    agent = socketio.test_client(app, namespace=AGENT)
    message = {"site": "hall", "kiosk": "k1", "token": "t", field: value}
    assert agent.emit("agent_hello", message, callback=True, namespace=AGENT)["error"]["code"] == "invalid_field"
    assert [error["code"] for error in errors_of(agent, "agent_error", AGENT)] == ["invalid_field"]
    assert agent.is_connected(AGENT)


@pytest.mark.parametrize(("event", "message"), [
    ("print_ack", {"job": 1, "status": "\ud800"}),
    ("print_ack", {"job": 2**40, "status": "printed"}),
    ("print_ack", {"job": 1, "status": "failed", "reason": "a\x00"}),
    ("agent_printer", {"state": "\udfff"}),
    ("agent_printer", {"state": "ok", "detail": "a\x00"}),
])
def test_an_agent_message_with_bad_values_gets_agent_error(app, event, message):
    agent = socketio.test_client(app, namespace=AGENT)
    assert agent.emit(event, message, callback=True, namespace=AGENT)["error"]["code"] == "invalid_field"
    assert [error["code"] for error in errors_of(agent, "agent_error", AGENT)] == ["invalid_field"]
