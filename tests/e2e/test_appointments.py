"""预约取号 end to end in chromium, on the example county with a controllable clock (the hall runs in this
process, served by a threaded WSGI server): a citizen books on the phone page at 360×740, checks in at the
kiosk's 预约签到 inside the window, and the counter's next call is the booked ticket, ahead of a walk-in who
came earlier. Screenshots of the phone page and the kiosk's check-in go to HALL_SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from server.domain.personal import id_check_character
from tests.support.appointments import county_in_process

# The README's screenshots (docs/screenshots) are written again only when HALL_SCREENSHOT_DIR says so.
SHOTS = Path(os.environ.get("HALL_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="book-shots-"))
SITE = "county"
ID_FIRST17 = "34030219900307123"
ID_NUMBER = ID_FIRST17 + id_check_character(ID_FIRST17)


@pytest.fixture
def hall_in_process(tmp_path):
    with county_in_process(tmp_path, (("anna", "anna-pass-1", "clerk"),)) as served:
        yield served


def test_book_on_the_phone_check_in_at_the_kiosk_and_be_called_first(browser, hall_in_process):
    url, clock = hall_in_process
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2,
                                is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{url}/book/{SITE}")
    expect(page.locator("#step-area")).to_be_visible()
    page.click("#areas button:has-text('企业开办')")
    page.click("#items button:has-text('企业设立登记')")
    page.click("#days button:has-text('12月8日 周二')")
    slot = page.locator("#slots button:has-text('09:00–09:30')")
    expect(slot).to_contain_text("余 2 个")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "book-slots.png"))
    slot.click()
    page.fill("#name", "张三")
    page.fill("#id-number", ID_FIRST17 + ("0" if ID_NUMBER[-1] != "0" else "1"))  # a wrong check digit
    page.fill("#phone", "13812345678")
    page.click("#submit")
    expect(page.locator("#form-error")).to_contain_text("校验位")
    page.fill("#id-number", ID_NUMBER)
    page.click("#submit")
    expect(page.locator("#step-done")).to_be_visible()
    code = page.locator("#done-code").inner_text()
    assert len(code) == 8 and code.isdigit()
    expect(page.locator("#done-time")).to_have_text("12月8日 周二 09:00–09:30")
    expect(page.locator("#done-person")).to_contain_text("3403**********" + ID_NUMBER[-4:])
    expect(page.locator("#done-person")).not_to_contain_text(ID_NUMBER)
    expect(page.locator("#done-qr")).to_be_visible()
    page.wait_for_function("document.getElementById('done-qr').naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scrolling at 360 px"
    page.screenshot(path=str(SHOTS / "book-done.png"), full_page=True)
    ics = requests.get(f"{url}{page.locator('#done-ics').get_attribute('href')}", timeout=5)
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text
    page.reload()
    expect(page.locator("#mine-list")).to_contain_text("企业设立登记")  # the phone remembers it
    # three redraws at once (the language switched back and forth within one task): still one entry
    page.evaluate("() => { const toggle = document.getElementById('lang-toggle'); for (let i = 0; i < 3; i++) "
                  "toggle.click(); }")
    expect(page.locator("#lang-toggle")).to_have_text("中文")
    expect(page.locator("#mine-list li")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    expect(page.locator("#mine-list li")).to_have_count(1)
    phone.close()

    # Tuesday 08:40: a walk-in takes a ticket first, then the booked citizen checks in at the kiosk.
    clock.now = dt.datetime(2026, 12, 8, 0, 40)
    walk_in = requests.post(f"{url}/api/v1/sites/{SITE}/tickets", json={"service": "company-registration"},
                            timeout=5).json()
    clock.now = dt.datetime(2026, 12, 8, 0, 45)
    kiosk = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    kiosk.goto(f"{url}/kiosk/{SITE}/k1#token=device-token-of-{SITE}/kiosk/k1")
    kiosk.click("#checkin-open")
    expect(kiosk.locator("#screen-checkin")).to_be_visible()
    for digit in "12":
        kiosk.click(f".checkin-key:text-is('{digit}')")
    kiosk.click(".checkin-key:text-is('清空')")
    kiosk.fill("#checkin-code", "00000000")
    kiosk.click("#checkin-submit")
    expect(kiosk.locator("#checkin-message")).to_contain_text("没有找到这个签到码")
    kiosk.fill("#checkin-code", code)
    kiosk.screenshot(path=str(SHOTS / "kiosk-checkin.png"))
    kiosk.press("#checkin-code", "Enter")  # what a scanner sends after the code
    expect(kiosk.locator("#screen-ticket")).to_be_visible()
    number = kiosk.locator("#ticket-number").inner_text()
    expect(kiosk.locator("#ticket-priority")).to_contain_text("预约")
    assert number != walk_in["number"]
    kiosk.close()

    if not socket_io_served(url):
        # This machine has no browser Socket.IO client (node_modules), which the counter page needs: the
        # clerk's call goes through the API the page uses.
        clerk = requests.post(f"{url}/api/v1/auth/login", json={"username": "anna", "password": "anna-pass-1"},
                              timeout=5).json()
        headers = {"Authorization": f"Bearer {clerk['token']}"}
        base = f"{url}/api/v1/sites/{SITE}/windows/w17"
        assert requests.post(f"{base}/open", headers=headers, timeout=5).status_code == 200
        called = requests.post(f"{base}/call-next", headers=headers, timeout=5).json()
        assert called["number"] == number and called["booked"] is True
        pytest.skip("the counter page needs /vendor/socket.io.min.js (npm's socket.io-client), absent here; "
                    "the booked ticket was called first through the API")
    counter = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    counter.goto(f"{url}/counter/{SITE}")
    counter.fill("#login-username", "anna")
    counter.fill("#login-password", "anna-pass-1")
    counter.click("#login-form button[type=submit]")
    counter.click('[data-window="w17"]')
    expect(counter.locator("#desk-view")).to_be_visible()
    counter.click("#open-button")
    expect(counter.locator("#state-badge")).to_have_text("开放中")
    counter.keyboard.press("F1")
    expect(counter.locator("#current-number")).to_have_text(number)
    counter.close()


def socket_io_served(url: str) -> bool:
    return requests.get(f"{url}/vendor/socket.io.min.js", timeout=5).status_code == 200


def test_the_booking_page_of_an_unknown_hall_is_a_chinese_404(browser, hall_in_process):
    url, _ = hall_in_process
    page = browser.new_page()
    response = page.goto(f"{url}/book/nowhere")
    assert response.status == 404
    expect(page.locator("body")).to_contain_text("没有这个服务大厅")
    page.close()


def test_a_citizen_too_early_is_told_when_to_come_back_at_the_kiosk(browser, hall_in_process):
    url, clock = hall_in_process
    booked = requests.post(f"{url}/api/v1/sites/{SITE}/appointments", timeout=5, json={
        "service": "company-registration", "start": "2026-12-08T10:00:00+08:00", "name": "李四",
        "id_number": ID_NUMBER, "phone": "13912345678"}).json()
    clock.now = dt.datetime(2026, 12, 8, 1, 0)  # 09:00: the window opens at 09:30
    kiosk = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    kiosk.goto(f"{url}/kiosk/{SITE}/k1#token=device-token-of-{SITE}/kiosk/k1")
    kiosk.click("#checkin-open")
    kiosk.fill("#checkin-code", booked["code"])
    kiosk.click("#checkin-submit")
    expect(kiosk.locator("#checkin-message")).to_contain_text("09:30")
    clock.now = dt.datetime(2026, 12, 8, 2, 15, 1)  # 10:15:01: the window has closed
    kiosk.click("#checkin-submit")
    expect(kiosk.locator("#checkin-walk-in")).to_be_visible()
    kiosk.click("#checkin-walk-in")
    expect(kiosk.locator("#screen-ticket")).to_be_visible()
    expect(kiosk.locator("#ticket-priority")).to_contain_text("按普通号排队")
    kiosk.close()


def test_the_booking_page_runs_under_its_content_security_policy_and_speaks_english(browser, hall_in_process):
    url, _ = hall_in_process
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", bypass_csp=False)
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{url}/book/{SITE}")
    expect(page.locator("#areas button").first).to_be_visible()  # its script ran
    page.click("#lang-toggle")
    expect(page.locator("#area-title")).to_have_text("Choose an area")
    expect(page.locator("#areas")).to_contain_text("Business Registration")
    page.click("#lang-toggle")
    expect(page.locator("#area-title")).to_have_text("请选择业务分类")
    assert refused == []
    context.close()
