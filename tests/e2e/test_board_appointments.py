"""今日预约 on the manager's board, in Chromium on the example county with a controllable clock (the hall runs in
this process, served by a threaded WSGI server; the browser's clock is set to the same moment): a citizen
booked Tuesday 09:00 on Monday; on Tuesday the board shows 1 booked, 0 checked in; the check-in at the kiosk
issues a ticket, the board refreshes on its event and the section shows 1 booked, 1 checked in."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from playwright.sync_api import expect

from tests.support.appointments import county_in_process, id_number
from tests.support.live_server import ROOT

SITE = "county"
MANAGER = ("mona", "mona-manager-1")
ID_NUMBER = id_number(123, born="19900307")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def hall_in_process(tmp_path):
    with county_in_process(tmp_path, ((*MANAGER, "manager"),)) as served:
        yield served


def figures(page) -> dict[str, str]:
    return {key: page.locator(f'#appointments-today td[data-figure="{key}"]')
            for key in ("booked", "checked_in", "missed", "cancelled")}


def test_the_board_counts_today_s_bookings_and_check_ins(browser, hall_in_process):
    url, clock = hall_in_process
    booked = requests.post(f"{url}/api/v1/sites/{SITE}/appointments", timeout=5, json={
        "service": "company-registration", "start": "2026-12-08T09:00:00+08:00", "name": "张三",
        "id_number": ID_NUMBER, "phone": "13812345678"})
    assert booked.status_code == 201, booked.text

    clock.now = dt.datetime(2026, 12, 8, 0, 40)  # Tuesday 08:40 in Shanghai, on the server and in the browser
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime(2026, 12, 8, 8, 40, tzinfo=SHANGHAI))
    page.goto(f"{url}/manage/{SITE}")
    expect(page.locator("#appointments-panel")).to_be_hidden()  # nothing before the manager logs in
    page.fill("#login-username", MANAGER[0])
    page.fill("#login-password", MANAGER[1])
    page.click("#login-form button[type=submit]")
    expect(page.locator("#board-view")).to_be_visible()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    shown = figures(page)
    expect(page.locator("#appointments-panel h2")).to_contain_text("今日预约")
    expect(page.locator("#appointments-today table")).to_have_attribute("data-day", "2026-12-08")
    expect(shown["booked"]).to_have_text("1")
    expect(shown["checked_in"]).to_have_text("0")

    clock.now = dt.datetime(2026, 12, 8, 0, 45)  # 08:45: inside the check-in window
    checked = requests.post(f"{url}/api/v1/sites/{SITE}/appointments/check-in",
                            json={"code": booked.json()["code"], "kiosk": "k1"},
                            headers={"X-Kiosk-Token": f"device-token-of-{SITE}/kiosk/k1"}, timeout=5)
    assert checked.status_code == 201, checked.text
    expect(shown["checked_in"]).to_have_text("1")  # the ticket's event refreshed the board, and the section
    expect(shown["booked"]).to_have_text("1")
    expect(shown["missed"]).to_have_text("0")
    expect(shown["cancelled"]).to_have_text("0")
    expect(page.locator("#appointments-today thead")).to_contain_text("已签到 Checked in")
    page.locator("#appointments-panel").screenshot(path=str(ROOT / "instance" / "board-appointments.png"))
    page.screenshot(path=str(ROOT / "instance" / "board-appointments-full.png"))
    context.close()
