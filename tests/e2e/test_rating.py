"""好差评 in chromium: a clerk finishes a ticket, the window's pad (1280×800) shows its form within a second, the
citizen taps 不满意 and a reason; the manager sees the bad_rating alert and the rectification on the board, acts on
it, and the statistics show the rating. The phone (360×740) rates another ticket the same way, and says so once
rated. A pad without its token is refused."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

SITE = "county"
WINDOW = "w17"
MANAGER = ("lan", "lan-manager-1")
CLERK = ("wei", "wei-clerk-123")


@pytest.fixture(scope="module")
def people(live_server):
    live_server.add_user(*MANAGER, role="manager")
    live_server.add_user(*CLERK)
    clerk = live_server.login(*CLERK)
    windows = f"{live_server.url}/api/v1/sites/{SITE}/windows/{WINDOW}"
    assert requests.post(f"{windows}/open", headers=clerk, timeout=5).status_code == 200
    return live_server.login(*MANAGER), clerk


def serve(server, clerk) -> dict:
    """A ticket issued at the kiosk, called and then finished at the window (the finish is returned)."""
    ticket = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets",
                           json={"service": "company-registration", "kiosk": "k1"},
                           headers={"X-Kiosk-Token": server.token(SITE, "kiosk", "k1")}, timeout=5).json()
    windows = f"{server.url}/api/v1/sites/{SITE}/windows/{WINDOW}"
    called = requests.post(f"{windows}/call-next", headers=clerk, timeout=5)
    assert called.status_code == 200 and called.json()["id"] == ticket["id"], called.text
    return ticket


def finish(server, clerk) -> None:
    windows = f"{server.url}/api/v1/sites/{SITE}/windows/{WINDOW}"
    finished = requests.post(f"{windows}/finish", headers=clerk, json={"outcome": "accepted"}, timeout=5)
    assert finished.status_code == 200, finished.text


def keep(server, name: str) -> Path:
    path = server.log_path.parent / name
    return path


def publish(path: Path) -> None:
    """The README's screenshots are written again only when HALL_SCREENSHOT_DIR names where (docs/screenshots)."""
    folder = os.environ.get("HALL_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def test_a_pad_without_its_token_says_so(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/rate/{SITE}/{WINDOW}")
    expect(page.locator("#problem")).to_contain_text("token_required")
    context.close()


def test_pad_rating_reaches_the_managers_board_and_the_statistics(live_server, browser, people):
    manager, clerk = people
    pad_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pad = pad_context.new_page()
    pad.goto(f"{live_server.url}/rate/{SITE}/{WINDOW}#token={live_server.token(SITE, 'pad', WINDOW)}")
    expect(pad.locator("#connection")).to_have_attribute("data-state", "live")
    expect(pad.locator("#clerk")).to_have_text(CLERK[0])
    pad.screenshot(path=str(keep(live_server, "rating-pad-idle.png")))

    ticket = serve(live_server, clerk)
    finish(live_server, clerk)
    expect(pad.locator("#rate")).to_be_visible(timeout=1000)  # within a second of the finish
    expect(pad.locator("#rate-number")).to_have_text(f"{ticket['number']}号")
    expect(pad.locator(".rating-level")).to_have_count(5)
    pad.screenshot(path=str(keep(live_server, "rating-pad.png")))

    pad.click('.rating-level[data-level="2"]')
    expect(pad.locator(".rating-detail")).to_be_visible()
    pad.click(".rating-send")
    expect(pad.locator(".rating-error")).to_contain_text("请至少选择一个原因")  # a bad rating needs its reason
    pad.click('.rating-reason[data-reason="waiting"]')
    pad.screenshot(path=str(keep(live_server, "rating-pad-reasons.png")))
    pad.click(".rating-send")
    expect(pad.locator("#thanks")).to_be_visible()
    expect(pad.locator("#thanks-title")).to_have_text("感谢您的评价！")
    pad.screenshot(path=str(keep(live_server, "rating-pad-thanks.png")))
    rated = requests.get(f"{live_server.url}/api/v1/tickets/{ticket['id']}/rating", timeout=5).json()["rating"]
    assert (rated["level"], rated["reasons"], rated["channel"]) == (2, ["waiting"], "pad")

    board_context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    board = board_context.new_page()
    board.goto(f"{live_server.url}/manage/{SITE}")
    board.fill("#login-username", MANAGER[0])
    board.fill("#login-password", MANAGER[1])
    board.click("#login-form button[type=submit]")
    expect(board.locator(".alert.kind-bad_rating").first).to_contain_text("等候时间过长", timeout=10_000)
    card = board.locator(f'.rectification:has-text("{ticket["number"]}号")')
    expect(card).to_contain_text("不满意")
    expect(card).to_contain_text("等候时间过长")
    expect(card).to_contain_text(CLERK[0])
    card.locator(".rect-action").select_option("contact")
    card.locator(".rect-note").fill("已向群众致歉，说明原因")
    card.locator("button[type=submit]").click()
    expect(card.locator(".rect-status")).to_have_text("已回访")
    expect(card.locator(".rect-actions")).to_contain_text(f"{MANAGER[0]} 回访/联系：已向群众致歉")
    card.locator(".rect-action").select_option("resolve")
    card.locator(".rect-note").fill("午间增开窗口")
    card.locator("button[type=submit]").click()
    expect(card.locator(".rect-status")).to_have_text("已整改")

    today = requests.get(f"{live_server.url}/api/v1/sites/{SITE}/monitor", headers=manager, timeout=5).json()["at"]
    day = dt.datetime.fromisoformat(today.replace("Z", "+00:00")).astimezone(dt.timezone(dt.timedelta(hours=8)))
    board.fill("#stats-from", day.date().isoformat())
    board.fill("#stats-to", day.date().isoformat())
    board.select_option("#stats-by", "window")
    board.click("#stats-form button[type=submit]")
    row = board.locator("#stats-table tbody tr", has_text="17号窗口")
    expect(row).to_be_visible()
    cells = row.locator("td")
    expect(cells.nth(8)).to_have_text("1")  # 评价
    expect(cells.nth(10)).to_have_text("1")  # 差评
    board.screenshot(path=str(keep(live_server, "rating-board.png")), full_page=True)

    card.locator(".rect-action").select_option("appeal")
    card.locator(".rect-note").fill("窗口申诉：该号已当场办结")
    card.locator("button[type=submit]").click()
    expect(card.locator(".rect-status")).to_have_text("申诉中")
    expect(card.locator(".rect-verdict")).to_be_visible()
    card.locator(".rect-verdict").select_option("upheld")
    card.locator(".rect-note").fill("复核：申诉成立")
    card.locator("button[type=submit]").click()
    expect(card).to_have_count(0)  # closed: off the open list
    expect(board.locator(".alert.kind-bad_rating")).to_have_count(0)
    board.click("#stats-form button[type=submit]")
    expect(row.locator("td").nth(8)).to_have_text("0")  # set aside on appeal: no longer counted
    pad_context.close()
    board_context.close()


def test_the_phone_offers_the_form_after_service_and_says_once_it_is_rated(live_server, browser, people):
    _, clerk = people
    ticket = serve(live_server, clerk)
    phone_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True,
                                        has_touch=True)
    phone = phone_context.new_page()
    phone.goto(f"{live_server.url}/t/{ticket['id']}")
    expect(phone.locator("#live")).to_have_attribute("data-state", "live")
    expect(phone.locator("#rating")).to_be_hidden()
    finish(live_server, clerk)
    expect(phone.locator("#rating .rating-level")).to_have_count(5)
    phone.locator("#rating").scroll_into_view_if_needed()
    phone.screenshot(path=str(keep(live_server, "rating-phone.png")), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the phone page is {width}px wide"
    phone.click('#rating .rating-level[data-level="1"]')
    expect(phone.locator("#rating .rating-phone")).to_be_visible()  # a bad rating may leave a call-back number
    phone.click('#rating .rating-reason[data-reason="slow"]')
    phone.screenshot(path=str(keep(live_server, "rating-phone-reasons.png")), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.click("#rating .rating-back")
    phone.click('#rating .rating-level[data-level="4"]')
    expect(phone.locator("#rating-note")).to_have_text("感谢您的评价！")
    phone.reload()
    expect(phone.locator("#rating-note")).to_contain_text("您已评价：满意")
    phone.screenshot(path=str(keep(live_server, "rating-phone-rated.png")), full_page=True)
    again = requests.post(f"{live_server.url}/api/v1/tickets/{ticket['id']}/rating",
                          json={"level": 1, "reasons": ["slow"], "channel": "phone"}, timeout=5)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    phone_context.close()
    for name in ("rating-pad.png", "rating-pad-reasons.png", "rating-phone.png", "rating-phone-reasons.png",
                 "rating-board.png"):
        if keep(live_server, name).exists():
            publish(keep(live_server, name))


def test_the_clerk_sees_the_level_and_reasons_of_their_own_services_on_the_counter(live_server, browser, people):
    _, clerk = people
    ticket = serve(live_server, clerk)
    finish(live_server, clerk)
    rated = requests.post(f"{live_server.url}/api/v1/tickets/{ticket['id']}/rating", timeout=5,
                          json={"level": 1, "reasons": ["slow"], "comment": "张三太慢", "phone": "13800138000",
                                "channel": "phone"})
    assert rated.status_code == 201, rated.text
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/counter/{SITE}")
    page.fill("#login-username", CLERK[0])
    page.fill("#login-password", CLERK[1])
    page.click("#login-form button[type=submit]")
    chooser = page.locator(f'#window-grid [data-window="{WINDOW}"]')
    if chooser.count():
        chooser.first.click()
    expect(page.locator("#my-ratings-summary")).to_contain_text("条评价", timeout=10_000)
    items = page.locator("#my-ratings li")
    expect(items.first).to_be_visible()
    text = page.locator("#my-ratings").inner_text()
    assert "非常不满意" in text and "办理效率低" in text and ticket["number"] in text  # level, reasons, number
    assert "张三" not in text and "8000" not in text  # never the citizen's words or number
    page.locator(".my-ratings-panel").screenshot(path=str(keep(live_server, "rating-counter.png")))
    publish(keep(live_server, "rating-counter.png"))
    context.close()
