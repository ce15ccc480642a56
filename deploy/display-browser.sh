#!/usr/bin/env bash
# Start a hall screen: Chromium full screen in kiosk mode on a display or window-screen URL.
#
#   deploy/display-browser.sh 'http://hall-server:5000/display/county/lobby#token=…'
#   deploy/display-browser.sh 'http://hall-server:5000/display/county/window/w17#token=…'
#
# Each screen's address, with its own token, is printed by `flask --app server devices tokens` on the
# server. The token lets the screen report its sound (muted, playing) to the counters; without it the
# screen still shows and announces every call. The part after # never reaches the server's logs.
#
# Sound plays without anyone clicking (--autoplay-policy), nothing asks questions on the screen
# (no error dialogs, no "restore pages?" bubble, no first-run or translate prompts), and nothing
# persists between starts (--incognito). Run it from the hall PC's autostart; if Chromium exits it
# is started again after a few seconds, so a crash or an accidental Alt+F4 heals by itself.
#
# Environment: CHROMIUM (browser binary, default: chromium or chromium-browser on PATH),
# DISPLAY_PROFILE (profile folder, default a temporary one), RESTART_SECONDS (default 3),
# DISPLAY_ONCE=1 (run Chromium once, do not restart it).
set -euo pipefail

usage() {
  echo "用法 / usage: $0 URL" >&2
  echo "  例如 / e.g.: $0 'http://127.0.0.1:5000/display/county/lobby#token=…'" >&2
  exit 2
}

[[ $# -eq 1 ]] || usage
url="$1"
[[ "$url" =~ ^https?://[^/]+/display/[^/]+/.+ ]] || {
  echo "不是显示屏地址 / not a display URL (…/display/<site>/<display> or …/display/<site>/window/<window>): $url" >&2
  exit 2
}

browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[[ -n "$browser" && -x "$browser" ]] || {
  echo "找不到 Chromium / Chromium not found: install it (apt-get install chromium) or set CHROMIUM" >&2
  exit 1
}

profile="${DISPLAY_PROFILE:-$(mktemp -d -t hall-display.XXXXXX)}"
restart_seconds="${RESTART_SECONDS:-3}"

flags=(
  --kiosk
  --start-fullscreen
  --incognito
  --noerrdialogs
  --disable-session-crashed-bubble
  --disable-infobars
  --no-first-run
  --no-default-browser-check
  --disable-translate
  --disable-features=Translate,TranslateUI,InfiniteSessionRestore
  --disable-pinch
  --overscroll-history-navigation=0
  --autoplay-policy=no-user-gesture-required
  --check-for-update-interval=31536000
  --disable-component-update
  --password-store=basic
  --lang=zh-CN
  --user-data-dir="$profile"
)

# A screen that stays dark at night is a screen that stays on: keep the desktop from blanking.
if command -v xset >/dev/null 2>&1 && [[ -n "${DISPLAY:-}" ]]; then
  xset s off -dpms s noblank || true
fi

while true; do
  "$browser" "${flags[@]}" "$url" || echo "Chromium 退出，代码 $? / Chromium exited with $?" >&2
  [[ "${DISPLAY_ONCE:-0}" == "1" ]] && break
  sleep "$restart_seconds"
done
