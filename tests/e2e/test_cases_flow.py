"""A case from 受理 to 出件 in Chromium, on the example county: a window accepts an item and prints the
受理通知书; the back office approves it and makes it ready; the phone's tracking page shows 可领取 live; the
kiosk's 领取办件结果 issues a pickup ticket from the case number; the 综合出件 window calls it, sees the case
and delivers it. And an undecided case past its deadline shows on the manager's board."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import create_engine, insert

from server.config import ROOT
from server.models import Case, CaseEvent
from tests.support.live_server import LiveServer

SITE = "county"
PASSWORD = "case-pass-1"
SHOTS = ROOT / "instance" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases")
    live = LiveServer(f"sqlite:///{folder / 'hall.db'}", log_path=folder / "server.log",
                      extra_env={"HALL_ALERT_SECONDS": "1"})
    live.start()
    for name, role, department in (("case-clerk", "clerk", None), ("case-office", "backoffice", "market"),
                                   ("case-boss", "manager", None)):
        command = [sys.executable, "-m", "flask", "--app", "server", "user", "add", name, "--role", role]
        if department:
            command += ["--department", department]
        subprocess.run(command, input=f"{PASSWORD}\n", text=True, cwd=ROOT, env=live.env, check=True,
                       capture_output=True)
    live.db_path = folder / "hall.db"
    yield live
    live.stop()


def login(page, server, path: str, username: str):
    page.goto(f"{server.url}{path}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")  # the page's script runs
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")


def counter_at(page, server, window: str):
    login(page, server, f"/counter/{SITE}", "case-clerk")
    page.click(f'[data-window="{window}"]')
    expect(page.locator("#desk-view")).to_be_visible()
    page.click("#open-button")
    expect(page.locator("#state-badge")).to_have_text("开放中")


def test_a_case_from_acceptance_to_delivery(server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    issued = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets", json={"service": "company-registration"},
                           timeout=5).json()
    desk = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    counter = desk.new_page()
    counter_at(counter, server, "w18")
    counter.keyboard.press("F1")
    expect(counter.locator("#current-number")).to_have_text(issued["number"])
    counter.fill("#applicant-name", "张三")
    counter.fill("#applicant-phone", "13812345678")
    counter.keyboard.press("F1")  # a function key works from a field too (the ticket is still open: refused)
    expect(counter.locator("#message")).to_contain_text("current_ticket_open")
    expect(counter.locator("#applicant-phone")).to_have_value("13812345678")
    counter.locator("#checklist").click()  # leave the inputs, so the number key finishes
    with desk.expect_page() as opened:
        counter.keyboard.press("1")
    notice = opened.value
    notice.wait_for_load_state()
    expect(notice.locator("h1")).to_have_text("受理通知书")
    number = notice.locator(".doc-number").inner_text().split("：")[1].strip()
    expect(notice.locator(".facts")).to_contain_text("138****5678")
    expect(notice.locator("img.qr")).to_have_js_property("complete", True)
    assert notice.url.endswith("?print=1")  # it asked the browser to print at once
    sheet = desk.new_page()
    sheet.goto(notice.url.removesuffix("?print=1"))
    expect(sheet.locator("img.qr")).to_have_js_property("complete", True)
    sheet.pdf(path=str(SHOTS / "acceptance-notice.pdf"), format="A4")  # one A4 page (checked below)
    assert (SHOTS / "acceptance-notice.pdf").read_bytes().count(b"/Type /Page\n") == 1
    sheet.set_viewport_size({"width": 658, "height": 994})  # A4 within its margins, at 96 dpi
    sheet.emulate_media(media="print")
    sheet.screenshot(path=str(SHOTS / "acceptance-notice.png"), full_page=True)
    case_url = notice.locator("img.qr").get_attribute("src").removesuffix("/qr.svg")
    expect(counter.locator("#document-link")).to_contain_text(number)

    phone_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                        device_scale_factor=2, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(f"{server.url}{case_url}")
    expect(phone.locator("#status")).to_have_text("已受理")
    expect(phone.locator("#live")).to_contain_text("已连接")

    office = desk.new_page()
    login(office, server, f"/backoffice/{SITE}", "case-office")
    row = office.locator(f'tr[data-number="{number}"]')
    expect(row).to_contain_text("1 个工作日")
    row.locator('[data-action="decide"]').click()
    office.fill("#decide-note", "材料齐全，准予登记")
    office.click("#decide-approve")
    expect(row).to_have_attribute("data-status", "approved")
    row.locator('[data-action="ready"]').click()
    expect(row).to_have_attribute("data-status", "ready")
    expect(office.locator("#login-view")).to_be_hidden()
    office.screenshot(path=str(SHOTS / "backoffice.png"))

    expect(phone.locator("#status")).to_have_text("可领取")
    expect(phone.locator("#ready")).to_be_visible()
    expect(phone.locator("#where")).to_contain_text("30号窗口")
    phone.screenshot(path=str(SHOTS / "case-tracking-phone.png"), full_page=True)

    kiosk = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    kiosk.goto(f"{server.url}/kiosk/{SITE}/k1#token={server.token(SITE, 'kiosk', 'k1')}")
    kiosk.click("#pickup-tile")
    for digit in number:
        kiosk.click(f'#screen-pickup [data-key="{digit}"]')
    kiosk.click("#pickup-submit")
    expect(kiosk.locator("#ticket-number")).to_have_text("K001")
    expect(kiosk.locator("#ticket-qr")).to_have_js_property("complete", True)
    kiosk.screenshot(path=str(SHOTS / "kiosk-pickup-ticket.png"))

    pickup_desk = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    pickup = pickup_desk.new_page()
    counter_at(pickup, server, "w30")
    pickup.keyboard.press("F1")
    expect(pickup.locator("#current-number")).to_have_text("K001")
    expect(pickup.locator("#pickup-case")).to_contain_text(number)
    expect(pickup.locator("#pickup-case")).to_contain_text("可领取")
    pickup.screenshot(path=str(SHOTS / "counter-pickup-case.png"))
    pickup.click("#deliver-button")
    expect(pickup.locator("#message")).to_contain_text("已领取（出件）")
    expect(pickup.locator("#current-empty")).to_be_visible()
    expect(phone.locator("#status")).to_have_text("已领取")
    answer = requests.get(f"{server.url}/api/v1{case_url.replace('/c/', '/cases/')}", timeout=5).json()
    assert [step["status"] for step in answer["history"]] == ["accepted", "approved", "ready", "delivered"]
    for context in (desk, phone_context, kiosk.context, pickup_desk):
        context.close()


def test_an_undecided_case_past_its_deadline_shows_on_the_board(server, browser):
    engine = create_engine(f"sqlite:///{server.db_path}")
    overdue_id, number = uuid.uuid4().hex, "202601050099"
    at = dt.datetime(2026, 1, 5, 2, 0)
    with engine.begin() as connection:
        connection.execute(insert(Case).values(
            id=overdue_id, site=SITE, number=number, service="company-registration", department="market",
            status="accepted", delivery="pickup", accepted_at=at, accepted_day=at.date(),
            deadline=dt.date(2026, 1, 6), updated_at=at))
        connection.execute(insert(CaseEvent).values(case_id=overdue_id, status="accepted", at=at, actor="case-clerk"))
    engine.dispose()
    board = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    login(board, server, f"/manage/{SITE}", "case-boss")
    expect(board.locator("#alerts")).to_contain_text(f"办件{number}", timeout=15000)
    expect(board.locator("#alerts")).to_contain_text("已超过承诺时限")
    board.screenshot(path=str(SHOTS / "board-case-overdue.png"))
    board.context.close()
