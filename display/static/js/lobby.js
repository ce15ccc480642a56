/*
 * The lobby display (大厅综合屏): the newest call huge and flashing, the last calls, the waiting
 * counts of the queues served in the display's zones, the clock and the notice line; every new
 * call of its zones is announced in seq order. "Its zones": the calling window is in one of them, or
 * the ticket's queue is served there (`queue_zones`): a ticket taken on this floor and called by a
 * window on another floor (overflow) is shown here too, with that floor's name.
 */
(function () {
  "use strict";

  const FLASH_MS = 8000; // how long a new call flashes
  const KEPT_CALLS = 60;

  const { $, element, windowLabel } = PageKit;
  const heroBox = $("hero");
  const heroTicket = $("hero-ticket");
  const heroWindow = $("hero-window-number");
  const heroFloor = $("hero-floor");
  const heroName = $("hero-window-name");
  const recentList = $("recent-list");

  // (number, window) -> the newest call of that ticket there: a recall replaces the first call. The
  // public stream carries no ticket ids; a number is called at one window at a time.
  const calls = new Map();
  const freshUntil = new Map(); // seq -> time its highlight ends
  let flashTimer = null;
  let windowsNow = {}; // the windows as the last snapshot had them (ScreenCommon.stillCalled)
  const config = ScreenCommon.readConfig();
  const zones = new Set(config.zones);
  const floors = new Set(config.floors || []);
  const limit = config.recent_limit || 8;

  function inZones(call) {
    return zones.has(call.zone) || (call.queue_zones || []).some((zone) => zones.has(zone));
  }

  // "一楼 " before the window number when the call is on another floor, or the screen spans several.
  function floorOf(call) {
    if (!call.floor_name || (floors.size === 1 && floors.has(call.floor))) return "";
    return `${call.floor_name} `;
  }

  function keep(call) {
    const key = `${call.ticket}@${call.window}`;
    const known = calls.get(key);
    if (!known || known.seq < call.seq) calls.set(key, call);
    if (calls.size > KEPT_CALLS) {
      const oldest = [...calls.entries()].sort((a, b) => a[1].seq - b[1].seq)[0][0];
      calls.delete(oldest);
    }
  }

  function recent() {
    return [...calls.values()].sort((a, b) => b.seq - a.seq).slice(0, limit);
  }

  function renderCalls() {
    const shown = recent();
    const newest = shown[0];
    heroBox.dataset.empty = newest ? "false" : "true";
    if (newest) {
      heroTicket.textContent = newest.ticket;
      heroFloor.textContent = floorOf(newest).trim();
      heroWindow.textContent = newest.window_number;
      // the number is already said big above: "17号窗口 企业登记" → "企业登记"
      const name = newest.window_name.replace(windowLabel(newest.window_number), "").trim();
      heroName.textContent = (name || newest.window_name) + (newest.recall ? "（重呼）" : "");
    }
    const now = Date.now();
    recentList.replaceChildren(
      ...shown.map((call) => {
        const row = element("li", "", null, element("span", "recent-ticket", call.ticket),
          element("span", "recent-window", floorOf(call) + windowLabel(call.window_number)));
        row.dataset.seq = call.seq;
        if ((freshUntil.get(call.seq) || 0) > now) row.classList.add("fresh");
        if (call.recall) row.append(element("span", "recent-tag", "重呼"));
        return row;
      }),
    );
  }

  function flash(call) {
    freshUntil.set(call.seq, Date.now() + FLASH_MS);
    heroBox.classList.remove("flash");
    void heroBox.offsetWidth; // restart the animation for a call right after another
    heroBox.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => {
      heroBox.classList.remove("flash");
      freshUntil.clear();
      renderCalls();
    }, FLASH_MS);
  }

  function renderWaiting(waiting) {
    for (const item of document.querySelectorAll("#waiting-list li")) {
      const count = (waiting && waiting[item.dataset.queue]) || 0;
      item.querySelector("b").textContent = count;
      item.classList.toggle("empty", count === 0);
    }
  }

  function startClock(timezone) {
    const clock = PageKit.hallClock(timezone);
    const tick = () => {
      const now = new Date();
      $("clock-time").textContent = clock.time(now);
      $("clock-date").textContent = clock.date(now);
      setTimeout(tick, 1000 - (now.getTime() % 1000) + 5);
    };
    tick();
  }

  // A notice longer than the screen is wide scrolls slowly; a short one stands still.
  function fitNotice() {
    const notice = $("notice");
    const overflow = notice.scrollWidth > notice.parentElement.clientWidth;
    notice.classList.toggle("scrolling", overflow);
    if (overflow) notice.style.animationDuration = `${Math.max(20, notice.textContent.length * 0.45)}s`;
  }

  const screen = ScreenCommon.start({
    onSnapshot(snapshot, { first }) {
      if (first) calls.clear();
      windowsNow = snapshot.windows || {};
      snapshot.calls.filter(inZones).forEach(keep);
      renderCalls();
      renderWaiting(snapshot.waiting);
    },
    onCall(call, { live } = { live: true }) {
      if (!inZones(call)) return;
      keep(call);
      renderCalls();
      if (!live && !ScreenCommon.stillCalled(windowsNow, call)) return; // listed, not read out
      flash(call);
      screen.sound.announce(call);
    },
    onEvent(kind, payload) {
      if (kind === "waiting") renderWaiting(payload.waiting);
    },
  });
  startClock(screen.config.timezone);
  fitNotice();
  window.addEventListener("resize", fitNotice);

  // For tests and for whoever opens the console on a hall PC.
  window.lobby = {
    stream: screen.stream,
    sound: screen.sound,
    shown: () => recent().map((call) => ({ seq: call.seq, ticket: call.ticket, window: call.window_number })),
  };
})();
