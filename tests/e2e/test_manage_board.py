"""The manager's board in chromium: a manager logs in, sees the hall live, a clerk's call reaches the board
within a second, an alert is acknowledged with one click, and last month's statistics are drawn and
downloaded as Excel."""

from __future__ import annotations

import io

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect

SITE = "county"
MANAGER = ("mei", "mei-manager-1")
CLERK = ("dan", "dan-clerk-123")


@pytest.fixture(scope="module")
def people(live_server):
    live_server.add_user(*MANAGER, role="manager")
    live_server.add_user(*CLERK)
    return live_server.login(*MANAGER), live_server.login(*CLERK)


def issue(server, service: str = "company-registration") -> dict:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets",
                             json={"service": service, "kiosk": "k1"},
                             headers={"X-Kiosk-Token": server.token(SITE, "kiosk", "k1")}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def sign_in(page, server):
    page.goto(f"{server.url}/manage/{SITE}")
    page.fill("#login-username", MANAGER[0])
    page.fill("#login-password", MANAGER[1])
    page.click("#login-form button[type=submit]")
    expect(page.locator("#board-view")).to_be_visible()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def test_the_board_follows_a_call_within_a_second(live_server, page, people):
    _, clerk = people
    ticket = issue(live_server)
    sign_in(page, live_server)
    expect(page.locator('#queues tr[data-queue="business"] td.waiting')).not_to_have_text("0")
    windows = f"{live_server.url}/api/v1/sites/{SITE}/windows/w17"
    assert requests.post(f"{windows}/open", headers=clerk, timeout=5).status_code == 200
    called = requests.post(f"{windows}/call-next", headers=clerk, timeout=5).json()
    assert called["number"] == ticket["number"]
    card = page.locator('[data-window="w17"]')
    expect(card.locator(".window-current")).to_contain_text(ticket["number"], timeout=1000)
    expect(card.locator(".window-clerk")).to_have_text(CLERK[0])
    page.screenshot(path=str(live_server.log_path.parent / "board.png"), full_page=True)


def test_a_manager_acknowledges_an_alert_with_one_click(live_server, page, people):
    manager, _ = people
    issue(live_server)  # an event of the site: its alert rules run within a second or two
    sign_in(page, live_server)
    # The lobby TVs of the county were never switched on in this test: each is an open alert.
    expect(page.locator(".alert.kind-screen").first).to_be_visible(timeout=10_000)
    alert = page.locator(".alert.kind-screen").first
    alert.locator("button.ack").click()
    expect(page.locator(".alert.kind-screen.acked").first).to_contain_text(f"{MANAGER[0]} 已确认")
    acked = requests.get(f"{live_server.url}/api/v1/sites/{SITE}/alerts", headers=manager, timeout=5).json()
    assert any(a["acked_by"] == MANAGER[0] for a in acked)


def test_last_month_s_statistics_are_drawn_and_downloaded_as_excel(live_server, page, people):
    sign_in(page, live_server)
    page.select_option("#stats-by", "service")
    page.click("#stats-form button[type=submit]")
    expect(page.locator("#stats-table tbody tr.total th")).to_have_text("合计")
    expect(page.locator("#stats-chart canvas")).to_have_count(1)
    with page.expect_download() as download:
        page.click("#export-xlsx")
    content = download.value.path().read_bytes()
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.cell(row=2, column=1).value == "事项" and sheet.cell(row=sheet.max_row, column=1).value == "合计"


def test_the_board_asks_nothing_before_the_login_so_no_refusal_can_undo_it(live_server, page, people):
    """The anonymous stream's snapshot (the page follows the hall from the start) must not make the board
    ask for the monitor without a token: the refusal, answered while the manager logs in, used to log out
    the login that had just succeeded."""
    anonymous = []
    page.on("request", lambda request: anonymous.append(request.url)
            if "/monitor" in request.url and "authorization" not in request.headers else None)
    page.goto(f"{live_server.url}/manage/{SITE}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")  # the snapshot has come
    sign_in(page, live_server)
    expect(page.locator("#queues tbody tr").first).to_be_visible()
    assert anonymous == []


def test_a_wrong_password_is_said_and_logging_out_forgets_the_token(live_server, page, people):
    page.goto(f"{live_server.url}/manage/{SITE}")
    page.fill("#login-username", MANAGER[0])
    page.fill("#login-password", "not-the-password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("用户名或密码错误")
    expect(page.locator("#board-view")).to_be_hidden()

    sign_in(page, live_server)
    expect(page.locator("#user-name")).to_have_text(MANAGER[0])
    page.reload()
    expect(page.locator("#board-view")).to_be_visible()  # the token was kept
    page.click("#logout")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#board-view")).to_be_hidden()
    expect(page.locator("#user-box")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('yichuang.manage.token')") is None
