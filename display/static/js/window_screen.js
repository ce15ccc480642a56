/*
 * The window screen (窗口屏) above one counter: its number and name, the ticket being served,
 * 暂停服务 with the reason when paused, 未开放 when closed, and the waiting counts of its queues.
 * The state comes from the snapshot's windows and from `window` events: nothing is polled.
 */
(function () {
  "use strict";

  const FLASH_MS = 8000;

  const { $ } = PageKit;
  const stateBox = $("window-state");
  const label = $("state-label");
  const main = $("state-main");
  const detail = $("state-detail");
  const config = ScreenCommon.readConfig();
  let view = null;
  let flashTimer = null;

  function render() {
    const state = view ? view.state : "closed";
    const current = view && view.current;
    stateBox.dataset.state = current && state !== "closed" ? "serving" : state;
    if (state === "closed") {
      label.textContent = "暂停服务";
      main.textContent = "未开放";
      detail.textContent = "请留意其他窗口叫号";
    } else if (state === "paused") {
      label.textContent = current ? `${current.ticket} 号办理中` : "";
      main.textContent = "暂停服务";
      detail.textContent = view.reason && view.reason !== "暂停服务" ? `原因：${view.reason}` : "请稍候";
    } else if (current) {
      const status = PageKit.term(config.vocabulary, "ticket_status", current.status);
      label.textContent = status.unknown ? "正在办理" : status.screen;
      main.textContent = current.ticket;
      detail.textContent = "";
    } else {
      label.textContent = "欢迎办理";
      main.textContent = "等待叫号";
      detail.textContent = "请留意叫号";
    }
  }

  function renderWaiting(waiting) {
    for (const item of document.querySelectorAll("#window-queues li")) {
      item.querySelector("b").textContent = (waiting && waiting[item.dataset.queue]) || 0;
    }
  }

  function flash() {
    stateBox.classList.remove("flash");
    void stateBox.offsetWidth;
    stateBox.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => stateBox.classList.remove("flash"), FLASH_MS);
  }

  const screen = ScreenCommon.start({
    onSnapshot(snapshot) {
      view = (snapshot.windows || {})[config.window] || null;
      render();
      renderWaiting(snapshot.waiting);
    },
    onCall(call, { live } = { live: true }) {
      if (call.window !== config.window) return;
      if (!live) {
        // made while this screen was away: the snapshot shows the window as it is now
        if (ScreenCommon.stillCalled({ [config.window]: view }, call)) {
          flash();
          screen.sound.announce(call);
        }
        return;
      }
      // the `window` event that follows carries the state; show the number at once all the same
      view = Object.assign({}, view, {
        state: view && view.state !== "closed" ? view.state : "open",
        current: { ticket: call.ticket, status: "called", service: call.service, called_at: call.at },
      });
      render();
      flash();
      screen.sound.announce(call);
    },
    onEvent(kind, payload) {
      if (kind === "window" && payload.window === config.window) {
        view = payload;
        render();
      } else if (kind === "waiting") {
        renderWaiting(payload.waiting);
      }
    },
  });
  render();

  window.windowScreen = { stream: screen.stream, sound: screen.sound, view: () => view };
})();
