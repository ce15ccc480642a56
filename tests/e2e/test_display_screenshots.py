"""A busy morning on the example county: the lobby display at 1920x1080, the window screen at
1280x400 and 800x480, and the counter fit their screens with nothing cut off. The screenshots go to
HALL_SCREENSHOT_DIR when it is set (docs/screenshots/ holds the README ones)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

SITE = "county"
USER, PASSWORD = "morning-clerk", "morning-pass-1"
# (window, service) pairs called in this order; the newest call is the last
CALLS = [("w30", "result-pickup"), ("w3", "water-account-transfer"), ("w8", "id-card-first"),
         ("w12", "road-freight-license"), ("w14", "medical-offsite-filing"), ("w23", "mortgage-registration"),
         ("w21", "presale-permit"), ("w27", "invoice-agent"), ("w9", "id-card-first"), ("w17", "company-registration")]
WAITING = ["company-registration", "company-change", "id-card-first", "id-card-first", "mortgage-registration",
           "water-account-transfer", "presale-permit", "invoice-agent", "medical-offsite-filing"]
# Every element that must be whole: inside the screen, inside any box that clips it, its text not
# running out sideways.
FITS = """selectors => {
  const clipper = (element) => {
    for (let box = element.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX !== "visible" || style.overflowY !== "visible") return box;
    }
    return null;
  };
  const within = (inner, outer) => inner.top >= outer.top - 0.5 && inner.left >= outer.left - 0.5 &&
    inner.bottom <= outer.bottom + 0.5 && inner.right <= outer.right + 0.5;
  const screen = { top: 0, left: 0, bottom: innerHeight, right: innerWidth };
  return selectors.flatMap((selector) => [...document.querySelectorAll(selector)].map((element) => {
    const box = element.getBoundingClientRect();
    const clip = clipper(element);
    const whole = within(box, screen) && (!clip || within(box, clip.getBoundingClientRect())) &&
      element.scrollWidth <= element.clientWidth + 1;
    return whole ? null : `${selector}: ${element.textContent.trim().slice(0, 40)}`;
  })).filter(Boolean);
}"""


@pytest.fixture(scope="module")
def morning(live_server) -> dict:
    """Ten calls on ten windows, a paused window, people waiting in most queues."""
    live_server.add_user(USER, PASSWORD)
    clerk = live_server.login(USER, PASSWORD)
    api = f"{live_server.url}/api/v1/sites/{SITE}"
    for window, service in CALLS:
        requests.post(f"{api}/tickets", json={"service": service}, timeout=5).raise_for_status()
        requests.post(f"{api}/windows/{window}/open", headers=clerk, timeout=5).raise_for_status()
        requests.post(f"{api}/windows/{window}/call-next", headers=clerk, timeout=5).raise_for_status()
    for service in WAITING:
        requests.post(f"{api}/tickets", json={"service": service}, timeout=5).raise_for_status()
    requests.post(f"{api}/windows/w13/open", headers=clerk, timeout=5).raise_for_status()
    requests.post(f"{api}/windows/w13/pause", json={"reason": "会议"}, headers=clerk, timeout=5).raise_for_status()
    return clerk


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("HALL_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_lobby_display_fits_a_1080p_tv(live_server, page, morning, screenshots):
    page.goto(f"{live_server.url}/display/{SITE}/lobby")
    page.wait_for_function("() => window.lobby && lobby.stream.state === 'live'", timeout=15_000)
    expect(page.locator("#hero-ticket")).to_have_text("A001")
    expect(page.locator("#recent-list li")).to_have_count(8)

    page.screenshot(path=screenshots / "display-lobby.png")
    cut = page.evaluate(FITS, [".hall-name", ".clock-time", "#hero-ticket", ".hero-to", "#hero-window-name",
                               "#recent-list li", "#waiting-list li", ".queue-name", ".notice"])

    assert cut == []
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")
    assert page.evaluate("parseFloat(getComputedStyle(document.getElementById('hero-ticket')).fontSize)") >= 200


@pytest.mark.parametrize("size", [(1280, 400), (800, 480)])
def test_the_window_screen_fits_small_screens(live_server, browser, morning, screenshots, size):
    width, height = size
    page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/display/{SITE}/window/w17")
    expect(page.locator("#state-main")).to_have_text("A001")
    expect(page.locator("#state-label")).to_have_text("请到本窗口办理")

    assert page.evaluate(FITS, [".window-number", "#window-name", "#state-main", "#state-label",
                                "#window-queues"]) == []
    page.screenshot(path=screenshots / ("window-screen.png" if width == 1280 else f"window-screen-{width}x{height}.png"))
    page.goto(f"{live_server.url}/display/{SITE}/window/w13")
    expect(page.locator("#state-main")).to_have_text("暂停服务")
    expect(page.locator("#state-detail")).to_have_text("原因：会议")
    assert page.evaluate(FITS, ["#state-main", "#state-detail"]) == []
    page.context.close()


def test_the_counter_fits_a_window_pc(live_server, page, morning, screenshots):
    page.goto(f"{live_server.url}/counter/{SITE}")
    page.fill("#login-username", USER)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.click('[data-window="w17"]')
    expect(page.locator("#current-number")).to_have_text("A001")
    page.keyboard.press("s")
    expect(page.locator("#current-status")).to_have_text("办理中")
    page.locator("#checklist input").nth(0).check()
    page.locator("#checklist input").nth(1).check()
    expect(page.locator('#queue-rows tr[data-queue="business"]')).to_contain_text("2 人")
    page.locator("#message").evaluate("box => box.hidden = true")

    assert page.evaluate(FITS, [".current-number", "#current-service", ".actions button", ".outcomes button",
                                "#queue-rows tr"]) == []
    page.screenshot(path=screenshots / "counter.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
