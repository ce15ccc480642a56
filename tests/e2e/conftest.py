"""Browser tests: Debian's chromium driven by Playwright, against a live server on the example county."""

from __future__ import annotations

import shutil

import pytest

from tests.support.live_server import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    server = LiveServer(f"sqlite:///{folder / 'hall.db'}", log_path=folder / "server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_driver():
    """The one Playwright of a test process: a second one started while it runs would find its event loop
    running and refuse (the sync API), whichever test file happens to come first on a worker."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    _bypass_content_security_policy(browser)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _bypass_content_security_policy(browser) -> None:
    """Playwright evaluates wait_for_function's expressions with eval() inside the page, which the pages'
    policy forbids; the tests' contexts bypass the policy unless they ask for it (the CSP test does)."""
    for name in ("new_context", "new_page"):
        create = getattr(browser, name)

        def with_bypass(*args, _create=create, **kwargs):
            kwargs.setdefault("bypass_csp", True)
            return _create(*args, **kwargs)

        setattr(browser, name, with_bypass)
