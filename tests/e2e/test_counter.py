"""The counter page in chromium: login, window choice, keyboard-first calling, the checklist, pause with
a reason, transfer found by pinyin, the waiting list kept fresh by events, clear messages for refused
actions, an occupied window refused to a second clerk, and the problems of the hall as banners."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.test_display_calls import GESTURE_REQUIRED

SITE = "county"
CLERKS = {"anna": "anna-pass-1", "bo": "bo-pass-12", "chen": "chen-pass-1"}


@pytest.fixture(scope="module")
def clerks(live_server) -> dict:
    for username, password in CLERKS.items():
        live_server.add_user(username, password)
    return CLERKS


def issue(server, service: str) -> dict:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets", json={"service": service}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def sign_in(page, server, username: str, window: str):
    page.goto(f"{server.url}/counter/{SITE}")
    page.fill("#login-username", username)
    page.fill("#login-password", CLERKS[username])
    page.click("#login-form button[type=submit]")
    page.click(f'[data-window="{window}"]')
    expect(page.locator("#desk-view")).to_be_visible()
    expect(page.locator("#window-title")).to_contain_text(f"{window[1:]}号窗口")
    return page


def open_window(page):
    page.click("#open-button")
    expect(page.locator("#state-badge")).to_have_text("开放中")


def message(page):
    return page.locator("#message")


def test_a_clerk_calls_serves_and_finishes_a_ticket_with_the_keyboard(live_server, page, clerks):
    ticket = issue(live_server, "company-registration")
    sign_in(page, live_server, "anna", "w17")
    open_window(page)

    page.keyboard.press("F1")
    expect(page.locator("#current-number")).to_have_text(ticket["number"])
    expect(page.locator("#current-status")).to_have_text("已叫号，等待群众到窗口")
    expect(page.locator("#current-service")).to_have_text("企业设立登记 · 县市场监督管理局")
    expect(page.locator("#checklist li")).to_have_count(6)
    expect(page.locator("#checklist")).to_contain_text("公司章程")
    expect(page.locator("#waited")).to_have_text(re.compile(r"^\d+分\d{2}秒$"))
    page.locator("#checklist input").first.check()

    page.keyboard.press("r")
    expect(message(page)).to_have_text(f"已重呼 {ticket['number']}。")
    page.keyboard.press("s")
    expect(page.locator("#current-status")).to_have_text("办理中")
    expect(page.locator("#checklist input").first).to_be_checked()  # a tick survives the refresh
    page.keyboard.press("1")

    expect(message(page)).to_have_text(f"{ticket['number']} 已办结：受理通知书。")
    expect(page.locator("#current-empty")).to_be_visible()
    finished = requests.get(f"{live_server.url}/api/v1/tickets/{ticket['id']}", timeout=5).json()
    assert finished["status"] == "done" and finished["outcome"] == "accepted"


def test_the_wait_so_far_ticks_while_the_ticket_is_at_the_window(live_server, page, clerks):
    issue(live_server, "invoice-agent")
    sign_in(page, live_server, "anna", "w29")
    open_window(page)
    page.keyboard.press("F1")
    expect(page.locator("#current")).to_be_visible()
    first = page.locator("#since-called").inner_text()

    expect(page.locator("#since-called")).not_to_have_text(first, timeout=3000)
    page.keyboard.press("4")
    expect(message(page)).to_contain_text("已办结：即办")


def test_a_refused_action_shows_the_servers_message_on_the_page(live_server, page, clerks):
    sign_in(page, live_server, "anna", "w18")

    page.keyboard.press("n")
    expect(message(page)).to_contain_text("窗口未开放")
    expect(message(page)).to_contain_text("请先点击“开窗”")
    open_window(page)
    page.keyboard.press("r")
    expect(message(page)).to_contain_text("当前没有正在办理的号")
    expect(message(page)).to_contain_text("no_current_ticket")


def test_a_paused_window_shows_its_reason_on_the_window_screen(live_server, browser, page, clerks):
    screen = browser.new_context(viewport={"width": 800, "height": 480}, locale="zh-CN").new_page()
    screen.goto(f"{live_server.url}/display/{SITE}/window/w19")
    sign_in(page, live_server, "anna", "w19")
    open_window(page)

    page.click("#pause-button")
    page.check('#pause-form input[value="培训"]')
    page.click("#pause-form button[type=submit]")

    expect(page.locator("#state-badge")).to_have_text("暂停服务（培训）")
    expect(screen.locator("#state-main")).to_have_text("暂停服务")
    expect(screen.locator("#state-detail")).to_have_text("原因：培训")
    page.keyboard.press("F1")
    expect(message(page)).to_contain_text("窗口暂停服务")
    page.click("#open-button")
    expect(page.locator("#state-badge")).to_have_text("开放中")
    expect(screen.locator("#state-main")).to_have_text("等待叫号")
    page.click("#close-button")
    expect(screen.locator("#state-main")).to_have_text("未开放")
    screen.context.close()


def test_a_ticket_is_transferred_to_an_item_found_by_its_pinyin_initials(live_server, page, clerks):
    ticket = issue(live_server, "road-freight-license")
    sign_in(page, live_server, "bo", "w13")
    open_window(page)
    page.keyboard.press("F1")
    expect(page.locator("#current-number")).to_have_text(ticket["number"])

    page.keyboard.press("t")
    page.keyboard.type("bdcdy")
    expect(page.locator("#transfer-list li").first).to_contain_text("不动产抵押登记")
    page.keyboard.press("Enter")

    expect(message(page)).to_have_text(f"{ticket['number']} 已转办至“不动产抵押登记”，保留原取号时间排队。")
    expect(page.locator("#current-empty")).to_be_visible()
    moved = requests.get(f"{live_server.url}/api/v1/tickets/{ticket['id']}", timeout=5).json()
    assert moved["status"] == "transferred" and moved["transferred_to"]


def test_a_window_read_answered_after_the_call_event_does_not_hide_the_call(live_server, page, clerks):
    ticket = issue(live_server, "chronic-disease")
    sign_in(page, live_server, "anna", "w16")
    open_window(page)
    window_url = f"{live_server.url}/api/v1/sites/{SITE}/windows/w16"
    queues_url = f"{live_server.url}/api/v1/sites/{SITE}/queues"
    held = []  # (route, the server's answer read at once), handed to the page later
    page.route(window_url, lambda route: held.append((route, None)))
    page.route(f"{window_url}/call-next", lambda route: held.append((route, route.fetch())))

    with page.expect_request(lambda request: request.url == window_url):
        page.keyboard.press("r")  # refused: nothing called yet; the page then reads its window (held)
    stale = requests.get(window_url, timeout=5).json()  # what that read sees: no ticket at the window
    with page.expect_request(queues_url):  # the waiting list follows the call's `waiting` event
        page.keyboard.press("F1")  # the call commits and its `window` event arrives; its answer is held
    expect(page.locator("#current")).to_be_visible()
    expect(page.locator("#current-number")).to_have_text(ticket["number"])

    assert stale["current"] is None and held[0][0].request.method == "GET"
    with page.expect_request(queues_url):  # asked right after the page has taken the window's answer
        held[0][0].fulfill(json=stale)
    expect(page.locator("#current")).to_be_visible()
    assert page.evaluate("window.counter.state().view.current.ticket") == ticket["number"]

    call_route, call_answer = held[1]
    page.unroute(window_url)  # the reads after the call's answer go through
    call_route.fulfill(response=call_answer)
    page.keyboard.press("4")
    expect(message(page)).to_have_text(f"{ticket['number']} 已办结：即办。")


def test_the_waiting_list_follows_new_tickets_without_polling(live_server, page, clerks):
    sign_in(page, live_server, "bo", "w22")
    row = page.locator('#queue-rows tr[data-queue="construction"]')
    expect(row).to_contain_text("工程建设（B）")
    before = int(row.locator("td").nth(1).inner_text().split()[0])
    requests_seen = []
    page.on("request", lambda request: requests_seen.append(request.url))

    issue(live_server, "presale-permit")

    expect(row.locator("td").nth(1)).to_have_text(f"{before + 1} 人")
    assert sum("/queues" in url for url in requests_seen) == 1, "one fetch, after the waiting event"


def test_a_second_clerk_cannot_take_an_occupied_window(live_server, browser, page, clerks):
    sign_in(page, live_server, "anna", "w23")
    open_window(page)
    other = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
    sign_in(other, live_server, "chen", "w23")

    expect(other.locator("#owner-note")).to_contain_text("该窗口正由其他工作人员使用")
    other.click("#open-button")

    expect(message(other)).to_contain_text("该窗口已由其他工作人员登录")
    expect(message(other)).to_contain_text("window_taken")
    other.keyboard.press("F1")
    expect(message(other)).to_contain_text("window_taken")
    expect(page.locator("#state-badge")).to_have_text("开放中")
    other.context.close()


def test_a_muted_lobby_display_raises_a_banner_on_the_counter(live_server, browser, page, clerks):
    sign_in(page, live_server, "bo", "w24")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    context.add_init_script(GESTURE_REQUIRED)
    lobby = context.new_page()
    lobby.goto(f"{live_server.url}/display/{SITE}/lobby#token={live_server.token(SITE, 'display', 'lobby')}")

    banner = page.locator('#banners [data-key="screen:lobby:lobby"]')
    expect(banner).to_contain_text("声音被浏览器阻止", timeout=15_000)
    lobby.click("#sound-button")
    expect(banner).to_have_count(0)
    context.close()
    expect(banner).to_contain_text("已断开连接")
    banner.get_by_role("button", name="知道了").click()
    expect(banner).to_have_count(0)


def test_a_wrong_password_is_said_on_the_page_and_logout_forgets_the_token(live_server, page, clerks):
    page.goto(f"{live_server.url}/counter/{SITE}")
    page.fill("#login-username", "anna")
    page.fill("#login-password", "wrong-password")
    page.click("#login-form button[type=submit]")
    expect(message(page)).to_contain_text("用户名或密码错误")

    sign_in(page, live_server, "anna", "w25")
    page.reload()
    expect(page.locator("#desk-view")).to_be_visible()  # the token and the window were kept
    page.click("#logout")
    expect(page.locator("#login-view")).to_be_visible()
    assert page.evaluate("localStorage.getItem('yichuang.counter.token')") is None


def test_printer_and_print_job_problems_come_and_go_as_banners(live_server, page, clerks):
    sign_in(page, live_server, "chen", "w26")
    page.wait_for_function("() => counter.stream.state === 'live'")
    # the kiosk's printing service announces these kinds; here they are fed to the page's stream
    feed = "([kind, payload]) => counter.stream.handlers.onEvent(kind, payload)"

    page.evaluate(feed, ["printer", {"site": SITE, "kiosk": "k1", "state": "paper_out", "detail": "打印机缺纸"}])
    page.evaluate(feed, ["print_job", {"site": SITE, "kiosk": "k1", "job": 7, "ticket": "A123",
                                       "ticket_id": "x", "status": "failed", "reason": "缺纸"}])

    banners = page.locator("#banners")
    expect(banners.locator('[data-key="printer:k1"]')).to_contain_text("取号机“一楼大厅取号机”：打印机缺纸")
    expect(banners.locator('[data-key="print_job:7"]')).to_contain_text("未能打印号票 A123：缺纸")
    page.evaluate(feed, ["printer", {"site": SITE, "kiosk": "k1", "state": "online", "detail": "打印机正常"}])
    page.evaluate(feed, ["print_job", {"site": SITE, "kiosk": "k1", "job": 7, "ticket": "A123",
                                       "ticket_id": "x", "status": "printed", "reason": None}])
    # only these two: the module's server is shared, and a screen an earlier test closed may still be said
    expect(banners.locator('[data-key="printer:k1"]')).to_have_count(0)
    expect(banners.locator('[data-key="print_job:7"]')).to_have_count(0)


def test_logging_out_takes_the_clerks_banners_with_it(live_server, page, clerks):
    sign_in(page, live_server, "chen", "w26")
    page.wait_for_function("() => counter.stream.state === 'live'")
    page.evaluate("([kind, payload]) => counter.stream.handlers.onEvent(kind, payload)",
                  ["print_job", {"site": SITE, "kiosk": "k1", "job": 8, "ticket": "A124", "ticket_id": "y",
                                 "status": "failed", "reason": "缺纸"}])
    banner = page.locator('#banners [data-key="print_job:8"]')
    expect(banner.get_by_role("button", name="补打号票")).to_be_visible()
    page.click("#logout")
    expect(page.locator("#login-view")).to_be_visible()
    expect(banner).to_have_count(0)
