"""A ticket taken on the third floor and called by a first-floor window (overflow) is shown on the third
floor's display with the floor it must go to; the first floor's display shows it as its own window's call."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from server.config import ROOT
from tests.support.live_server import LiveServer

SITE = "floors"
LIVE = "() => window.lobby && lobby.stream.state === 'live'"


@pytest.fixture(scope="module")
def floors_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("floors")
    server = LiveServer(f"sqlite:///{folder / 'hall.db'}", layout=str(ROOT / "tests/support/layouts/two_floors.yaml"),
                        log_path=folder / "server.log")
    server.start()
    server.add_user("floor-clerk", "floor-pass-1")
    yield server
    server.stop()


def open_display(browser, server, display: str):
    page = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
    page.goto(f"{server.url}/display/{SITE}/{display}?voice=off")
    page.wait_for_function(LIVE, timeout=15_000)
    return page


def test_an_overflow_call_downstairs_shows_upstairs_with_its_floor(browser, floors_server):
    upstairs, downstairs = open_display(browser, floors_server, "floor3"), open_display(browser, floors_server, "floor1")
    ticket = requests.post(f"{floors_server.url}/api/v1/sites/{SITE}/tickets",
                           json={"service": "company-registration", "kiosk": "k3"}, timeout=5).json()
    assert [group["text"] for group in ticket["where"]] == ["三楼 31、32号窗口", "一楼 3号窗口"]
    clerk = floors_server.login("floor-clerk", "floor-pass-1")
    for action in ("open", "call-next"):
        response = requests.post(f"{floors_server.url}/api/v1/sites/{SITE}/windows/w3/{action}", headers=clerk,
                                 timeout=5)
        assert response.status_code == 200, response.text

    expect(upstairs.locator("#hero-ticket")).to_have_text(ticket["number"])
    expect(upstairs.locator(".hero-to")).to_have_text("请到 一楼3 号窗口")
    expect(upstairs.locator("#recent-list li").first).to_contain_text("一楼 3号窗口")
    expect(downstairs.locator("#hero-ticket")).to_have_text(ticket["number"])
    expect(downstairs.locator("#hero-floor")).to_have_text("")  # its own floor needs no saying
