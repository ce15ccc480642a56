"""The browser announcer (display/static/js/announcer.js) in Debian chromium.

A tiny static page is served from a temporary folder; the audio really plays (into
chromium's null output), so the timings in ``announcer.history`` are real.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from display.voice.manifest import CHIME, load_manifest
from display.voice.speech import DEFAULT_TEMPLATE, call_clips, call_text

pytestmark = pytest.mark.e2e
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
PAGE = """<!doctype html>
<html lang="zh-CN"><meta charset="utf-8"><title>announcer</title>
<button id="sound">点击开启声音</button>
<script src="/announcer.js"></script>
<script>
  const settings = new URLSearchParams(location.search);
  window.statuses = [];
  window.announcer = new Announcer({
    packUrl: settings.get("pack") || "/voice/default/",
    repeat: Number(settings.get("repeat") || 1),
    template: settings.get("template") || undefined,
    maxAgeMs: settings.has("maxAgeMs") ? Number(settings.get("maxAgeMs")) : undefined,
    onStatus: (status) => window.statuses.push(status),
  });
  document.getElementById("sound").onclick = () => window.announcer.unlock();
</script>
"""
PLAYED_ALL = (
    "count => window.announcer.history.length === count && window.announcer.history.every(e => e.endedAt)"
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("announcer_site")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    shutil.copy(ROOT / "display/static/js/announcer.js", folder / "announcer.js")
    shutil.copytree(ROOT / "display/static/voice/default", folder / "voice/default")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=folder)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def playwright(playwright_driver) -> object:
    """The test process's Playwright (tests/e2e/conftest.py); these tests launch browsers of their own, each
    with its autoplay policy."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    return playwright_driver


def open_page(playwright: object, url: str, autoplay: str, init_script: str = "") -> object:
    browser = playwright.chromium.launch(  # type: ignore[attr-defined]
        executable_path=str(CHROMIUM), args=["--no-sandbox", f"--autoplay-policy={autoplay}"]
    )
    page = browser.new_page()
    if init_script:
        page.add_init_script(init_script)
    page.goto(url)
    return page


def ready_page(playwright: object, url: str) -> object:
    page = open_page(playwright, url, "no-user-gesture-required")
    page.wait_for_function("window.announcer && window.announcer.status === 'ok'", timeout=15_000)
    return page


@pytest.fixture
def page(playwright: object, site_url: str) -> Iterator[object]:
    page = ready_page(playwright, site_url)
    yield page
    page.context.browser.close()


@pytest.fixture(scope="module")
def shared_page(playwright: object, site_url: str) -> Iterator[object]:
    """One page for the tests that only call the reading functions and play nothing."""
    page = ready_page(playwright, site_url)
    yield page
    page.context.browser.close()


def test_three_queued_calls_play_one_after_another_in_order_and_whole(page: object) -> None:
    calls = [("A012", "5"), ("B003", "12"), ("C120", "101")]
    page.evaluate("calls => calls.forEach(([ticket, window]) => announcer.announce({ticket, window}))", calls)

    page.wait_for_function(PLAYED_ALL, arg=3, timeout=60_000)
    history = page.evaluate("announcer.history")

    manifest = load_manifest("default")
    assert [(entry["ticket"], entry["window"]) for entry in history] == calls
    for entry, (ticket, window) in zip(history, calls, strict=True):
        assert entry["clips"] == call_clips(DEFAULT_TEMPLATE, ticket, window, manifest)
        assert entry["text"] == call_text(DEFAULT_TEMPLATE, ticket, window)
        played_ms = entry["endedAt"] - entry["startedAt"]
        assert played_ms >= 0.95 * manifest.duration_ms(entry["clips"]), "a call was cut short"
    for previous, following in zip(history, history[1:], strict=False):
        assert following["startedAt"] >= previous["endedAt"], "two calls overlapped"
    assert history[0]["clips"][:4] == [CHIME, "qing", "A", "ling"]
    assert page.evaluate("announcer.queue.length") == 0
    assert page.evaluate("window.statuses") == ["ok"]


def test_a_call_repeated_twice_lasts_as_long_as_two_calls_and_a_pause(
    playwright: object, site_url: str
) -> None:
    page = ready_page(playwright, site_url + "?repeat=2&template={ticket}")
    try:
        page.evaluate("void announcer.announce({ticket: 'A1', window: '1'})")
        page.wait_for_function(PLAYED_ALL, arg=1, timeout=30_000)
        entry = page.evaluate("announcer.history[0]")
    finally:
        page.context.browser.close()

    manifest = load_manifest("default")
    assert entry["clips"] == [CHIME, "A", "yi"]
    once = manifest.duration_ms(["A", "yi"])
    expected = manifest.duration_ms([CHIME]) + 2 * once + manifest.pauses_ms["between_repeats"]
    assert entry["endedAt"] - entry["startedAt"] >= 0.95 * expected


# Chromium grants a user activation to every script Playwright evaluates, so the real autoplay
# rule never bites here. The page gets the rule back: a context starts suspended and resume()
# only works once a trusted pointer or key event has happened (Playwright's click is one).
GESTURE_REQUIRED = """
(() => {
  let touched = false;
  for (const type of ["pointerdown", "keydown", "click"]) {
    document.addEventListener(type, (event) => { touched = touched || event.isTrusted; }, true);
  }
  const RealAudioContext = window.AudioContext;
  const realResume = RealAudioContext.prototype.resume;
  window.AudioContext = class extends RealAudioContext {
    constructor(...args) { super(...args); this.suspend(); }
    resume() { return touched ? realResume.call(this) : new Promise(() => {}); }
  };
})();
"""


def test_blocked_sound_is_reported_and_a_click_plays_the_waiting_call(
    playwright: object, site_url: str
) -> None:
    page = open_page(playwright, site_url, "document-user-activation-required", init_script=GESTURE_REQUIRED)
    try:
        page.wait_for_function("window.statuses.includes('blocked')", timeout=15_000)
        page.evaluate("void announcer.announce({ticket: 'A012', window: '5'})")
        page.wait_for_function("announcer.queue.length === 1 && announcer.state === 'blocked'", timeout=5_000)
        assert page.evaluate("announcer.history.length") == 0

        page.click("#sound")
        page.wait_for_function(PLAYED_ALL, arg=1, timeout=30_000)
        statuses = page.evaluate("window.statuses")
    finally:
        page.context.browser.close()

    assert statuses == ["blocked", "ok"]


def test_the_browser_reads_calls_exactly_as_the_server_does(shared_page: object) -> None:
    manifest = load_manifest("default")
    templates = [
        DEFAULT_TEMPLATE,
        "请{ticket}号到{window}号窗口",
        "{ticket}号请到{window}号窗口办理",
        "{{{ticket}}}",
    ]
    windows = [str(number) for number in range(0, 200)] + [
        "B3",
        "3B",
        "05",
        "1000",
        "1010",
        "9999",
        "10001",
        "a12",
    ]
    tickets = ["A012", "Z999", "AB1000", "a7", "0"]
    cases = [(DEFAULT_TEMPLATE, ticket, window) for ticket in tickets for window in windows[:12]]
    cases += [(DEFAULT_TEMPLATE, "A001", window) for window in windows]
    cases += [(template, "B012", "21") for template in templates[1:3]]

    browser = shared_page.evaluate(
        """([cases, manifest]) => cases.map(([template, ticket, window]) => [
            Announcer.speech.callText(template, ticket, window),
            Announcer.speech.callClips(template, ticket, window, manifest)])""",
        [cases, manifest.to_json()],
    )

    server = [
        [call_text(template, ticket, window), call_clips(template, ticket, window, manifest)]
        for template, ticket, window in cases
    ]
    assert browser == server
    assert shared_page.evaluate("Announcer.speech.callText('{{{ticket}}}', 'A1', '1')") == call_text(
        templates[3], "A1", "1"
    )


def test_a_call_left_waiting_longer_than_max_age_is_set_aside_not_played(
    playwright: object, site_url: str
) -> None:
    page = open_page(
        playwright, site_url + "?maxAgeMs=300", "document-user-activation-required", GESTURE_REQUIRED
    )
    try:
        page.wait_for_function("window.statuses.includes('blocked')", timeout=15_000)
        page.evaluate("void announcer.announce({ticket: 'A012', window: '5'})")
        page.wait_for_function("Date.now() - announcer.queue[0].queuedAt > 300", timeout=5_000)

        page.click("#sound")
        page.wait_for_function("announcer.skipped.length === 1", timeout=5_000)
        history, skipped = page.evaluate("[announcer.history, announcer.skipped]")
    finally:
        page.context.browser.close()

    assert history == []
    assert (skipped[0]["ticket"], skipped[0]["reason"]) == ("A012", "stale")


def test_a_screen_without_a_voice_pack_says_so_and_sets_calls_aside(
    playwright: object, site_url: str
) -> None:
    page = open_page(playwright, site_url + "?pack=/voice/missing/", "no-user-gesture-required")
    try:
        page.wait_for_function("window.statuses.includes('no_voice')", timeout=15_000)
        page.evaluate("void announcer.announce({ticket: 'A012', window: '5'})")
        page.wait_for_function("announcer.skipped.length === 1", timeout=5_000)
        statuses, skipped = page.evaluate("[window.statuses, announcer.skipped]")
    finally:
        page.context.browser.close()

    assert statuses == ["no_voice"]
    assert skipped[0]["reason"] == "no_voice"


def test_a_window_name_the_pack_cannot_say_is_played_without_those_characters(shared_page: object) -> None:
    manifest = load_manifest("default")

    clips, missing = shared_page.evaluate(
        """manifest => { const missing = [];
            return [Announcer.speech.callClips('{ticket}到{window}', 'A1', '综合1', manifest, true, missing), missing]; }""",
        manifest.to_json(),
    )

    assert clips == [CHIME, "A", "yi", "dao", "yi"]
    assert missing == ["综", "合"]


@pytest.mark.parametrize(
    "script",
    [
        "Announcer.speech.callText('请{who}号', 'A1', '1')",
        "Announcer.speech.callText('请{ticket', 'A1', '1')",
        "Announcer.speech.callText('到{window}号窗口', 'A1', '1')",
        "Announcer.speech.callText('{ticket}', 'A-1', '1')",
        "Announcer.speech.callText('{ticket}{window}', 'A1', '5-1')",
        "announcer.announce({ticket: '', window: '1'})",
        "new Announcer({template: '请{ticket'})",
    ],
)
def test_the_browser_refuses_what_the_server_refuses(shared_page: object, script: str) -> None:
    with pytest.raises(sync_api.Error) as refused:
        shared_page.evaluate(script)

    assert "/" in str(refused.value)  # the bilingual message came through
