"""弹性窗口 in chromium, on a live server: a queue waits past its target; the manager clicks 安排协助 on the
board's suggestion, the clerk's counter at that window shows the banner at once, and the clerk's next call
takes a ticket of the assigned queue (its own, older ticket waits). 撤销 puts the window back. A counter
opened after the kiosk's printer failed says so from the start and reprints a failed ticket with one click.
Screenshots go to HALL_SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import create_engine, update

from server.config import ROOT
from server.models import Ticket
from tests.support.live_server import LiveServer, wait_until

SITE = "elastic"
LAYOUT = ROOT / "tests" / "support" / "layouts" / "elastic_hall.yaml"
MANAGER = ("mei", "mei-manager-1")
CLERK = ("dan", "dan-clerk-123")


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    folder = tmp_path_factory.mktemp("elastic")
    database = f"sqlite:///{folder / 'hall.db'}"
    server = LiveServer(database, layout=str(LAYOUT), log_path=folder / "server.log")
    server.start()
    server.add_user(*MANAGER, role="manager")
    server.add_user(*CLERK)
    server.database = database
    yield server
    server.stop()


def shots(server) -> Path:
    """Where the screenshots go: HALL_SCREENSHOT_DIR when it is set (docs/screenshots/ holds the README's)."""
    folder = Path(os.environ.get("HALL_SCREENSHOT_DIR") or server.log_path.parent)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def issue(server, service: str) -> dict:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets", json={"service": service, "kiosk": "k1"},
                             headers={"X-Kiosk-Token": server.token(SITE, "kiosk", "k1")}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def waited(server, ticket: dict, minutes: float) -> None:
    """As if the ticket had been issued ``minutes`` ago (the live server runs on the real clock)."""
    engine = create_engine(server.database)
    with engine.begin() as connection:
        issued = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=minutes)
        connection.execute(update(Ticket).where(Ticket.id == ticket["id"]).values(issued_at=issued))
    engine.dispose()


def counter_at(page, server, window: str):
    page.goto(f"{server.url}/counter/{SITE}")
    page.fill("#login-username", CLERK[0])
    page.fill("#login-password", CLERK[1])
    page.click("#login-form button[type=submit]")
    page.click(f'[data-window="{window}"]')
    expect(page.locator("#desk-view")).to_be_visible()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def board(page, server):
    page.goto(f"{server.url}/manage/{SITE}")
    page.fill("#login-username", MANAGER[0])
    page.fill("#login-password", MANAGER[1])
    page.click("#login-form button[type=submit]")
    expect(page.locator("#board-view")).to_be_visible()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def test_a_manager_assigns_a_window_from_a_suggestion_and_the_clerk_s_next_call_takes_that_queue(hall, browser, page):
    own = issue(hall, "marriage-cert")  # window 5's own queue: without the assignment its next call
    company = issue(hall, "company-setup")
    # Waits are said rounded up (past a 30-minute promise reads 31): 44 min 3 s reads "45" for almost a
    # minute, whenever the rules run (45 min exactly would read "46" a second later).
    waited(hall, own, 44.05)
    waited(hall, company, 39.05)  # past the company queue's 30-minute promise
    boss, clerk = hall.login(*MANAGER), hall.login(*CLERK)
    windows = f"{hall.url}/api/v1/sites/{SITE}/windows"
    for action in ("open", "close"):  # an event of the site: its alert rules run within a second or so
        assert requests.post(f"{windows}/w1/{action}", headers=clerk, timeout=5).status_code == 200
    wait_until(lambda: {a["subject"] for a in requests.get(f"{hall.url}/api/v1/sites/{SITE}/alerts", headers=boss,
                                                           timeout=5).json() if a["kind"] == "wait_over_target"}
               == {"biz", "general"}, timeout=20, message="both queues' wait alerts")

    counter_at(page, hall, "w5")
    page.click("#open-button")
    expect(page.locator("#state-badge")).to_have_text("开放中")
    alert_banners = page.locator('#banners .banner[data-key^="alert:"]')
    expect(alert_banners).to_have_count(1)  # opened before the page: read when it starts
    expect(alert_banners.first).to_contain_text("民生综合最久已等候 45 分钟")

    manager = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    try:
        board(manager, hall)
        suggestion = manager.locator('#suggestions li[data-window="w5"][data-queue="biz"]')
        expect(suggestion).to_contain_text("可协助")
        expect(suggestion.locator("button.assign")).to_have_text("安排协助")
        manager.screenshot(path=str(shots(hall) / "board-suggestion.png"), full_page=True)
        suggestion.locator("button.assign").click()
        dialog = manager.locator("#assign-dialog")
        expect(dialog).to_be_visible()
        until = manager.locator("#assign-until").input_value()
        assert len(until) == 5 and until[2] == ":", until
        dialog.locator("#assign-confirm").click()

        card = manager.locator('#windows [data-window="w5"]')
        expect(card.locator(".window-assignment")).to_contain_text(f"协助 企业登记 · 至 {until}")
        expect(card.locator(".window-assignment button.undo")).to_have_text("撤销")
        # Both late queues are served now: the board says so, not that every queue is within its target.
        expect(manager.locator("#no-suggestions")).to_have_text(
            "超过承诺时间的队列均有窗口在办理 / every queue past its target has a window serving it")

        banner = page.locator('#banners .banner[data-key="assignment"]')
        expect(banner).to_contain_text(f"管理员已安排本窗口协助办理 企业登记 队列，至 {until}", timeout=2000)
        expect(page.locator('#queue-rows tr[data-queue="biz"]')).to_contain_text("协助")
        expect(alert_banners).to_have_count(2)  # the company queue's wait concerns the window now
        expect(page.locator("#banners")).to_contain_text("企业登记最久已等候 40 分钟")
        manager.screenshot(path=str(shots(hall) / "board-assigned.png"), full_page=True)

        page.keyboard.press("F1")
        expect(page.locator("#current-number")).to_have_text(company["number"])
        page.screenshot(path=str(shots(hall) / "counter-assigned.png"), full_page=True)

        card.locator(".window-assignment button.undo").click()
        expect(card.locator(".window-assignment")).to_have_count(0)
        expect(banner).to_have_count(0, timeout=2000)
    finally:
        manager.context.close()


def test_a_counter_opened_after_the_printer_failed_shows_it_and_reprints_with_one_click(hall, page):
    ticket = issue(hall, "marriage-cert")
    clerk = hall.login(*CLERK)
    jobs = f"{hall.url}/api/v1/sites/{SITE}/print-jobs?status=failed"
    failed = wait_until(lambda: [j for j in requests.get(jobs, headers=clerk, timeout=5).json()
                                 if j["ticket"] == ticket["number"]], timeout=30, message="the print to fail")
    counter_at(page, hall, "w1")
    printer = page.locator('#banners .banner[data-key="printer:k1"]')
    expect(printer).to_contain_text("大厅取号机")
    job = page.locator(f'#banners .banner[data-key="print_job:{failed[0]["id"]}"]')
    expect(job).to_contain_text(ticket["number"])
    job.locator("button.banner-action").click()
    expect(page.locator("#message")).to_contain_text(f"已在取号机补打号票 {ticket['number']}")
    wait_until(lambda: len([j for j in requests.get(jobs, headers=clerk, timeout=5).json()
                            if j["ticket"] == ticket["number"]]) == 2, timeout=30, message="the reprint to fail too")
    page.screenshot(path=str(shots(hall) / "counter-printer.png"), full_page=True)


def test_the_default_end_of_an_assignment_is_an_hour_away_or_the_hall_s_closing_if_sooner(hall, page):
    page.goto(f"{hall.url}/manage/{SITE}")
    hours = [{"days": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "17:30"}]
    until = page.evaluate("""([hours, moments]) => moments.map((moment) =>
        BoardAssign.defaultUntil("Asia/Shanghai", hours, new Date(moment)))""",
                          [hours, ["2026-01-05T01:00:00Z",    # Monday 09:00 in the hall
                                   "2026-01-05T09:00:00Z",    # Monday 17:00: the hall closes at 17:30
                                   "2026-01-05T10:00:00Z",    # Monday 18:00, after closing: an hour
                                   "2026-01-10T09:00:00Z",    # Saturday 17:00, closed all day: an hour
                                   "2026-01-05T15:30:00Z"]])  # Monday 23:30: not past the day's end
    assert until == ["10:00", "17:30", "19:00", "18:00", "23:59"]
