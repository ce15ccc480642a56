"""Socket.IO: subscribe answers a snapshot, then every event of the site arrives once, in seq order."""

from __future__ import annotations

import pytest

from server.extensions import socketio
from tests.conftest import create_staff

W = "/api/v1/sites/hall/windows"


def received(client, name: str) -> list[dict]:
    return [packet["args"][0] for packet in client.get_received() if packet["name"] == name]


def subscribe(app, **message):
    sio = socketio.test_client(app)
    sio.emit("subscribe", {"site": "hall", **message})
    return sio


def test_subscribe_answers_a_snapshot_first(app, client):
    client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    sio = subscribe(app, display="lobby")
    packets = sio.get_received()
    assert packets[0]["name"] == "snapshot"
    snapshot = packets[0]["args"][0]
    assert snapshot["seq"] == 1 and snapshot["calls"] == [] and snapshot["waiting"] == {"biz": 1}
    assert snapshot["windows"]["w1"]["state"] == "closed"


def test_a_snapshot_names_the_subscribe_it_answers(app):
    sio = subscribe(app, request=7)
    sio.emit("subscribe", {"site": "hall", "request": 8})
    assert [snapshot["request"] for snapshot in received(sio, "snapshot")] == [7, 8]
    assert "request" not in received(subscribe(app), "snapshot")[0]  # a v1 client asks nothing: nothing new
    sio.emit("subscribe", {"site": "hall", "request": "seven"})
    assert received(sio, "subscribe_error")[0]["error"]["code"] == "invalid_field"


def token(headers: dict) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.mark.parametrize("audience", ["public", "staff"])
def test_every_call_reaches_a_subscriber_once_in_seq_order(app, client, audience):
    clerk = create_staff(app)
    for _ in range(3):
        client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    sio = subscribe(app, token=token(clerk)) if audience == "staff" else subscribe(app)
    snapshot_seq = received(sio, "snapshot")[0]["seq"]
    client.post(f"{W}/w1/open", headers=clerk)
    numbers = []
    for _ in range(3):
        numbers.append(client.post(f"{W}/w1/call-next", headers=clerk).get_json()["number"])
        client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    client.post(f"{W}/w1/open", headers=clerk)
    packets = sio.get_received()
    calls = [p["args"][0] for p in packets if p["name"] == "called"]
    assert [c["ticket"] for c in calls] == numbers == ["A001", "A002", "A003"]
    assert calls[0]["window"] == "w1" and calls[0]["window_number"] == "1" and calls[0]["recall"] is False
    lobby_fields = {"seq", "site", "ticket", "window", "window_number", "window_name", "zone", "service", "at",
                    "recall"}
    assert set(calls[0]) >= lobby_fields
    assert ("ticket_id" in calls[0]) == (audience == "staff"), "the ticket id is its holder's and staff's only"
    seqs = [p["args"][0]["seq"] for p in packets]
    assert seqs == list(range(snapshot_seq + 1, snapshot_seq + 1 + len(seqs))), "gapless and ordered"


def test_recall_is_announced_again_marked_as_recall(app, client):
    clerk = create_staff(app)
    client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    sio = subscribe(app)
    sio.get_received()
    client.post(f"{W}/w1/recall", headers=clerk)
    calls = received(sio, "called")
    assert len(calls) == 1 and calls[0]["recall"] is True and calls[0]["ticket"] == "A001"


def test_snapshot_after_a_reconnect_holds_the_calls_made_meanwhile(app, client):
    clerk = create_staff(app)
    client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    client.post(f"{W}/w2/open", headers=clerk)
    client.post(f"{W}/w2/call-next", headers=clerk)
    snapshot = received(subscribe(app), "snapshot")[0]
    assert [c["ticket"] for c in snapshot["calls"]] == ["A001"]
    assert snapshot["windows"]["w2"]["current"]["ticket"] == "A001"


def test_waiting_counts_are_streamed(app, client):
    sio = subscribe(app)
    sio.get_received()
    client.post("/api/v1/sites/hall/tickets", json={"service": "teacher-cert"})
    assert received(sio, "waiting")[-1]["waiting"] == {"general": 1}


def test_bad_subscribe_messages_get_an_error_not_a_room(app):
    sio = socketio.test_client(app)
    for message, code in (("hall", "invalid_message"), ({}, "missing_field"), ({"site": 5}, "invalid_field"),
                          ({"site": "nowhere"}, "unknown_site"), ({"site": "hall", "display": "tv9"},
                                                                 "unknown_display")):
        sio.emit("subscribe", message)
        errors = received(sio, "subscribe_error")
        assert errors and errors[0]["error"]["code"] == code, message


def test_a_screen_back_after_a_long_absence_gets_every_call_it_missed(app, client):
    clerk = create_staff(app)
    client.post(f"{W}/w1/open", headers=clerk)
    for _ in range(25):
        client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
        client.post(f"{W}/w1/call-next", headers=clerk)
        client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    recent = received(subscribe(app), "snapshot")[0]
    assert len(recent["calls"]) == 20, "without 'after' the snapshot holds the recent calls"
    caught_up = received(subscribe(app, after=1), "snapshot")[0]
    numbers = [call["ticket"] for call in caught_up["calls"]]
    assert numbers == [f"A{n:03d}" for n in range(25, 0, -1)]
    bad = socketio.test_client(app)
    bad.emit("subscribe", {"site": "hall", "after": -3})
    assert received(bad, "subscribe_error")[0]["error"]["code"] == "invalid_field"


def test_a_window_read_names_the_seq_it_reflects_so_a_late_answer_can_be_told_stale(app, client):
    clerk = create_staff(app)
    client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    sio = subscribe(app, token=token(clerk))
    sio.get_received()
    before = client.get(f"{W}/w1", headers=clerk).get_json()
    opened = client.post(f"{W}/w1/open", headers=clerk).get_json()
    client.post(f"{W}/w1/call-next", headers=clerk)
    events = received(sio, "window")
    after = client.get(f"{W}/w1", headers=clerk).get_json()
    assert opened == events[0], "an action's answer is its window event, seq included"
    assert before["current"] is None and before["seq"] < events[-1]["seq"], "an answer read before the call"
    assert after["current"]["ticket"] == "A001" and after["seq"] >= events[-1]["seq"]


@pytest.mark.parametrize("audience", ["public", "staff"])
def test_a_batch_subscriber_gets_one_frame_per_commit_holding_the_same_events_in_seq_order(app, client, audience):
    clerk = create_staff(app)
    client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
    staff = {"token": token(clerk)} if audience == "staff" else {}
    single, batched = subscribe(app, **staff), subscribe(app, batch=True, **staff)
    snapshot_seq = received(batched, "snapshot")[0]["seq"]
    assert received(single, "snapshot")[0]["seq"] == snapshot_seq
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    one_by_one = [(p["name"], p["args"][0]) for p in single.get_received()]
    frames = batched.get_received()
    assert [frame["name"] for frame in frames] == ["events"] * 3, "open, call and finish: a frame each"
    unpacked = [(name, payload) for frame in frames for name, payload in frame["args"][0]["events"]]
    assert unpacked == one_by_one, "the same events, payloads and order as one frame per event"
    assert [name for name, _ in frames[1]["args"][0]["events"]] == ["called", "waiting", "window"]
    for frame in frames:
        batch = frame["args"][0]
        assert (batch["seq"], batch["last"]) == (batch["events"][0][1]["seq"], batch["events"][-1][1]["seq"])
    seqs = [payload["seq"] for _, payload in unpacked]
    assert seqs == list(range(snapshot_seq + 1, snapshot_seq + 1 + len(seqs)))
    called = next(payload for name, payload in unpacked if name == "called")
    assert ("ticket_id" in called) == (audience == "staff"), "a public batch carries no ticket id"


def test_batch_must_be_true_or_false(app):
    sio = subscribe(app, batch="yes")
    error = received(sio, "subscribe_error")[0]["error"]
    assert error["code"] == "invalid_field" and "batch" in error["message"]


def test_an_emit_to_a_room_nobody_is_in_encodes_nothing(app, monkeypatch):
    from socketio import packet

    encoded = []
    original = packet.Packet.encode
    monkeypatch.setattr(packet.Packet, "encode", lambda self: encoded.append(self.data) or original(self))
    bystander = socketio.test_client(app)  # connected, in no site's room
    encoded.clear()
    with app.app_context():
        socketio.emit("waiting", {"seq": 1, "waiting": {}}, to="site:hall")
        assert encoded == [] and bystander.get_received() == []
        sio = subscribe(app)  # joins site:hall
        sio.get_received()
        socketio.emit("waiting", {"seq": 1, "waiting": {}}, to="site:hall")
    assert ["waiting", {"seq": 1, "waiting": {}}] in encoded
    assert received(sio, "waiting") == [{"seq": 1, "waiting": {}}]
