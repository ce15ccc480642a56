"""The kiosk and the phone page in Debian's chromium, against the real server (gunicorn + gevent) on the
example county, whose kiosk k1 prints to a FakePrinter.

Screenshots go to a temporary folder, or to HALL_SCREENSHOT_DIR when it is set (docs/screenshots/ holds the
README's)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.fakes.fake_printer import FakePrinter
from tests.support.live_server import ROOT, LiveServer, wait_until

CUT = b"\x1dV\x00"
TICKET_NUMBER = re.compile(r"^[A-Z]{1,2}\d{3,4}$")
CLERK, PASSWORD = "kiosk-e2e-clerk", "kiosk-e2e-pass-1"


@pytest.fixture(scope="module")
def printer():
    with FakePrinter() as fake:
        yield fake


@pytest.fixture(scope="module")
def kiosk_server(tmp_path_factory, printer):
    """The example county, with kiosk k1's network printer moved to the fake printer's port."""
    folder = tmp_path_factory.mktemp("kiosk-live")
    layout = folder / "layout"
    shutil.copytree(ROOT / "layout" / "examples", layout)
    county = layout / "sites" / "county.yaml"
    county.write_text(county.read_text(encoding="utf-8").replace(
        "printer: {type: network, host: 127.0.0.1, port: 9100", f"printer: {{type: network, host: 127.0.0.1, "
                                                                  f"port: {printer.port}"), encoding="utf-8")
    server = LiveServer(f"sqlite:///{folder / 'hall.db'}", layout=str(layout / "county.yaml"),
                        log_path=folder / "server.log", extra_env={"HALL_PRINTER_POLL_SECONDS": "1"})
    server.start()
    server.add_user(CLERK, PASSWORD, "clerk")
    yield server
    server.stop()


@pytest.fixture
def shots(tmp_path) -> Path:
    if os.environ.get("HALL_SCREENSHOT_DIR"):
        folder = Path(os.environ["HALL_SCREENSHOT_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path


@pytest.fixture
def normal_printer(printer, kiosk_server):
    printer.mode = "normal"
    wait_until(lambda: printer_state(kiosk_server) == "online", 10, 0.1, "the printer to be online")
    return printer


def printer_state(server: LiveServer) -> str:
    printers = requests.get(f"{server.url}/api/v1/sites/county/printers", timeout=5).json()
    return next(p for p in printers if p["kiosk"] == "k1")["state"]


def open_kiosk(page, server: LiveServer, kiosk: str = "k1"):
    page.goto(f"{server.url}/kiosk/county/{kiosk}#token={server.token('county', 'kiosk', kiosk)}")
    expect(page.locator("#area-tiles .tile").first).to_be_visible()


def test_tapping_area_item_and_take_prints_a_ticket(page, kiosk_server, normal_printer, shots):
    open_kiosk(page, kiosk_server)
    expect(page.locator("#area-tiles .tile")).to_have_count(10)
    page.screenshot(path=shots / "kiosk-home.png")
    printed_before = normal_printer.received().count(CUT)

    page.locator(".tile", has_text="不动产登记").click()
    page.locator(".item", has_text="不动产首次登记").click()
    expect(page.locator("#item-checklist li").first).to_have_text("不动产登记申请书")
    page.locator("#issue-normal").click()

    number = page.locator("#ticket-number")
    expect(number).to_have_text(TICKET_NUMBER)
    expect(page.locator("#ticket-service")).to_have_text("不动产首次登记")
    expect(page.locator("#ticket-where")).to_contain_text("号窗口")
    expect(page.locator("#print-status")).to_have_text("请取走您的号票", timeout=10000)
    page.wait_for_function("() => { const qr = document.getElementById('ticket-qr'); "
                           "return qr.complete && qr.naturalWidth > 0; }")  # the QR code image loaded
    data = normal_printer.wait_for(lambda received: received.count(CUT) > printed_before, timeout=10)
    assert number.text_content().encode("gb18030") in data
    assert "不动产首次登记".encode("gb18030") in data
    page.screenshot(path=shots / "kiosk-ticket.png")

    page.locator("#ticket-done").click()
    expect(page.locator("#screen-home")).to_be_visible()


def test_searching_pinyin_initials_on_the_screen_keyboard_finds_the_item(page, kiosk_server, normal_printer):
    open_kiosk(page, kiosk_server)
    page.locator("#search-open").click()
    for letter in "bdc":
        page.locator(f'.key[data-key="{letter}"]').click()
    expect(page.locator("#search-input")).to_have_value("bdc")
    results = page.locator("#search-results .item .item-name")
    expect(results.first).to_have_text(re.compile("^不动产"))
    assert all(name.startswith("不动产") for name in results.all_text_contents())
    results.first.click()
    expect(page.locator("#item-title")).to_have_text(re.compile("^不动产"))


def test_typing_on_a_keyboard_starts_a_search_and_escape_goes_back(page, kiosk_server):
    open_kiosk(page, kiosk_server)
    page.keyboard.type("qssb")
    expect(page.locator("#search-input")).to_have_value("qssb")
    expect(page.locator("#search-results .item-name").first).to_have_text("清税申报")
    page.keyboard.press("Escape")
    expect(page.locator("#screen-home")).to_be_visible()


def test_items_not_served_today_are_greyed_and_cannot_be_taken(page, kiosk_server):
    open_kiosk(page, kiosk_server)
    page.locator(".tile", has_text="民生事务").click()
    unavailable = page.locator(".item-unavailable").first
    expect(unavailable).to_contain_text("今日暂不办理")
    unavailable.click(force=True)  # a tap on a greyed item does nothing
    expect(page.locator("#screen-area")).to_be_visible()


def test_a_priority_ticket_says_staff_will_verify(page, kiosk_server, normal_printer):
    open_kiosk(page, kiosk_server)
    page.locator(".tile", has_text="公安服务").click()
    page.locator("#area-items .item:not(.item-unavailable)").first.click()
    expect(page.locator(".priority-note")).to_contain_text("工作人员将核验")
    page.locator(".priority-button", has_text="老年人").click()
    expect(page.locator("#ticket-priority")).to_contain_text("老年人优先")


def test_a_refused_ticket_is_explained_on_screen(page, kiosk_server):
    def refuse(route):
        route.fulfill(status=409, content_type="application/json",
                      body='{"error": {"code": "daily_cap_reached", "message": "今日号已取完 / No more tickets today"}}')

    page.route("**/api/v1/sites/county/tickets", refuse)
    open_kiosk(page, kiosk_server)
    page.locator(".tile", has_text="不动产登记").click()
    page.locator(".item", has_text="不动产抵押登记").click()
    page.locator("#issue-normal").click()
    expect(page.locator("#dialog")).to_be_visible()
    expect(page.locator("#dialog-message")).to_have_text("今日号已取完 / No more tickets today")
    page.locator("#dialog-close").click()
    expect(page.locator("#screen-item")).to_be_visible()
    expect(page.locator("#issue-normal")).to_be_enabled()


def test_an_empty_roll_keeps_the_ticket_and_its_qr_code_on_screen(page, kiosk_server, printer, shots):
    printer.mode = "paper_out"
    wait_until(lambda: printer_state(kiosk_server) == "paper_out", 10, 0.1, "the monitor to see the empty roll")
    try:
        open_kiosk(page, kiosk_server)
        expect(page.locator("#printer-banner")).to_contain_text("打印机暂时无法出票")
        page.locator(".tile", has_text="不动产登记").click()
        page.locator(".item", has_text="不动产登记资料查询").click()
        page.locator("#issue-normal").click()
        expect(page.locator("#print-status")).to_have_text("打印机缺纸，请拍下二维码或记住您的号码", timeout=10000)
        expect(page.locator("#ticket-number")).to_have_text(TICKET_NUMBER)
        expect(page.locator("#ticket-qr")).to_be_visible()
        expect(page.locator("#ticket-preview-image")).to_have_js_property("naturalWidth", 576)
        expect(page.locator("#ticket-countdown")).to_contain_text(re.compile(r"(8\d|90) 秒后返回首页"))
        page.screenshot(path=shots / "kiosk-paper-out.png")
    finally:
        printer.mode = "normal"


def test_elder_mode_enlarges_the_text_and_english_switches_the_language(page, kiosk_server):
    open_kiosk(page, kiosk_server)
    tile_name = page.locator(".tile-name").first

    def font_size() -> float:
        return float(tile_name.evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))

    standard = font_size()
    page.locator("#elder-toggle").click()
    assert font_size() > standard * 1.2
    expect(page.locator("#elder-toggle")).to_have_attribute("aria-pressed", "true")
    page.locator("#lang-toggle").click()
    expect(page.locator("#home-title")).to_have_text("Choose the kind of service you need")
    expect(tile_name).to_have_text("Business Registration")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_an_idle_kiosk_returns_home_in_chinese_at_the_standard_size(page, kiosk_server):
    page.clock.install()
    open_kiosk(page, kiosk_server)
    page.locator("#elder-toggle").click()
    page.locator("#lang-toggle").click()
    page.locator(".tile").first.click()
    expect(page.locator("#screen-area")).to_be_visible()
    page.clock.fast_forward(31_000)
    expect(page.locator("#screen-home")).to_be_visible()
    expect(page.locator("#home-title")).to_have_text("请选择您要办理的业务")
    expect(page.locator("html")).not_to_have_class(re.compile("elder"))


def test_the_clock_shows_the_halls_time_whatever_the_kiosk_pcs_timezone(browser, kiosk_server):
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN", timezone_id="UTC")
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime(2026, 3, 2, 1, 5, tzinfo=dt.UTC))  # 09:05 in Guzhen (UTC+8)
    open_kiosk(page, kiosk_server)
    expect(page.locator("#clock")).to_have_text("09:05")
    context.close()


def test_an_unknown_kiosk_gets_a_chinese_404_page(page, kiosk_server):
    response = page.goto(f"{kiosk_server.url}/kiosk/county/k99")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("没有这台取号机")


def call_until(server: LiveServer, headers: dict, window: str, ticket_id: str) -> dict:
    """Call at ``window`` until our ticket comes up (tickets of other tests may wait before it)."""
    base = f"{server.url}/api/v1/sites/county/windows/{window}"
    requests.post(f"{base}/open", headers=headers, timeout=5).raise_for_status()
    for _ in range(50):
        called = requests.post(f"{base}/call-next", headers=headers, timeout=5)
        assert called.status_code == 200, called.text
        if called.json()["id"] == ticket_id:
            return called.json()
        requests.post(f"{base}/finish", json={"outcome": "handled"}, headers=headers, timeout=5).raise_for_status()
    raise AssertionError("our ticket was never called")


def test_the_phone_page_flips_to_go_to_window_when_a_clerk_calls(browser, kiosk_server, shots):
    ticket = requests.post(f"{kiosk_server.url}/api/v1/sites/county/tickets",
                           json={"service": "mortgage-registration", "kiosk": "k1"}, timeout=5).json()
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", device_scale_factor=2)
    phone = context.new_page()
    try:
        phone.goto(f"{kiosk_server.url}/t/{ticket['id']}")
        expect(phone.locator("#number")).to_have_text(ticket["number"])
        expect(phone.locator("#live")).to_have_text("实时更新中")
        expect(phone.locator("#called")).to_be_hidden()

        headers = kiosk_server.login(CLERK, PASSWORD)
        window = ticket["windows"][0]
        called = call_until(kiosk_server, headers, window, ticket["id"])
        expect(phone.locator("#called")).to_be_visible(timeout=5000)
        expect(phone.locator("#called .called-title")).to_have_text(f"请到{called['window_number']}号窗口")
        expect(phone.locator("#status")).to_have_text("正在叫号，请立即前往窗口")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "nothing wider than the phone"
        phone.screenshot(path=shots / "phone-called.png")

        base = f"{kiosk_server.url}/api/v1/sites/county/windows/{window}"
        requests.post(f"{base}/finish", json={"outcome": "accepted"}, headers=headers, timeout=5).raise_for_status()
        expect(phone.locator("#status")).to_have_text("已办结，感谢您的耐心等候", timeout=5000)
        expect(phone.locator("#called")).to_be_hidden()
        requests.post(f"{base}/close", headers=headers, timeout=5).raise_for_status()
    finally:
        context.close()


def test_an_answer_older_than_the_call_event_does_not_turn_the_phone_page_back_to_waiting(browser, kiosk_server):
    ticket = requests.post(f"{kiosk_server.url}/api/v1/sites/county/tickets",
                           json={"service": "mortgage-registration", "kiosk": "k1"}, timeout=5).json()
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    phone = context.new_page()
    try:
        phone.goto(f"{kiosk_server.url}/t/{ticket['id']}")
        expect(phone.locator("#live")).to_have_text("实时更新中")
        held = []
        # the page's next read of the ticket waits here; the ones after it go through
        phone.route(f"**/api/v1/tickets/{ticket['id']}",
                    lambda route: route.continue_() if held else held.append(route))
        with phone.expect_request(f"**/api/v1/tickets/{ticket['id']}"):
            phone.evaluate("ticketPage.stream.handlers.onEvent('waiting', {})")  # someone ahead was called
        deadline = time.monotonic() + 5
        while not held and time.monotonic() < deadline:
            phone.wait_for_timeout(20)  # lets Playwright run the route handler
        stale = held[0].fetch()  # what the server says now: still waiting
        called = call_until(kiosk_server, kiosk_server.login(CLERK, PASSWORD), ticket["windows"][0], ticket["id"])
        expect(phone.locator("#called .called-title")).to_have_text(f"请到{called['window_number']}号窗口")
        with phone.expect_request(f"**/api/v1/tickets/{ticket['id']}"):  # the page asks again instead
            held[0].fulfill(response=stale)
        expect(phone.locator("#status")).to_have_text("正在叫号，请立即前往窗口")
        assert phone.evaluate("ticketPage.ticket().status") == "called"
        base = f"{kiosk_server.url}/api/v1/sites/county/windows/{ticket['windows'][0]}"  # the window, as found
        headers = kiosk_server.login(CLERK, PASSWORD)
        requests.post(f"{base}/finish", json={"outcome": "handled"}, headers=headers, timeout=5).raise_for_status()
        requests.post(f"{base}/close", headers=headers, timeout=5).raise_for_status()
    finally:
        context.close()


def test_the_phone_page_follows_a_transferred_ticket(browser, kiosk_server):
    ticket = requests.post(f"{kiosk_server.url}/api/v1/sites/county/tickets",
                           json={"service": "property-records-query"}, timeout=5).json()
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    phone = context.new_page()
    try:
        phone.goto(f"{kiosk_server.url}/t/{ticket['id']}")
        expect(phone.locator("#live")).to_have_text("实时更新中")
        headers = kiosk_server.login(CLERK, PASSWORD)
        window = ticket["windows"][0]
        call_until(kiosk_server, headers, window, ticket["id"])
        base = f"{kiosk_server.url}/api/v1/sites/county/windows/{window}"
        moved = requests.post(f"{base}/transfer", json={"service": "mortgage-registration"}, headers=headers,
                              timeout=5)
        assert moved.status_code == 200, moved.text
        successor = moved.json()["transferred_to"]
        expect(phone).to_have_url(re.compile(f"/t/{re.escape(successor)}$"), timeout=5000)
        expect(phone.locator("#service")).to_have_text("不动产抵押登记")
        expect(phone.locator("#status")).to_have_text("排队等候中")
        expect(phone.locator("#number")).to_have_text(ticket["number"])
        requests.post(f"{base}/close", headers=headers, timeout=5).raise_for_status()
    finally:
        context.close()


def test_the_printed_ticket_preview_is_a_legible_png(kiosk_server, tmp_path):
    ticket = requests.post(f"{kiosk_server.url}/api/v1/sites/county/tickets",
                           json={"service": "mortgage-registration", "kiosk": "k1"}, timeout=5).json()
    response = requests.get(f"{kiosk_server.url}/kiosk/county/k1/tickets/{ticket['id']}.png", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(response.content))
    assert image.width == 576 and image.height > 800
    (tmp_path / "ticket-preview.png").write_bytes(response.content)


def test_the_kiosk_hears_its_printer_through_the_site_stream_only(page, kiosk_server, printer):
    """No REST read of the printers: the subscription's snapshot and this kiosk's `printer` events."""
    asked = []
    page.route("**/api/v1/sites/county/printers", lambda route: (asked.append(route.request.url), route.abort()))
    printer.mode = "normal"
    wait_until(lambda: printer_state(kiosk_server) == "online", 10, 0.1, "the printer to be online")
    try:
        open_kiosk(page, kiosk_server)
        page.wait_for_function("() => kiosk.stream && kiosk.stream.state === 'live'", timeout=10_000)
        assert page.evaluate("kiosk.state.printer.state") == "online"  # from the snapshot
        expect(page.locator("#printer-banner")).to_be_hidden()

        printer.mode = "cover_open"
        expect(page.locator("#printer-banner")).to_contain_text("打印机暂时无法出票", timeout=10_000)
        assert page.evaluate("kiosk.state.printer.state") == "cover_open"
        printer.mode = "normal"
        expect(page.locator("#printer-banner")).to_be_hidden(timeout=10_000)

        page.evaluate("kiosk.stream.socket.io.engine.close()")  # a dropped connection: a new snapshot
        page.wait_for_function("() => kiosk.stream.subscriptions >= 2 && kiosk.stream.state === 'live'", timeout=10_000)
        assert asked == []
        assert page.evaluate("kiosk.stream.audience") == "public"
    finally:
        printer.mode = "normal"


def test_a_full_width_query_finds_what_its_ascii_letters_find(page, kiosk_server):
    open_kiosk(page, kiosk_server)
    page.locator("#search-open").click()
    page.fill("#search-input", "ＢＤＣ")  # a Chinese input method in full-width mode
    results = page.locator("#search-results .item .item-name")
    expect(results.first).to_have_text(re.compile("^不动产"))
    full_width = results.all_text_contents()
    page.fill("#search-input", "bu dong chan")
    expect(results.first).to_have_text(re.compile("^不动产"))
    page.fill("#search-input", "bdc")
    expect(results).to_have_count(len(full_width))
    assert results.all_text_contents() == full_width


def test_the_phone_page_shows_its_call_from_its_own_ticket_event(browser, kiosk_server):
    """With GET /tickets/<id> failing, only the ticket's own event can say it was called; the public
    `called` events the page also receives carry no ticket id."""
    ticket = requests.post(f"{kiosk_server.url}/api/v1/sites/county/tickets",
                           json={"service": "mortgage-registration"}, timeout=5).json()
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    phone = context.new_page()
    try:
        phone.goto(f"{kiosk_server.url}/t/{ticket['id']}")
        phone.wait_for_function("() => ticketPage.stream && ticketPage.stream.state === 'live'", timeout=10_000)
        phone.evaluate("""() => {
          window.seenCalls = [];
          ticketPage.stream.socket.on("called", (call) => seenCalls.push(call));
          ticketPage.stream.socket.on("events", (batch) => batch.events.forEach(([kind, payload]) => {
            if (kind === "called") seenCalls.push(payload);  // the page subscribes with batch
          }));
        }""")
        phone.route(re.compile(r".*/api/v1/tickets/.*"), lambda route: route.abort())

        headers = kiosk_server.login(CLERK, PASSWORD)
        window = ticket["windows"][0]
        called = call_until(kiosk_server, headers, window, ticket["id"])

        expect(phone.locator("#called")).to_be_visible(timeout=5000)
        expect(phone.locator("#called .called-title")).to_have_text(f"请到{called['window_number']}号窗口")
        expect(phone.locator("#status")).to_have_text("正在叫号，请立即前往窗口")
        expect(phone.locator("#called")).to_have_class(re.compile("flashing"))
        phone.wait_for_function("number => seenCalls.some((call) => call.ticket === number)", arg=ticket["number"],
                                timeout=5000)
        assert all("ticket_id" not in call for call in phone.evaluate("seenCalls"))

        base = f"{kiosk_server.url}/api/v1/sites/county/windows/{window}"
        requests.post(f"{base}/no-show", headers=headers, timeout=5).raise_for_status()
        expect(phone.locator("#status")).to_have_text("已过号，如需办理请重新取号", timeout=5000)
        expect(phone.locator("#called")).to_be_hidden()
        requests.post(f"{base}/close", headers=headers, timeout=5).raise_for_status()
    finally:
        context.close()


def test_an_unknown_ticket_in_the_phone_subscription_is_said_on_the_page(browser, kiosk_server):
    ticket = requests.post(f"{kiosk_server.url}/api/v1/sites/county/tickets",
                           json={"service": "mortgage-registration"}, timeout=5).json()
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    phone = context.new_page()
    try:
        phone.goto(f"{kiosk_server.url}/t/{ticket['id']}")
        phone.wait_for_function("() => ticketPage.stream.state === 'live'", timeout=10_000)
        phone.evaluate("ticketPage.stream.setTicket('no-such-ticket')")
        expect(phone.locator("#live")).to_contain_text("unknown_ticket", timeout=5000)
    finally:
        context.close()


def test_the_counter_subscribes_with_its_token_and_shows_a_real_printer_alert(browser, kiosk_server, printer):
    printer.mode = "normal"
    wait_until(lambda: printer_state(kiosk_server) == "online", 10, 0.1, "the printer to be online")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    counter = context.new_page()
    try:
        counter.goto(f"{kiosk_server.url}/counter/county")
        counter.wait_for_function("() => counter.stream.state === 'live'", timeout=10_000)
        assert counter.evaluate("counter.stream.audience") == "public"  # not logged in yet
        counter.fill("#login-username", CLERK)
        counter.fill("#login-password", PASSWORD)
        counter.click("#login-form button[type=submit]")
        expect(counter.locator("#window-view")).to_be_visible()
        counter.wait_for_function("() => counter.stream.audience === 'staff' && counter.stream.state === 'live'",
                                  timeout=10_000)
        assert counter.evaluate("counter.stream.token") == counter.evaluate(
            "localStorage.getItem('yichuang.counter.token')")

        printer.mode = "paper_out"  # a `printer` event: the staff stream only
        banner = counter.locator('#banners [data-key="printer:k1"]')
        expect(banner).to_contain_text("打印机缺纸", timeout=10_000)
        printer.mode = "normal"
        expect(banner).to_have_count(0, timeout=10_000)

        counter.click("#logout")
        expect(counter.locator("#login-view")).to_be_visible()
        counter.wait_for_function("() => counter.stream.audience === 'public' && counter.stream.state === 'live'",
                                  timeout=10_000)
        assert counter.evaluate("counter.stream.token") is None
    finally:
        printer.mode = "normal"
        context.close()


def test_the_counter_with_a_refused_token_logs_out_and_follows_the_public_stream(browser, kiosk_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    context.add_init_script("localStorage.setItem('yichuang.counter.token', 'not-a-token')")
    counter = context.new_page()
    try:
        counter.goto(f"{kiosk_server.url}/counter/county")
        expect(counter.locator("#login-view")).to_be_visible()
        counter.wait_for_function("() => counter.stream.audience === 'public' && counter.stream.state === 'live'",
                                  timeout=10_000)
        assert counter.evaluate("localStorage.getItem('yichuang.counter.token')") is None
    finally:
        context.close()
