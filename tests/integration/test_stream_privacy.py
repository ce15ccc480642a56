"""What the streams never carry, over a whole visit: a booking checked in, called, accepted (which opens a
case) and finished. The public stream (no token: lobby TVs, phones) carries no ticket, case or appointment
id, no booking code and no personal data; the staff stream no case or appointment id, no booking code and no
personal data either (a ticket id reaches its holder and staff only). Both ways of subscribing are checked:
one frame per event and one per commit (``batch``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from server.app import stop
from server.extensions import socketio
from server.models import User
from server.wiring import hall
from tests.conftest import create_staff, staff_subscriber
from tests.support.appointments import BASE, book, booking_app, id_number

W = f"{BASE}/windows"


@pytest.fixture
def scene(database_url):
    app, clock = booking_app(database_url)
    yield app, clock
    stop(app)


def listen(app, **message):
    sio = socketio.test_client(app)
    sio.emit("subscribe", {"site": "hall", **message})
    return sio


@pytest.mark.parametrize("batch", [False, True])
def test_neither_stream_carries_the_holders_secrets_or_personal_data(scene, batch):
    app, clock = scene
    client = app.test_client()
    clerk = create_staff(app)
    token = clerk["Authorization"].removeprefix("Bearer ")
    public, staff = listen(app, batch=batch), listen(app, token=token, batch=batch)
    booked = book(client, name="李四", phone="13912345678").get_json()
    clock.now = dt.datetime(2026, 12, 8, 0, 45)  # 08:45 on the booked day: inside the check-in window
    ticket = client.post(f"{BASE}/appointments/check-in", json={"code": booked["code"]}).get_json()
    assert client.post(f"{W}/w1/open", headers=clerk).status_code == 200
    called = client.post(f"{W}/w1/call-next", headers=clerk).get_json()
    assert called["id"] == ticket["id"]
    finished = client.post(f"{W}/w1/finish", headers=clerk, json={
        "outcome": "accepted", "applicant_name": "李四", "applicant_phone": "13912345678"}).get_json()
    secrets = {"appointment id": booked["id"], "booking code": booked["code"], "ID number": id_number(),
               "name": "李四", "phone": "13912345678", "phone's last digits": "5678",
               "case id": finished["case"]["id"]}  # the acceptance opened the item's case (办件)
    heard = {"public": [json.dumps(packet, ensure_ascii=False) for packet in public.get_received()],
             "staff": [json.dumps(packet, ensure_ascii=False) for packet in staff.get_received()]}
    assert any('"called"' in packet for packet in heard["public"]), "the public stream heard the call"
    assert any(ticket["number"] in packet for packet in heard["staff"])
    for audience, packets in heard.items():
        for what, secret in secrets.items():
            assert not any(secret in packet for packet in packets), f"the {audience} stream carries the {what}"
    assert not any(ticket["id"] in packet for packet in heard["public"]), "the public stream carries the ticket id"
    assert any(ticket["id"] in packet for packet in heard["staff"]), "staff do get the ticket id"


def test_a_disabled_accounts_open_staff_subscription_ends_at_the_next_check(app):
    from server.accounts import set_active
    from server.staff_sessions import staff_sessions

    for batch in (False, True):
        sio = staff_subscriber(app, batch=batch) if batch else staff_subscriber(app)
        sio.get_received()
        assert staff_sessions(app).recheck() == [], "a good token stays"
        app.test_client().post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
        assert sio.get_received(), "the staff stream flows"
        with hall(app).db.write() as session:
            for user in session.scalars(select(User).where(User.username.like("staff-%"), User.active.is_(True))):
                set_active(session, user.username, False)
        [ended] = staff_sessions(app).recheck()
        assert [p["args"][0]["error"]["code"] for p in sio.get_received() if p["name"] == "subscribe_error"] == \
            ["invalid_token"]
        app.test_client().post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
        assert sio.get_received() == [], "nothing of the staff stream after the end"
        sio.disconnect()
