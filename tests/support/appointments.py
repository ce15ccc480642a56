"""The tests' booking scene (预约): valid GB 11643 ID numbers, the small hall with one bookable item, a clock the
test moves, and a booking through the API."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from werkzeug.serving import make_server

from layout.loader import load_layout
from layout.model import AppointmentRules, Priority, PriorityClass, ServiceAppointments
from server.app import stop
from server.auth import add_user
from server.device_tokens import devices
from server.domain.personal import id_check_character
from server.wiring import hall
from tests.conftest import make_app
from tests.support.clock import Clock
from tests.support.live_server import ROOT, free_port
from tests.support.small_hall import small_hall

MONDAY_9 = dt.datetime(2026, 12, 7, 1, 0)  # 09:00 on Monday 7 December 2026 in Shanghai (naive UTC)
TUESDAY = "2026-12-08"
SLOT = f"{TUESDAY}T09:00:00+08:00"
BASE = "/api/v1/sites/hall"


def id_number(serial: int = 123, born: str = "19900101") -> str:
    """A valid ID number of a person born on ``born`` (its check character computed)."""
    first17 = f"340302{born}{serial:03d}"
    return first17 + id_check_character(first17)


def bookable_hall(per_slot: int = 2, per_person: int = 1, **changes):
    """The small hall whose company-setup item takes bookings of 30-minute slots, 7 days ahead; 2026-12-09
    is a holiday."""
    layout = small_hall()
    site = layout.sites[0]
    services = tuple(replace(service, appointments=ServiceAppointments(30, per_slot, 7))
                     if service.id == "company-setup" else service for service in site.services)
    priority = Priority(classes=(*site.priority.classes, PriorityClass("appointment", "预约")),
                        priority_calls=2, normal_calls=1)
    site = replace(site, services=services, priority=priority,
                   appointments=AppointmentRules(early_minutes=30, late_minutes=15, per_person_per_day=per_person),
                   holidays=(dt.date(2026, 12, 9),), **changes)
    return replace(layout, sites=(site,))


def booking_app(database_url: str, **config):
    """The bookable hall on Monday 09:00, its rate limits off: (app, clock)."""
    clock = Clock(MONDAY_9)
    settings = {"BOOKING_RATE_LIMIT": "0", "BOOKING_ID_RATE_LIMIT": "0", "APPOINTMENT_SWEEP_SECONDS": 3600, **config}
    return make_app(database_url, bookable_hall(), CLOCK=clock, **settings), clock


def book(client, start: str = SLOT, serial: int = 123, **changes):
    body = {"service": "company-setup", "start": start, "name": "张三", "id_number": id_number(serial),
            "phone": "13812345678", **changes}
    return client.post(f"{BASE}/appointments", json=body)


@contextmanager
def county_in_process(folder: Path, users: tuple[tuple[str, str, str], ...]):
    """The example county on Monday 7 December 2026, 09:00 in Shanghai, served in this process by a threaded
    WSGI server (a browser test moves its clock): yields (url, clock). Every device has the token
    ``device-token-of-<key>``; ``users`` are (name, password, role)."""
    clock = Clock(MONDAY_9)
    layout = load_layout(str(ROOT / "layout" / "examples" / "county.yaml"))
    tokens = {device.key: f"device-token-of-{device.key}" for device in devices(layout)}
    app = make_app(f"sqlite:///{folder / 'hall.db'}", layout=layout, CLOCK=clock, BOOKING_RATE_LIMIT="0",
                   BOOKING_ID_RATE_LIMIT="0", APPOINTMENT_SWEEP_SECONDS=3600, DEVICE_TOKENS=tokens)
    with hall(app).db.write() as session:
        for name, password, role in users:
            add_user(session, name, password, role)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", clock
    finally:
        server.shutdown()
        thread.join(5)
        stop(app)
