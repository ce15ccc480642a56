"""A server restart: the lobby display, the window screen and the counter come back by themselves
within seconds, show what happened meanwhile, and the counter still holds its current ticket."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

SITE = "county"
USER, PASSWORD = "restart-clerk", "restart-pass-1"


@pytest.fixture(scope="module")
def clerk(live_server) -> dict:
    live_server.add_user(USER, PASSWORD)
    return live_server.login(USER, PASSWORD)


def issue(server, service: str) -> dict:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets", json={"service": service}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def act(server, headers: dict, window: str, action: str, body: dict | None = None) -> dict | None:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/windows/{window}/{action}", json=body,
                             headers=headers, timeout=5)
    assert response.status_code in (200, 204), response.text
    return response.json() if response.status_code == 200 else None


def test_every_screen_recovers_from_a_server_restart_without_a_reload(live_server, browser, page, clerk):
    serving = issue(live_server, "company-registration")
    lobby = page
    lobby.goto(f"{live_server.url}/display/{SITE}/lobby")
    lobby.wait_for_function("() => window.lobby && lobby.stream.state === 'live'", timeout=15_000)
    screen = browser.new_context(viewport={"width": 1280, "height": 400}, locale="zh-CN").new_page()
    screen.goto(f"{live_server.url}/display/{SITE}/window/w18")
    counter = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
    counter.goto(f"{live_server.url}/counter/{SITE}")
    counter.fill("#login-username", USER)
    counter.fill("#login-password", PASSWORD)
    counter.click("#login-form button[type=submit]")
    counter.click('[data-window="w17"]')
    counter.click("#open-button")
    expect(counter.locator("#state-badge")).to_have_text("开放中")
    counter.keyboard.press("F1")
    expect(counter.locator("#current-number")).to_have_text(serving["number"])
    expect(lobby.locator("#hero-ticket")).to_have_text(serving["number"])

    live_server.restart()
    restarted = time.monotonic()

    lobby.wait_for_function("() => lobby.stream.state === 'live' && lobby.stream.subscriptions >= 2", timeout=5000)
    counter.wait_for_function("() => counter.stream.state === 'live' && counter.stream.subscriptions >= 2",
                              timeout=max(100, 5000 - (time.monotonic() - restarted) * 1000))
    screen.wait_for_function("() => windowScreen.stream.state === 'live' && windowScreen.stream.subscriptions >= 2",
                             timeout=max(100, 5000 - (time.monotonic() - restarted) * 1000))
    act(live_server, clerk, "w18", "open")
    after = issue(live_server, "company-change")
    called = act(live_server, clerk, "w18", "call-next")

    assert called["number"] == after["number"]
    expect(lobby.locator("#hero-ticket")).to_have_text(after["number"], timeout=1000)
    expect(screen.locator("#state-main")).to_have_text(after["number"], timeout=1000)
    expect(counter.locator("#current-number")).to_have_text(serving["number"])
    assert [item["ticket"] for item in lobby.evaluate("lobby.sound.announced")] == \
        [serving["number"], after["number"]]
    counter.keyboard.press("2")
    expect(counter.locator("#message")).to_have_text(f"{serving['number']} 已办结：一次性告知书。")
    screen.context.close()
    counter.context.close()


def test_calls_made_while_the_server_was_away_are_shown_when_the_display_returns(live_server, page, clerk):
    act(live_server, clerk, "w19", "open")
    page.goto(f"{live_server.url}/display/{SITE}/lobby")
    page.wait_for_function("() => window.lobby && lobby.stream.state === 'live'", timeout=15_000)
    live_server.stop()
    page.wait_for_function("() => lobby.stream.state === 'offline'", timeout=10_000)
    expect(page.locator("#connection")).to_have_text("连接中断，正在重新连接…")

    live_server.start()
    # a call made at once, maybe before the display is back: the snapshot brings it in any case
    waiting = issue(live_server, "company-change")
    act(live_server, clerk, "w19", "call-next")

    page.wait_for_function("number => lobby.shown().some((call) => call.ticket === number)",
                           arg=waiting["number"], timeout=5000)
    expect(page.locator("#connection")).to_be_hidden()
    assert [item["ticket"] for item in page.evaluate("lobby.sound.announced")] == [waiting["number"]]


def test_a_call_missed_while_away_is_listed_but_read_out_only_while_it_is_still_being_called(
        live_server, browser, page, clerk):
    act(live_server, clerk, "w20", "open")
    lobby = page
    lobby.goto(f"{live_server.url}/display/{SITE}/lobby")
    lobby.wait_for_function("() => window.lobby && lobby.stream.state === 'live'", timeout=15_000)
    screen = browser.new_context(viewport={"width": 1280, "height": 400}, locale="zh-CN").new_page()
    screen.goto(f"{live_server.url}/display/{SITE}/window/w20")
    screen.wait_for_function("() => window.windowScreen && windowScreen.stream.state === 'live'", timeout=15_000)
    expect(screen.locator("#state-main")).to_have_text("等待叫号")
    for away, name in ((lobby, "lobby"), (screen, "windowScreen")):
        away.evaluate(f"{name}.stream.socket.disconnect()")
        away.wait_for_function(f"() => {name}.stream.state === 'offline'", timeout=5000)

    issue(live_server, "company-registration")
    served = act(live_server, clerk, "w20", "call-next")  # called, served and gone while the screens were away
    act(live_server, clerk, "w20", "finish", {"outcome": "handled"})
    act(live_server, clerk, "w20", "close")
    issue(live_server, "presale-permit")
    act(live_server, clerk, "w21", "open")
    waiting = act(live_server, clerk, "w21", "call-next")  # still being called when they return

    for away, name in ((lobby, "lobby"), (screen, "windowScreen")):
        away.evaluate(f"{name}.stream.socket.connect()")
    lobby.wait_for_function("numbers => numbers.every((number) => lobby.shown().some((call) => call.ticket === number))",
                            arg=[served["number"], waiting["number"]], timeout=5000)
    assert [item["ticket"] for item in lobby.evaluate("lobby.sound.announced")] == [waiting["number"]]
    screen.wait_for_function("() => windowScreen.stream.state === 'live'", timeout=5000)
    expect(screen.locator("#state-main")).to_have_text("未开放")  # the window as it is now, not the missed call
    screen.context.close()


def test_the_late_answer_to_an_earlier_subscribe_does_not_roll_the_lobby_back(live_server, page, clerk):
    act(live_server, clerk, "w22", "open")
    page.goto(f"{live_server.url}/display/{SITE}/lobby")
    page.wait_for_function("() => window.lobby && lobby.stream.state === 'live'", timeout=15_000)
    # the answer to the next subscribe is held back, as a slow network would
    page.evaluate("""() => {
        const stream = lobby.stream, real = stream._onSnapshot.bind(stream);
        window.release = null;
        stream._onSnapshot = (snapshot) => {
            if (window.release === null) { window.release = () => real(snapshot); return; }
            real(snapshot);
        };
        stream.subscribe("held");
    }""")
    page.wait_for_function("() => window.release !== null", timeout=5000)
    page.evaluate("() => lobby.stream.subscribe('resent')")  # the resend after no answer came
    page.wait_for_function("() => lobby.stream.state === 'live'", timeout=5000)
    issue(live_server, "presale-permit")
    first = act(live_server, clerk, "w22", "call-next")
    page.wait_for_function("n => lobby.sound.announced.some((call) => call.ticket === n)", arg=first["number"],
                           timeout=5000)
    # a gap's resync, and the held answer (older than the call) arrives before the resync's own
    seen = page.evaluate("lobby.stream.lastSeq")
    page.evaluate("() => { lobby.stream.subscribe('resync'); window.release(); }")
    page.wait_for_function("() => lobby.stream.state === 'live'", timeout=5000)
    assert page.evaluate("lobby.stream.lastSeq") >= seen, "the stream went back to the held, older snapshot"
    act(live_server, clerk, "w22", "finish", {"outcome": "handled"})
    issue(live_server, "presale-permit")
    second = act(live_server, clerk, "w22", "call-next")
    page.wait_for_function("n => lobby.sound.announced.some((call) => call.ticket === n)", arg=second["number"],
                           timeout=5000)
    announced = [item["ticket"] for item in page.evaluate("lobby.sound.announced")]
    assert announced == [first["number"], second["number"]], "each call read out once"
