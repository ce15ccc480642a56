"""Every page works in chromium under the server's Content-Security-Policy: its scripts run, it connects to
Socket.IO, it loads its style sheets, images and voice pack, and the browser reports no violation of the
policy. The page's own readiness (tiles shown, stream live, login form) shows the scripts really ran."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.support.live_server import wait_until

SITE = "county"
# Collect what the browser refuses under the policy, from the first script of the page on.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(browser):
    """A page that enforces the policy (bypass_csp=False even where other tests' contexts bypass it)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", bypass_csp=False)
    page = context.new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    yield page, console
    context.close()


def wait_for(page, expression: str, timeout: float = 15) -> None:
    """Poll a page condition from the test: Playwright's wait_for_function evaluates its predicate with
    eval() inside the page, which this very policy forbids."""
    wait_until(lambda: page.evaluate(expression), timeout, 0.1, expression)


def assert_no_violation(page, console: list[str]) -> None:
    assert page.evaluate("window.__violations") == []
    assert not [line for line in console if "Content Security Policy" in line], console


def issue(server) -> dict:
    response = requests.post(f"{server.url}/api/v1/sites/{SITE}/tickets", json={"service": "company-registration"},
                             timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_kiosk_runs_under_the_policy(live_server, watched):
    page, console = watched
    response = page.goto(f"{live_server.url}/kiosk/{SITE}/k1")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#area-tiles .tile").first).to_be_visible()
    wait_for(page, "Boolean(window.kiosk && window.kiosk.state)")
    assert_no_violation(page, console)


def test_the_phone_page_runs_under_the_policy(live_server, watched):
    page, console = watched
    ticket = issue(live_server)
    response = page.goto(f"{live_server.url}{ticket['status_url']}" if ticket["status_url"].startswith("/")
                         else ticket["status_url"])
    assert response.headers["referrer-policy"] == "no-referrer"
    expect(page.locator("body")).to_contain_text(ticket["number"])
    assert_no_violation(page, console)


def test_the_lobby_and_window_screens_go_live_under_the_policy(live_server, watched):
    page, console = watched
    page.goto(f"{live_server.url}/display/{SITE}/lobby")
    wait_for(page, "Boolean(window.lobby && lobby.stream.state === 'live' && window.announcer "
                   "&& announcer.status === 'ok')")
    assert_no_violation(page, console)
    page.goto(f"{live_server.url}/display/{SITE}/window/w21")
    wait_for(page, "Boolean(window.windowScreen && windowScreen.stream.state === 'live')")
    assert_no_violation(page, console)


def test_the_counter_and_the_error_page_render_under_the_policy(live_server, watched):
    page, console = watched
    page.goto(f"{live_server.url}/counter/{SITE}")
    expect(page.locator("#login-username")).to_be_visible()
    assert_no_violation(page, console)
    response = page.goto(f"{live_server.url}/no-such-page")
    assert response.status == 404
    # The error page's inline style applies (allowed by its hash): the heading is not the default black.
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") != "rgb(0, 0, 0)"
    assert_no_violation(page, console)


def test_the_rating_pad_goes_live_and_draws_its_form_under_the_policy(live_server, watched):
    page, console = watched
    page.goto(f"{live_server.url}/rate/{SITE}/w17#token={live_server.token(SITE, 'pad', 'w17')}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator(".rating-level svg")).to_have_count(5)  # the faces are drawn by the script
    assert_no_violation(page, console)


def test_a_script_injected_into_a_page_does_not_run(live_server, watched):
    page, _console = watched
    page.goto(f"{live_server.url}/counter/{SITE}")
    page.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.head.appendChild(script);
    }""")
    wait_for(page, "window.__violations.length > 0", 5)
    assert page.evaluate("window.__injected === undefined")
    assert page.evaluate("window.__violations[0]").startswith("script-src")


def test_a_page_cannot_be_framed(live_server, watched):
    page, _console = watched
    page.set_content(f'<iframe id="frame" src="{live_server.url}/kiosk/{SITE}/k1"></iframe>')  # waits for load
    assert len(page.frames) == 2
    framed = page.frames[1]
    assert framed.locator("#area-tiles").count() == 0, "the kiosk page was shown inside another page"
