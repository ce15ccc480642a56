"""Calls reach the lobby display and the window screen at once, in seq order, announced with the right
clips; a muted display says so; a missed event makes the screen resynchronise without announcing twice."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from playwright.sync_api import expect

from display.voice.manifest import load_manifest
from display.voice.speech import call_clips
from layout.loader import load_layout
from server.config import DEFAULT_LAYOUT
from tests.support.live_server import wait_until

SITE = "county"
CLERK, PASSWORD = "display-clerk", "display-pass-1"
LIVE = "() => window.lobby && lobby.stream.state === 'live' && window.announcer && announcer.status === 'ok'"
# What the announcer will say, in order: calls played or playing, then calls waiting their turn.
ANNOUNCED = """() => {
  const played = announcer.history.map((entry) => entry.ticket);
  const waiting = announcer.queue.map((item) => item.ticket);
  const last = announcer.history[announcer.history.length - 1];
  if (last && last.endedAt === null) waiting.shift();  // the one playing is in both lists
  return played.concat(waiting);
}"""
# Chrome's desktop rule (headless chromium plays sound without a gesture whatever the flags say):
# an AudioContext starts suspended and resumes only after a real click. Playwright's own page
# evaluations count as user activation, so only trusted pointer events open the gate here.
GESTURE_REQUIRED = """
(() => {
  let clicked = false;
  window.addEventListener("pointerdown", (event) => { if (event.isTrusted) clicked = true; }, true);
  const RealAudioContext = window.AudioContext;
  const realResume = RealAudioContext.prototype.resume;
  window.AudioContext = class extends RealAudioContext {
    constructor(...args) { super(...args); this.suspend(); }
    resume() { return clicked ? realResume.call(this) : new Promise(() => {}); }
  };
})();
"""


@pytest.fixture(scope="module")
def clerk(live_server) -> dict:
    live_server.add_user(CLERK, PASSWORD)
    return live_server.login(CLERK, PASSWORD)


@pytest.fixture(scope="module")
def template() -> str:
    return load_layout(str(DEFAULT_LAYOUT)).site(SITE).call_template


def issue(server, service: str) -> dict:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets", json={"service": service}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def window_action(server, headers: dict, window: str, action: str) -> requests.Response:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/windows/{window}/{action}", headers=headers,
                             timeout=5)
    assert response.status_code in (200, 204), response.text
    return response


def open_lobby(page, server):
    page.goto(f"{server.url}/display/{SITE}/lobby")
    page.wait_for_function(LIVE, timeout=15_000)
    return page


def test_a_call_from_the_counter_reaches_the_lobby_and_the_window_screen_within_a_second(
        live_server, browser, page, template):
    live_server.add_user("counter-clerk", "counter-pass-1")
    ticket = issue(live_server, "construction-permit")
    lobby = open_lobby(page, live_server)
    screen = browser.new_context(viewport={"width": 1280, "height": 400}, locale="zh-CN").new_page()
    screen.goto(f"{live_server.url}/display/{SITE}/window/w21")
    screen.wait_for_function("() => window.windowScreen && windowScreen.stream.state === 'live'", timeout=15_000)
    expect(screen.locator("#state-main")).to_have_text("未开放")
    counter = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
    counter.goto(f"{live_server.url}/counter/{SITE}")
    counter.fill("#login-username", "counter-clerk")
    counter.fill("#login-password", "counter-pass-1")
    counter.click("#login-form button[type=submit]")
    counter.click('[data-window="w21"]')
    counter.click("#open-button")
    expect(counter.locator("#state-badge")).to_have_text("开放中")
    expect(screen.locator("#state-main")).to_have_text("等待叫号")

    counter.keyboard.press("F1")
    started = time.monotonic()
    number = ticket["number"]
    lobby.wait_for_function("number => document.getElementById('hero-ticket').textContent === number",
                            arg=number, timeout=1000)
    left_ms = max(50, 1000 - (time.monotonic() - started) * 1000)
    screen.wait_for_function("number => document.getElementById('state-main').textContent === number",
                             arg=number, timeout=left_ms)

    expect(lobby.locator("#hero-window-number")).to_have_text("21")
    expect(lobby.locator("#recent-list li").first).to_contain_text(number)
    expect(counter.locator("#current-number")).to_have_text(number)
    lobby.wait_for_function("number => announcer.history.some((entry) => entry.ticket === number)", arg=number,
                            timeout=5000)
    entry = lobby.evaluate("number => announcer.history.find((entry) => entry.ticket === number)", number)
    assert entry["clips"] == call_clips(template, number, "21", load_manifest("default"))
    assert entry["clips"][0] == "chime" and entry["repeat"] == 2  # the lobby's voice_repeat
    assert lobby.evaluate(ANNOUNCED) == [number]
    screen.context.close()
    counter.context.close()


def test_three_calls_in_one_burst_are_all_shown_and_announced_in_seq_order(live_server, page, clerk, template):
    windows = ["w8", "w9", "w10"]
    for window in windows:
        window_action(live_server, clerk, window, "open")
    issued = {issue(live_server, "id-card-first")["number"] for _ in windows}
    lobby = open_lobby(page, live_server)

    with ThreadPoolExecutor(len(windows)) as pool:
        called = list(pool.map(lambda window: window_action(live_server, clerk, window, "call-next").json(),
                               windows))

    assert {ticket["number"] for ticket in called} == issued
    lobby.wait_for_function("numbers => numbers.every((number) => lobby.shown().some((c) => c.ticket === number))",
                            arg=sorted(issued), timeout=1000)
    shown = sorted((call for call in lobby.evaluate("lobby.shown()") if call["ticket"] in issued),
                   key=lambda call: call["seq"])
    announced = lobby.evaluate(ANNOUNCED)
    assert announced == [call["ticket"] for call in shown], "announced in seq order, each once"
    for call in shown:
        assert lobby.evaluate("([ticket, window]) => announcer.clipsFor(ticket, window)",
                              [call["ticket"], call["window"]]) == \
            call_clips(template, call["ticket"], call["window"], load_manifest("default"))
    for number in issued:
        expect(lobby.locator("#recent-list")).to_contain_text(number)


def test_a_muted_display_asks_for_a_click_and_the_server_hears_of_it(live_server, browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    context.add_init_script(GESTURE_REQUIRED)
    lobby = context.new_page()
    lobby.goto(f"{live_server.url}/display/{SITE}/floor2#token={live_server.token(SITE, 'display', 'floor2')}")

    button = lobby.locator("#sound-button")
    expect(button).to_be_visible(timeout=15_000)
    expect(button).to_have_text("点击开启声音")
    screens = f"{live_server.url}/api/v1/sites/{SITE}/screens"

    def audio_of_floor2() -> str | None:
        listed = [s for s in requests.get(screens, timeout=5).json() if s["display"] == "floor2"]
        return listed[0]["audio"] if listed else None

    wait_until(lambda: audio_of_floor2() == "blocked", 10, 0.1, "the server to hear the display is muted")
    button.click()
    expect(button).to_be_hidden()
    wait_until(lambda: audio_of_floor2() == "ok", 10, 0.1, "the server to hear the display plays again")
    context.close()
    wait_until(lambda: audio_of_floor2() is None, 10, 0.1, "the closed display to leave the list")


def test_a_missed_event_makes_the_display_resubscribe_and_no_call_is_announced_twice(live_server, page, clerk):
    window_action(live_server, clerk, "w12", "open")
    first = issue(live_server, "road-freight-license")["number"]
    lobby = open_lobby(page, live_server)
    window_action(live_server, clerk, "w12", "call-next")
    lobby.wait_for_function("number => lobby.shown().some((call) => call.ticket === number)", arg=first,
                            timeout=1000)
    subscriptions = lobby.evaluate("lobby.stream.subscriptions")

    # as if the last three events (the call, the waiting counts, the window) had never arrived
    lobby.evaluate("lobby.stream.lastSeq -= 3")
    requests.post(f"{live_server.url}/api/v1/sites/{SITE}/windows/w12/finish", json={"outcome": "handled"},
                  headers=clerk, timeout=5).raise_for_status()
    second = issue(live_server, "road-freight-license")["number"]
    window_action(live_server, clerk, "w12", "call-next")

    lobby.wait_for_function("number => lobby.shown().some((call) => call.ticket === number)", arg=second,
                            timeout=3000)
    assert lobby.evaluate("lobby.stream.subscriptions") == subscriptions + 1
    assert [item["ticket"] for item in lobby.evaluate("lobby.sound.announced")] == [first, second]
    assert lobby.evaluate(ANNOUNCED) == [first, second]


def test_a_call_made_while_the_connection_was_down_is_shown_and_announced_after_it(live_server, page, clerk):
    window_action(live_server, clerk, "w14", "open")
    lobby = open_lobby(page, live_server)
    lobby.evaluate("lobby.stream.socket.disconnect()")
    number = issue(live_server, "medical-offsite-filing")["number"]
    window_action(live_server, clerk, "w14", "call-next")

    lobby.evaluate("lobby.stream.socket.connect()")

    lobby.wait_for_function("number => lobby.shown().some((call) => call.ticket === number)", arg=number,
                            timeout=3000)
    assert [item["ticket"] for item in lobby.evaluate("lobby.sound.announced")] == [number]
    lobby.evaluate("lobby.stream.socket.io.engine.close()")  # a dropped connection: socket.io reconnects
    lobby.wait_for_function("() => lobby.stream.subscriptions >= 3 && lobby.stream.state === 'live'", timeout=5000)
    assert [item["ticket"] for item in lobby.evaluate("lobby.sound.announced")] == [number]

