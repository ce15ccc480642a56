"""Rooms by audience: an anonymous subscriber gets only what a lobby shows (no ticket id, no clerk, no
printer or screen details), in a gapless stream of its own; a staff token gets everything; a phone hears
of its own ticket through the room its id opens; a kiosk page hears of its own printer."""

from __future__ import annotations

import json

import pytest

from layout.model import PrinterConfig
from server.app import stop
from server.domain.commands import RecordPrinterState
from server.extensions import socketio
from server.wiring import hall
from tests.conftest import create_staff, make_app
from tests.support.live_server import wait_until
from tests.support.small_hall import small_hall

W = "/api/v1/sites/hall/windows"
PRIVATE_KEYS = {"ticket_id", "clerk", "address", "since"}
LOBBY_TOKEN = "lobby-token-0123456789abcdef"  # the lobby display's own: only it may report its sound


@pytest.fixture
def app(database_url):
    # A file printer: the kiosk prints into a file, so print jobs and their events are real.
    app = make_app(database_url, small_hall(printer=PrinterConfig(type="dummy")), PRINTER_POLL_SECONDS=3600,
                   DEVICE_TOKENS={"hall/display/lobby": LOBBY_TOKEN})
    yield app
    stop(app)


def packets(sio) -> list[tuple[str, dict]]:
    return [(packet["name"], packet["args"][0]) for packet in sio.get_received()]


def subscribe(app, **message):
    sio = socketio.test_client(app)
    sio.emit("subscribe", {"site": "hall", **message})
    return sio


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys(item)}
    return set()


def busy_morning(app, client, clerk) -> list[str]:
    """Tickets, a call, a recall, a transfer, a finish, a printer alarm and a screen report; the ticket ids."""
    ids = [client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup", "kiosk": "k1"})
           .get_json()["id"] for _ in range(3)]
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    client.post(f"{W}/w1/recall", headers=clerk)
    transferred = client.post(f"{W}/w1/transfer", json={"service": "estate-first"}, headers=clerk).get_json()
    ids.append(transferred["transferred_ticket"]["id"])
    client.post(f"{W}/w1/call-next", headers=clerk)
    client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    hall(app).handle(RecordPrinterState("hall", "k1", "paper_out", "缺纸 / out of paper", "2026-01-05T01:00:00Z"))
    screen = socketio.test_client(app)
    report = {"site": "hall", "display": "lobby", "audio": "blocked", "token": LOBBY_TOKEN}
    screen.emit("screen_status", report, callback=True)
    return ids


def test_an_anonymous_subscriber_never_receives_a_ticket_id_a_clerk_or_a_device_detail(app, client):
    clerk = create_staff(app, username="wang.li")
    lobby = subscribe(app, display="lobby")
    ids = busy_morning(app, client, clerk)
    received = packets(lobby)
    assert {name for name, _ in received} == {"snapshot", "called", "waiting", "window"}
    assert [payload["ticket"] for name, payload in received if name == "called"] == ["A001", "A001", "A002"]
    text = json.dumps([payload for _, payload in received], ensure_ascii=False)
    assert not any(ticket_id in text for ticket_id in ids), "a ticket id is its holder's secret"
    assert "wang.li" not in text
    assert not keys([payload for _, payload in received]) & PRIVATE_KEYS
    seqs = [payload["seq"] for name, payload in received if name != "snapshot"]
    assert seqs == list(range(1, len(seqs) + 1)), "the public stream is gapless on its own"


def test_a_staff_subscriber_gets_ids_clerks_print_jobs_printers_and_screens(app, client):
    clerk = create_staff(app)
    me = client.get("/api/v1/auth/me", headers=clerk).get_json()
    staff = subscribe(app, token=clerk["Authorization"].removeprefix("Bearer "))
    ids = busy_morning(app, client, clerk)
    received = packets(staff)
    names = {name for name, _ in received}
    assert names >= {"snapshot", "called", "waiting", "window", "print_job", "printer", "screen"}
    assert received[0][1]["audience"] == "staff"
    calls = [payload for name, payload in received if name == "called"]
    assert calls[0]["ticket_id"] == ids[0]
    windows = [payload for name, payload in received if name == "window"]
    assert windows[0]["clerk"] == me["id"]
    assert {payload["ticket_id"] for name, payload in received if name == "print_job"} >= set(ids[:3])
    seqs = [payload["seq"] for name, payload in received if name != "snapshot"]
    assert seqs == list(range(1, len(seqs) + 1)), "the staff stream is gapless too, and longer"


def test_a_bad_token_is_refused_rather_than_served_the_public_stream(app):
    sio = subscribe(app, token="not-a-token")
    names = [name for name, _ in packets(sio)]
    assert names == ["subscribe_error"]


def test_a_phone_hears_of_its_own_ticket_through_the_room_its_id_opens(app, client):
    clerk = create_staff(app)
    mine = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).get_json()
    other = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).get_json()
    phone = subscribe(app, ticket=mine["id"])
    snapshot = packets(phone)[0][1]
    assert snapshot["ticket"]["status"] == "waiting" and snapshot["ticket"]["number"] == "A001"
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    client.post(f"{W}/w1/finish", json={"outcome": "handled"}, headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    updates = [payload["ticket"] for name, payload in packets(phone) if name == "ticket"]
    assert [(update["status"], update["window_number"]) for update in updates] == [("called", "1"), ("done", "1")]
    assert all(update["id"] == mine["id"] for update in updates), f"nothing of {other['number']} reaches it"
    stranger = subscribe(app, ticket="no-such-ticket")
    assert packets(stranger)[0][1]["error"]["code"] == "unknown_ticket"


def test_a_kiosk_page_hears_of_its_own_printer_without_ticket_ids(app, client):
    page = subscribe(app, kiosk="k1")
    snapshot = packets(page)[0][1]
    assert snapshot["printer"] is not None and "state" in snapshot["printer"]
    issued = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup", "kiosk": "k1"}).get_json()
    hall(app).handle(RecordPrinterState("hall", "k1", "paper_out", "缺纸", "2026-01-05T01:00:00Z"))
    received: list[tuple[str, dict]] = []

    def printed() -> bool:  # the dummy printer prints in the kiosk's worker, after the answer
        received.extend(packets(page))
        return any(name == "print_job" and payload["status"] == "printed" for name, payload in received)

    wait_until(printed, 5, message="the print job's outcome")
    printers = [payload for name, payload in received if name == "printer"]
    assert printers[-1]["state"] == "paper_out" and printers[-1]["kiosk"] == "k1"
    jobs = [payload for name, payload in received if name == "print_job"]
    assert jobs and all(job["job"] == issued["print_job"] for job in jobs)
    assert issued["id"] not in json.dumps(received)


def test_a_window_read_shows_the_ticket_id_and_clerk_to_staff_only(app, client):
    clerk = create_staff(app)
    client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    client.post(f"{W}/w1/open", headers=clerk)
    called = client.post(f"{W}/w1/call-next", headers=clerk).get_json()
    anonymous = client.get(f"{W}/w1").get_json()
    staff = client.get(f"{W}/w1", headers=clerk).get_json()
    assert anonymous["current"]["ticket"] == "A001" and not keys(anonymous) & PRIVATE_KEYS
    assert staff["current"]["ticket_id"] == called["id"] and staff["clerk"] is not None
    assert client.get(f"{W}/w1", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_the_screen_list_shows_where_a_screen_is_to_staff_only(app, client):
    clerk = create_staff(app)
    screen = socketio.test_client(app)
    screen.emit("screen_status", {"site": "hall", "display": "lobby", "audio": "ok", "token": LOBBY_TOKEN},
                callback=True)
    anonymous = client.get("/api/v1/sites/hall/screens").get_json()
    staff = client.get("/api/v1/sites/hall/screens", headers=clerk).get_json()
    assert anonymous and not keys(anonymous) & PRIVATE_KEYS
    assert "address" in staff[0] and "since" in staff[0]
