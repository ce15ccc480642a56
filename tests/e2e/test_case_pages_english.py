"""The case pages in English, in Chromium on the example county: Chinese first, and the "English" switch turns
the phone's tracking page /c/<id> (statuses, history, days left, where to collect), the back office's page
(headings, filters, statuses, actions) and the toolbar of a window's document into English — the document
itself stays Chinese. The choice is remembered on the device; "中文" switches back."""

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
PASSWORD = "english-pass-1"
SHOTS = ROOT / "instance" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases-en")
    live = LiveServer(f"sqlite:///{folder / 'hall.db'}", log_path=folder / "server.log")
    live.start()
    for name, role, department in (("en-clerk", "clerk", None), ("en-office", "backoffice", "market")):
        command = [sys.executable, "-m", "flask", "--app", "server", "user", "add", name, "--role", role]
        if department:
            command += ["--department", department]
        subprocess.run(command, input=f"{PASSWORD}\n", text=True, cwd=ROOT, env=live.env, check=True,
                       capture_output=True)
    live.db_path = folder / "hall.db"
    yield live
    live.stop()


@pytest.fixture(scope="module")
def case(server):
    """An accepted case of the market department, due in two weeks, as a window's finish leaves it."""
    engine = create_engine(f"sqlite:///{server.db_path}")
    case_id, number = uuid.uuid4().hex, "202612010042"
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with engine.begin() as connection:
        connection.execute(insert(Case).values(
            id=case_id, site=SITE, number=number, service="company-registration", department="market",
            status="accepted", delivery="pickup", accepted_at=at, accepted_day=at.date(),
            deadline=at.date() + dt.timedelta(days=14), updated_at=at))
        connection.execute(insert(CaseEvent).values(case_id=case_id, status="accepted", at=at, actor="en-clerk"))
    engine.dispose()
    return {"id": case_id, "number": number}


def test_the_tracking_page_speaks_english_on_its_switch(server, browser, case):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2,
                                  is_mobile=True, bypass_csp=False)
    refused = []
    phone = context.new_page()
    phone.on("console", lambda message: refused.append(message.text)
             if "Content Security Policy" in message.text else None)
    phone.goto(f"{server.url}/c/{case['id']}")
    expect(phone.locator("#status")).to_have_text("已受理")  # Chinese first
    expect(phone.locator("#live")).to_contain_text("已连接")
    expect(phone.locator("#lang-toggle")).to_have_text("English")
    phone.click("#lang-toggle")
    expect(phone.locator("#status")).to_have_text("Accepted")
    expect(phone.locator("#number-label")).to_have_text("Case number")
    expect(phone.locator("#history li .step")).to_have_text(["Accepted"])
    expect(phone.locator("#days-left")).to_contain_text("working days left")
    expect(phone.locator("#hall")).to_have_text("Guzhen County Government Service Centre")  # the layout's name_en
    expect(phone.locator("#service")).to_have_text("企业设立登记")  # the layout gives the item no English name
    expect(phone.locator("#delivery")).to_have_text("Collect at a window")
    expect(phone.locator("#live")).to_contain_text("Connected")
    expect(phone.locator("#lang-toggle")).to_have_text("中文")
    assert phone.evaluate("document.documentElement.lang") == "en"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "no sideways scrolling at 360 px"
    phone.screenshot(path=str(SHOTS / "case-tracking-phone-en.png"))

    phone.reload()  # remembered on the phone, and a live move is drawn in English too
    expect(phone.locator("#status")).to_have_text("Accepted")
    expect(phone.locator("#live")).to_contain_text("Connected")
    phone.click("#lang-toggle")
    expect(phone.locator("#status")).to_have_text("已受理")
    expect(phone.locator("#number-label")).to_have_text("办件编号")
    assert refused == []
    context.close()


def test_the_back_office_speaks_english_on_its_switch(server, browser, case):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    office = context.new_page()
    office.goto(f"{server.url}/backoffice/{SITE}")
    expect(office.locator("#login-view h1")).to_have_text("后台审批人员登录")
    office.click("#lang-toggle")
    expect(office.locator("#login-view h1")).to_have_text("Back-office login")
    expect(office.locator("#login-form button[type=submit]")).to_have_text("Log in")
    office.fill("#login-username", "en-office")
    office.fill("#login-password", PASSWORD)
    office.click("#login-form button[type=submit]")
    row = office.locator(f'tr[data-number="{case["number"]}"]')
    expect(row.locator(".status")).to_have_text("Accepted")
    expect(office.locator("#cases thead th")).to_have_text(
        ["Case number", "Item", "Applicant", "Accepted", "Promised by", "Left", "Status", "Action"])
    expect(office.locator(".brand")).to_have_text("Yichuang · Back office")
    expect(row.locator('[data-action="decide"]')).to_have_text("Decide")
    expect(row.locator(".days")).to_contain_text("working days")
    expect(office.locator("#counts")).to_have_text("1 case")
    assert office.title() == "Back office · Guzhen County Government Service Centre"
    row.locator('[data-action="decide"]').click()
    expect(office.locator("#decide-approve")).to_have_text("Approve")
    office.click("#decide-reject")  # no note: the page asks for the reason, in English
    expect(office.locator("#message")).to_have_text("A refusal must give its reason.")
    office.screenshot(path=str(SHOTS / "backoffice-en.png"))
    office.locator("#decide-form button[value=cancel]").click()
    office.click("#lang-toggle")
    expect(office.locator("#cases thead th").first).to_have_text("办件编号")
    expect(row.locator(".status")).to_have_text("已受理")
    context.close()


def test_a_document_s_toolbar_speaks_english_and_the_document_stays_chinese(server, browser):
    clerk = requests.post(f"{server.url}/api/v1/auth/login", json={"username": "en-clerk", "password": PASSWORD},
                          timeout=5).json()
    headers = {"Authorization": f"Bearer {clerk['token']}"}
    window = f"{server.url}/api/v1/sites/{SITE}/windows/w18"
    requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets", json={"service": "company-registration"}, timeout=5)
    assert requests.post(f"{window}/open", headers=headers, timeout=5).status_code == 200
    called = requests.post(f"{window}/call-next", headers=headers, timeout=5).json()
    finished = requests.post(f"{window}/finish", json={"outcome": "notified", "missing": ["公司章程"]},
                             headers=headers, timeout=5)
    assert finished.status_code == 200, finished.text
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page.goto(f"{server.url}/documents/{called['id']}")
    expect(page.locator("#print")).to_have_text("打印")
    page.click("#lang-toggle")
    expect(page.locator("#print")).to_have_text("Print")
    expect(page.locator(".official")).to_be_visible()
    expect(page.locator(".sheet h1")).to_have_text("一次性告知书")  # the official document stays Chinese
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()  # the switch and its words never reach the paper
    page.emulate_media(media="screen")
    page.click("#lang-toggle")
    expect(page.locator("#print")).to_have_text("打印")
    expect(page.locator(".official")).to_be_hidden()
    page.context.close()
