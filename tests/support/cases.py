"""The tests' case scene: the small hall with promised days and delivery on its items, a clock the test
moves, back-office accounts of a department, and a helper that accepts an item at a window."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from server.accounts import add_user
from server.wiring import hall
from tests.support.clock import Clock as BaseClock
from tests.support.small_hall import small_hall

W = "/api/v1/sites/hall/windows"
TUESDAY_MORNING = dt.datetime(2026, 12, 1, 2, 0)  # 10:00 in Asia/Shanghai, a Tuesday


def case_hall(**site_changes):
    layout = small_hall(**site_changes)
    site = layout.sites[0]
    services = tuple(
        replace(service, promised_days=5, delivery=("pickup", "mail")) if service.id == "company-setup"
        else replace(service, promised_days=3, delivery=("mail",)) if service.id == "company-change"
        else service
        for service in site.services)
    return replace(layout, sites=(replace(site, services=services, holidays=(dt.date(2026, 12, 4),)),))


class Clock(BaseClock):
    def __init__(self, now: dt.datetime = TUESDAY_MORNING) -> None:
        super().__init__(now)


def staff(app, username: str, role: str, department: str | None = None, password: str = "secret-pass-1") -> dict:
    with hall(app).db.write() as session:
        add_user(session, username, password, role, department=department)
    response = app.test_client().post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def accept(client, clerk: dict, window: str = "w1", service: str = "company-setup", **finish) -> dict:
    """Issue a ticket, call it at ``window`` and finish it ``accepted``: the finish's answer."""
    issued = client.post("/api/v1/sites/hall/tickets", json={"service": service})
    assert issued.status_code == 201, issued.get_json()
    client.post(f"{W}/{window}/open", headers=clerk)
    called = client.post(f"{W}/{window}/call-next", headers=clerk)
    assert called.status_code == 200, called.get_json()
    answer = client.post(f"{W}/{window}/finish", json={"outcome": "accepted", **finish}, headers=clerk)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()
