"""预约取号 over HTTP on SQLite and PostgreSQL, with a controllable clock: slots inside opening hours on
working days, booking and its refusals, cancelling (the slot returns to the pool), check-in windows, the
booked ticket called before earlier walk-ins, the missed sweep, the counts, privacy, rate limits, and
concurrent bookings of one slot and by one person."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import replace

import pytest
from sqlalchemy import select, text

from server.appointment_sweep import MISSED_SWEEP
from server.models import Appointment, SiteEvent
from server.wiring import hall
from tests.conftest import create_staff, make_app
from tests.support.appointments import (
    BASE,
    MONDAY_9,
    SLOT,
    TUESDAY,
    Clock,
    book,
    bookable_hall,
    booking_app,
    id_number,
)
from tests.support.small_hall import small_hall
from tests.support.threads import at_once


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.fixture
def scene(database_url):
    app, clock = booking_app(database_url)
    yield app, clock
    from server.app import stop
    stop(app)


def test_slots_lie_inside_opening_hours_on_working_days_and_show_what_is_left(scene):
    app, _ = scene
    client = app.test_client()
    slots = client.get(f"{BASE}/services/company-setup/slots?date={TUESDAY}").get_json()
    assert slots[0] == {"start": f"{TUESDAY}T08:30:00+08:00", "end": f"{TUESDAY}T09:00:00+08:00",
                        "capacity": 2, "left": 2}
    assert slots[-1]["end"] == f"{TUESDAY}T17:30:00+08:00" and len(slots) == 18
    assert client.get(f"{BASE}/services/company-setup/slots?date=2026-12-09").get_json() == []  # a holiday
    assert client.get(f"{BASE}/services/company-setup/slots?date=2026-12-12").get_json() == []  # Saturday
    today = client.get(f"{BASE}/services/company-setup/slots?date=2026-12-07").get_json()
    assert today and all(slot["left"] == 0 for slot in today)  # today is not bookable
    assert client.get(f"{BASE}/services/company-change/slots?date={TUESDAY}").get_json() == []
    assert client.get(f"{BASE}/services/company-setup/slots?date=tuesday").status_code == 400
    # a Monday of year 1: its slots would start before year 1 in UTC (Asia/Shanghai was +08:05:43 then)
    year_one = client.get(f"{BASE}/services/company-setup/slots?date=0001-01-01")
    assert year_one.status_code == 400 and year_one.get_json()["error"]["code"] == "invalid_date"
    assert client.get(f"{BASE}/services/company-setup/slots").status_code == 400
    assert client.get(f"{BASE}/services/nothing/slots?date={TUESDAY}").status_code == 404

    assert book(client).status_code == 201
    slots = client.get(f"{BASE}/services/company-setup/slots?date={TUESDAY}").get_json()
    assert [slot["left"] for slot in slots[:3]] == [2, 1, 2]


def test_a_booking_answers_its_code_and_masks_the_id_number_everywhere(scene, caplog):
    app, _ = scene
    client = app.test_client()
    caplog.set_level(logging.DEBUG)
    response = book(client)
    assert response.status_code == 201, response.get_json()
    booked = response.get_json()
    assert {key: booked[key] for key in ("service", "start", "end", "status")} == {
        "service": "company-setup", "start": SLOT, "end": f"{TUESDAY}T09:30:00+08:00", "status": "booked"}
    assert len(booked["code"]) == 8 and booked["code"].isdigit() and len(booked["id"]) >= 22
    assert booked["id_number"] == "3403**********" + id_number()[-4:] and booked["phone"] == "138****5678"
    assert booked["check_in_from"] == f"{TUESDAY}T08:30:00+08:00"
    assert booked["check_in_until"] == f"{TUESDAY}T09:15:00+08:00"
    shown = client.get(f"/api/v1/appointments/{booked['id']}").get_json()
    assert shown == booked
    calendar = client.get(f"/api/v1/appointments/{booked['id']}/calendar.ics")
    assert calendar.mimetype == "text/calendar"
    assert "DTSTART:20261208T010000Z" in calendar.text and booked["code"] in calendar.text
    qr = client.get(f"/api/v1/appointments/{booked['id']}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    with hall(app).db.read() as session:
        stored = session.scalars(select(Appointment)).one()
        columns = {column.name: str(getattr(stored, column.name)) for column in Appointment.__table__.columns}
        rows = [json.loads(payload) for payload in session.scalars(select(SiteEvent.payload))]
    assert columns["id_number_masked"] == booked["id_number"] and len(columns["person_key"]) == 64
    assert id_number() not in json.dumps(columns) and id_number()[:17] not in json.dumps(columns)
    assert id_number() not in json.dumps(rows) and "13812345678" not in json.dumps(rows)
    assert id_number() not in caplog.text and id_number()[:17] not in caplog.text
    assert "13812345678" not in caplog.text


def test_a_booking_the_database_fails_to_store_leaves_no_phone_or_id_number_in_the_log(scene, caplog):
    app, _ = scene
    caplog.set_level(logging.DEBUG)
    with hall(app).db.engine.begin() as connection:  # the table is gone: the booking's INSERT fails
        connection.execute(text("ALTER TABLE appointments RENAME TO appointments_away"))
    response = book(app.test_client())
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "database_unavailable"
    assert "appointments" in caplog.text  # the failure is logged, its statement named
    assert "13812345678" not in caplog.text and id_number() not in caplog.text and "张三" not in caplog.text


def test_bad_bookings_are_refused_with_their_codes(scene):
    app, _ = scene
    client = app.test_client()
    assert book(client, id_number=wrong_check_digit(id_number())).get_json()["error"]["code"] == "invalid_id_number"
    assert book(client, id_number="34030219900101123").status_code == 400  # 17 digits
    assert book(client, phone="021-12345678").get_json()["error"]["code"] == "invalid_phone"
    refused = book(client, start=f"{TUESDAY}T09:10:00+08:00")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "invalid_start"
    assert book(client, start="next tuesday").status_code == 400
    assert book(client, start="0001-01-01T00:00:00+08:00").get_json()["error"]["code"] == "invalid_start"
    today = book(client, start="2026-12-07T15:00:00+08:00")
    assert today.status_code == 409 and today.get_json()["error"]["code"] == "outside_booking_window"
    far = book(client, start="2026-12-15T09:00:00+08:00")  # 8 days ahead, the item takes 7
    assert far.status_code == 409 and far.get_json()["error"]["code"] == "outside_booking_window"
    assert book(client, service="company-change").status_code == 409  # not bookable
    assert book(client, service="nothing").status_code == 404
    assert client.post(f"{BASE}/appointments", json={"service": "company-setup"}).status_code == 400
    body = '{"service": "company-setup", "start": "%s", "name": "\\ud800", "id_number": "%s", "phone": "13812345678"}'
    lone_surrogate = client.post(f"{BASE}/appointments", data=body % (SLOT, id_number()),
                                 content_type="application/json")
    assert lone_surrogate.status_code == 400

    assert book(client, serial=1).status_code == 201
    assert book(client, serial=2).status_code == 201
    full = book(client, serial=3)
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "slot_full"
    twice = book(client, start=f"{TUESDAY}T10:00:00+08:00", serial=1)
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_booked"
    # per_person_per_day is per local day: the same person may book another day
    assert book(client, start="2026-12-10T10:00:00+08:00", serial=1).status_code == 201
    assert client.get("/api/v1/appointments/nothing-here").status_code == 404
    assert client.post("/api/v1/appointments/nothing-here/cancel").status_code == 404


def test_a_cancelled_booking_returns_its_slot_to_the_pool_and_frees_the_person(scene):
    app = scene[0]
    client = app.test_client()
    first = book(client, serial=1).get_json()
    assert book(client, serial=2).status_code == 201
    assert book(client, serial=3).status_code == 409
    cancelled = client.post(f"/api/v1/appointments/{first['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert client.post(f"/api/v1/appointments/{first['id']}/cancel").status_code == 409
    assert client.get(f"{BASE}/services/company-setup/slots?date={TUESDAY}").get_json()[1]["left"] == 1
    assert book(client, serial=3).status_code == 201
    assert book(client, start=f"{TUESDAY}T11:00:00+08:00", serial=1).status_code == 201  # may book again
    checked = client.post(f"{BASE}/appointments/check-in", json={"code": first["code"]})
    assert checked.status_code == 409 and checked.get_json()["error"]["code"] == "appointment_cancelled"


def test_check_in_windows_under_a_controllable_clock(scene):
    app, clock = scene
    client = app.test_client()
    booked = book(client).get_json()
    check_in = lambda **extra: client.post(f"{BASE}/appointments/check-in",  # noqa: E731
                                           json={"code": booked["code"], **extra})
    clock.now = dt.datetime(2026, 12, 8, 0, 29, 59)  # 08:29:59: a second before start − 30 min
    early = check_in()
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "too_early"
    assert "08:30" in early.get_json()["error"]["message"]
    clock.now = dt.datetime(2026, 12, 8, 0, 30)  # 08:30 sharp: the window opens
    ticket = check_in()
    assert ticket.status_code == 201, ticket.get_json()
    view = ticket.get_json()
    assert view["booked"] is True and view["priority"] == "appointment" and view["number"] == "A001"
    assert view["appointment"]["start"] == SLOT
    again = check_in()
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_checked_in"
    assert client.get(f"/api/v1/appointments/{booked['id']}").get_json()["status"] == "checked_in"
    assert client.post(f"/api/v1/appointments/{booked['id']}/cancel").status_code == 409
    unknown = client.post(f"{BASE}/appointments/check-in", json={"code": "99999999"})
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_appointment"


def test_a_late_arrival_is_offered_a_walk_in_ticket_with_the_booking_noted(scene):
    app, clock = scene
    client = app.test_client()
    booked = book(client).get_json()
    clock.now = dt.datetime(2026, 12, 8, 1, 15)  # 09:15 sharp: still inside
    on_the_edge = book(client, start=f"{TUESDAY}T09:30:00+08:00", serial=7)
    assert on_the_edge.status_code == 409  # today is no longer bookable
    clock.now = dt.datetime(2026, 12, 8, 1, 15, 1)  # 09:15:01: too late
    late = client.post(f"{BASE}/appointments/check-in", json={"code": booked["code"]})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "too_late"
    walk_in = client.post(f"{BASE}/appointments/check-in", json={"code": booked["code"], "walk_in": True})
    assert walk_in.status_code == 201, walk_in.get_json()
    view = walk_in.get_json()
    assert view["booked"] is False and view["priority"] is None and view["appointment"]["walk_in"] is True
    assert client.get(f"/api/v1/appointments/{booked['id']}").get_json()["status"] == "missed"
    again = client.post(f"{BASE}/appointments/check-in", json={"code": booked["code"], "walk_in": True})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_checked_in"
    with hall(app).db.read() as session:
        assert session.scalars(select(Appointment.ticket_id)).one() == view["id"]


def test_a_late_arrival_after_closing_time_gets_no_walk_in_ticket(database_url):
    app, clock = booking_app(database_url, IGNORE_HOURS=False)
    try:
        client = app.test_client()
        booked = book(client, start=f"{TUESDAY}T17:00:00+08:00").get_json()
        clock.now = dt.datetime(2026, 12, 8, 10, 0)  # Tuesday 18:00: the hall closed at 17:30
        refused = client.post(f"{BASE}/appointments/check-in", json={"code": booked["code"], "walk_in": True})
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "hall_closed"
        with hall(app).db.read() as session:  # nothing kept of the refused check-in
            assert session.scalars(select(Appointment.ticket_id)).one() is None
    finally:
        from server.app import stop
        stop(app)


def test_a_booked_ticket_transferred_to_another_item_stays_booked(scene):
    app, clock = scene
    client = app.test_client()
    booked = book(client).get_json()
    clock.now = dt.datetime(2026, 12, 8, 0, 50)  # 08:50 on Tuesday
    ticket = client.post(f"{BASE}/appointments/check-in", json={"code": booked["code"]}).get_json()
    clerk = create_staff(app)
    client.post(f"{BASE}/windows/w1/open", headers=clerk)
    assert client.post(f"{BASE}/windows/w1/call-next", headers=clerk).get_json()["id"] == ticket["id"]
    moved = client.post(f"{BASE}/windows/w1/transfer", json={"service": "company-change"}, headers=clerk)
    assert moved.status_code == 200, moved.get_json()
    successor = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["transferred_to"]
    assert client.get(f"/api/v1/tickets/{successor}").get_json()["booked"] is True
    with hall(app).db.read() as session:
        assert session.scalars(select(Appointment.ticket_id)).one() == ticket["id"]  # the check-in's ticket


def test_the_booked_ticket_is_called_before_earlier_walk_ins(scene):
    app, clock = scene
    client = app.test_client()
    booked = book(client).get_json()
    clock.now = dt.datetime(2026, 12, 8, 0, 40)  # 08:40 on Tuesday
    walk_ins = []
    for priority in (None, "elderly"):
        clock.now += dt.timedelta(minutes=1)
        walk_ins.append(client.post(f"{BASE}/tickets", json={"service": "company-setup", "priority": priority})
                        .get_json())
    clock.now += dt.timedelta(minutes=5)
    ticket = client.post(f"{BASE}/appointments/check-in", json={"code": booked["code"]}).get_json()
    assert ticket["ahead"] == 0
    later = client.post(f"{BASE}/tickets", json={"service": "company-setup"}).get_json()
    assert later["ahead"] == 3, "the walk-ins and the booked ticket are ahead of a later walk-in"
    assert client.get(f"/api/v1/tickets/{walk_ins[0]['id']}").get_json()["ahead"] == 1  # the booked one
    clerk = create_staff(app)
    assert client.post(f"{BASE}/windows/w1/open", headers=clerk).status_code == 200
    called = client.post(f"{BASE}/windows/w1/call-next", headers=clerk).get_json()
    assert called["id"] == ticket["id"] and called["booked"] is True
    client.post(f"{BASE}/windows/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    second = client.post(f"{BASE}/windows/w1/call-next", headers=clerk).get_json()
    assert second["id"] in {walk_in["id"] for walk_in in walk_ins}


def test_bookings_not_checked_in_become_missed_once_and_are_counted(scene, database_url):
    app, clock = scene
    client = app.test_client()
    kept = book(client, serial=1).get_json()
    missed = book(client, serial=2).get_json()
    cancelled = book(client, start=f"{TUESDAY}T10:00:00+08:00", serial=3).get_json()
    client.post(f"/api/v1/appointments/{cancelled['id']}/cancel")
    sweep = app.extensions[MISSED_SWEEP]
    clock.now = dt.datetime(2026, 12, 8, 0, 50)
    assert client.post(f"{BASE}/appointments/check-in", json={"code": kept["code"]}).status_code == 201
    assert sweep.sweep() == 0
    clock.now = dt.datetime(2026, 12, 8, 1, 15)  # 09:15: the window's last moment
    assert sweep.sweep() == 0
    other = make_app(database_url, bookable_hall(), CLOCK=clock, APPOINTMENT_SWEEP_SECONDS=3600)  # sweeps at start
    clock.now = dt.datetime(2026, 12, 8, 1, 15, 1)
    try:  # two processes' sweeps at once: the booking is marked once between them
        marked = at_once(2, lambda index: (sweep, other.extensions[MISSED_SWEEP])[index].sweep())
    finally:
        from server.app import stop
        stop(other)
    assert sorted(marked) == [0, 1]
    assert sweep.sweep() == 0, "marked once"
    with hall(app).db.read() as session:
        assert session.get(Appointment, missed["id"]).status == "missed"
    manager = create_staff(app, "manager1", "manager-password-1", role="manager")
    stats = client.get(f"{BASE}/appointments/stats?from={TUESDAY}&to={TUESDAY}", headers=manager).get_json()
    assert stats["totals"] == {"booked": 3, "checked_in": 1, "missed": 1, "cancelled": 1, "open": 0}
    assert stats["rows"] == [{"day": TUESDAY, **stats["totals"]}]
    hall_stats = client.get(f"{BASE}/stats?from={TUESDAY}&to={TUESDAY}", headers=manager).get_json()
    assert hall_stats["appointments"] == stats["totals"] and "appointments" not in hall_stats["totals"]
    assert client.get(f"{BASE}/appointments/stats?from={TUESDAY}&to={TUESDAY}").status_code == 401
    clerk = create_staff(app)
    assert client.get(f"{BASE}/appointments/stats?from={TUESDAY}&to={TUESDAY}", headers=clerk).status_code == 403


def test_booking_is_rate_limited_per_address_and_per_id_number(database_url):
    clock = Clock(MONDAY_9)
    app = make_app(database_url, bookable_hall(per_slot=50), CLOCK=clock, BOOKING_RATE_LIMIT="3/hour",
                   BOOKING_ID_RATE_LIMIT="2/day")
    try:
        client = app.test_client()
        address = lambda n: {"REMOTE_ADDR": f"10.0.0.{n}"}  # noqa: E731
        statuses = [client.post(f"{BASE}/appointments", environ_base=address(1), json={
            "service": "company-setup", "start": SLOT, "name": "李四", "id_number": id_number(serial),
            "phone": "13812345678"}).status_code for serial in (1, 2, 3, 4)]
        assert statuses == [201, 201, 201, 429]
        # One ID number from many addresses: its third try is refused whatever the address.
        tries = [client.post(f"{BASE}/appointments", environ_base=address(10 + n), json={
            "service": "company-setup", "start": f"{TUESDAY}T1{n}:00:00+08:00", "name": "王五",
            "id_number": id_number(9), "phone": "13812345678"}).status_code for n in range(3)]
        assert tries == [201, 409, 429]
    finally:
        from server.app import stop
        stop(app)


@pytest.mark.slow
def test_fifty_clients_booking_one_slot_of_three_at_once_get_exactly_three(database_url):
    app = make_app(database_url, bookable_hall(per_slot=3), CLOCK=Clock(MONDAY_9), BOOKING_RATE_LIMIT="0",
                   BOOKING_ID_RATE_LIMIT="0")
    try:
        statuses = at_once(50, lambda index: book(app.test_client(), serial=index + 1).status_code)
        assert Counter(statuses) == {201: 3, 409: 47}
        with hall(app).db.read() as session:
            assert len(session.scalars(select(Appointment)).all()) == 3
        slots = app.test_client().get(f"{BASE}/services/company-setup/slots?date={TUESDAY}").get_json()
        assert slots[1]["left"] == 0

        # one person, ten slots at once: one booking
        starts = [f"{TUESDAY}T{10 + index // 2}:{'30' if index % 2 else '00'}:00+08:00" for index in range(10)]
        statuses = at_once(10, lambda index: book(app.test_client(), start=starts[index],
                                                      serial=500).status_code)
        assert Counter(statuses) == {201: 1, 409: 9}
    finally:
        from server.app import stop
        stop(app)


def test_one_code_checked_in_at_two_kiosks_at_once_gives_one_ticket(scene):
    app, clock = scene
    booked = book(app.test_client()).get_json()
    clock.now = dt.datetime(2026, 12, 8, 0, 50)
    answers = at_once(8, lambda index: app.test_client().post(
        f"{BASE}/appointments/check-in", json={"code": booked["code"]}))
    assert Counter(answer.status_code for answer in answers) == {201: 1, 409: 7}
    assert {answer.get_json()["error"]["code"] for answer in answers if answer.status_code == 409} == {
        "already_checked_in"}
    waiting = app.test_client().get(f"{BASE}/queues").get_json()
    assert next(queue for queue in waiting if queue["id"] == "biz")["waiting"] == 1


def test_a_booked_ticket_prints_yuyue_even_where_the_layout_has_no_such_class(database_url):
    from kiosk.ticket_print import ticket_print

    layout = bookable_hall()
    site = replace(layout.sites[0], priority=small_hall().sites[0].priority)  # 老年人, 军人: no 预约 class
    clock = Clock(MONDAY_9)
    app = make_app(database_url, replace(layout, sites=(site,)), CLOCK=clock, BOOKING_RATE_LIMIT="0",
                   BOOKING_ID_RATE_LIMIT="0")
    try:
        client = app.test_client()
        booked = book(client).get_json()
        clock.now = dt.datetime(2026, 12, 8, 0, 45)
        ticket = client.post(f"{BASE}/appointments/check-in", json={"code": booked["code"]}).get_json()
        assert ticket["booked"] is True and ticket["priority"] is None
        assert ticket_print(site, ticket, "http://hall/t/x").priority_name == "预约"
        walk_in = client.post(f"{BASE}/tickets", json={"service": "company-setup"}).get_json()
        assert ticket_print(site, walk_in, "http://hall/t/y").priority_name is None
    finally:
        from server.app import stop
        stop(app)
