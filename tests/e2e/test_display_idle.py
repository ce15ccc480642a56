"""The lobby display before the first call of the day: its dimmed placeholder ("—", "请到 — 号窗口") is still
readable (WCAG AA contrast 4.5:1, computed from the styles the browser applies), and the "点击开启声音" prompt
of a TV whose browser blocks sound covers none of the screen's content. Screenshots go to
HALL_SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

SITE = "county"
PLACEHOLDER = ["#hero-ticket", ".hero-to", "#hero-window-number", "#hero-window-name"]
# The contrast of each element's text with the first opaque background behind it (WCAG 2 relative luminance).
CONTRAST = """selectors => {
  const rgba = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (value) => { const c = value / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const behind = (element) => {
    for (let box = element; box; box = box.parentElement) {
      const colour = rgba(getComputedStyle(box).backgroundColor);
      if (colour.length < 4 || colour[3] === 1) return colour;
    }
    return rgba(getComputedStyle(document.body).backgroundColor);
  };
  return selectors.map((selector) => {
    const element = document.querySelector(selector);
    const [a, b] = [luminance(rgba(getComputedStyle(element).color)), luminance(behind(element))];
    return [selector, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""
# Every element of the screen's content that the prompt's box overlaps.
COVERED = """selectors => {
  const prompt = document.getElementById("sound-button").getBoundingClientRect();
  const overlaps = (box) => box.left < prompt.right && prompt.left < box.right && box.top < prompt.bottom &&
    prompt.top < box.bottom;
  return selectors.flatMap((selector) => [...document.querySelectorAll(selector)])
    .filter((element) => overlaps(element.getBoundingClientRect()))
    .map((element) => `${element.className || element.id}: ${element.textContent.trim().slice(0, 30)}`);
}"""
CONTENT = [".hall-name", ".display-name", ".clock", ".connection", ".hero", ".recent", "#waiting-list li",
           ".waiting h2", ".notice"]
# Sound that only a trusted gesture may start (as a TV's browser without the autoplay flag): the
# AudioContext starts suspended and resumes only after a real click.
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


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("HALL_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_idle_placeholder_is_dimmed_but_readable(live_server, page, screenshots):
    page.goto(f"{live_server.url}/display/{SITE}/lobby")
    page.wait_for_function("() => window.lobby && lobby.stream.state === 'live'", timeout=15_000)
    assert page.get_attribute("#hero", "data-empty") == "true"
    page.screenshot(path=screenshots / "display-lobby-idle.png")
    ratios = dict(page.evaluate(CONTRAST, PLACEHOLDER))
    assert {selector: ratio for selector, ratio in ratios.items() if ratio < 4.5} == {}
    # dimmed: the placeholder is less bright than a called number would be
    assert page.evaluate("getComputedStyle(document.getElementById('hero-ticket')).color") != page.evaluate(
        "getComputedStyle(document.body).getPropertyValue('--ticket')")


def test_the_sound_prompt_covers_none_of_the_screen(live_server, browser, screenshots):
    blocking = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=[arg for arg in CHROMIUM_ARGS if not arg.startswith("--autoplay-policy")]
        + ["--autoplay-policy=document-user-activation-required"])
    try:
        context = blocking.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", bypass_csp=True)
        page = context.new_page()
        page.add_init_script(GESTURE_REQUIRED)
        page.goto(f"{live_server.url}/display/{SITE}/lobby")
        page.wait_for_selector("#sound-button", state="visible", timeout=15_000)
        page.screenshot(path=screenshots / "display-lobby-sound-prompt.png")
        assert page.evaluate(COVERED, CONTENT) == []
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")
        page.click("#sound-button")
        page.wait_for_selector("#sound-button", state="hidden", timeout=15_000)
    finally:
        blocking.close()
