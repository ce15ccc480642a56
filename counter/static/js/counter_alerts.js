/*
 * Problems the server raises that a clerk should know of, as banners at the top of the counter:
 * a kiosk printer that cannot print, a ticket that did not print, a lobby display that is muted
 * or unplugged, this window's screen unplugged. A banner goes when the problem does, or when the
 * clerk closes it.
 */
(function (root) {
  "use strict";

  const KEPT_PRINT_FAILURES = 5;

  class CounterAlerts {
    // vocabulary: the page config's names of the server's codes (printer states: name and alert level)
    constructor(container, vocabulary) {
      this.container = container;
      this.vocabulary = vocabulary;
      this.banners = new Map(); // key -> {level, text}
      this.layout = null;
      this.windowId = null;
      this.serving = []; // the queues this window serves now (its assignment's, else its own)
      this.onReprint = null; // (job) => a promise: print the ticket of a failed job again
    }

    // layout: the site's layout (names of kiosks, displays, windows); windowId: this counter's window
    use(layout, windowId) {
      this.layout = layout;
      this.windowId = windowId;
    }

    handle(kind, payload) {
      if (kind === "printer") this._printer(payload);
      else if (kind === "print_job") this._printJob(payload);
      else if (kind === "screen") this._screen(payload);
      else if (kind === "alert") this._alert(payload);
    }

    // What holds already when the page starts (or resubscribes): the printers' states, the failed print jobs.
    printersNow(printers) {
      for (const printer of printers) if (printer.type) this._printer(printer);
    }

    failedJobsNow(jobs) {
      for (const job of jobs.slice(0, KEPT_PRINT_FAILURES).reverse()) this._printJob(job);
    }

    // The open alerts the server says concern this window, when the page starts or changes window.
    alertsNow(alerts) {
      [...this.banners.keys()].filter((key) => key.startsWith("alert:")).forEach((key) => this.banners.delete(key));
      for (const alert of alerts) this._alert({ ...alert, status: "open" }, true);
      this._render();
    }

    // An alert of the manager's board that concerns this counter: a queue the window serves (the alert names
    // the windows concerned; an assignment adds the queues it serves now), a bad rating of its service.
    _alert(payload, concernsUs = false) {
      if (payload.kind === "bad_rating" || payload.kind === "rectification_overdue") {
        this._rating(payload, concernsUs);
        return;
      }
      // A printer's alert has its banner already: the printer's own state (live, and read when the page
      // starts) says the same in the page's words, under the same key.
      if (payload.kind === "printer") return;
      if (payload.kind !== "wait_over_target" && payload.kind !== "queue_long") return;
      const key = `alert:${payload.id}`;
      const concerned = concernsUs || (payload.windows || []).includes(this.windowId)
        || this.serving.includes(payload.subject);
      if (payload.status === "cleared" || !concerned) this.clear(key);
      else this.show(key, "warning", String(payload.message || "").split(" / ")[0]);
    }

    // 好差评: a bad rating of this window's service (谁办理、谁负责) and its rectification past the deadline.
    _rating(payload, concernsUs = false) {
      if (!concernsUs && !(payload.windows || []).includes(this.windowId)) return;
      const key = `alert:${payload.kind}:${payload.subject}`;
      if (payload.status !== "open") {
        this.clear(key);
        return;
      }
      this.show(key, payload.kind === "bad_rating" ? "warning" : "error",
        payload.kind === "bad_rating"
          ? `本窗口收到一条差评：${(payload.message || "").split(" / ")[0]}。请配合大厅管理人员整改。`
          : `本窗口的差评整改已超期：${(payload.message || "").split(" / ")[0]}。`);
    }

    screensNow(screens) {
      for (const screen of screens) this._screen(Object.assign({ connected: true }, screen));
    }

    show(key, level, text, action) {
      this.banners.set(key, { level, text, action });
      this._render();
    }

    clear(key) {
      if (this.banners.delete(key)) this._render();
    }

    // Every banner gone (a logout): the next login reads what holds again.
    reset() {
      this.banners.clear();
      this._render();
    }

    _name(list, id) {
      const found = ((this.layout && this.layout[list]) || []).find((item) => item.id === id);
      return found ? found.name : id;
    }

    _printer(payload) {
      const key = `printer:${payload.kiosk}`;
      const state = root.PageKit.term(this.vocabulary, "printer_state", payload.state);
      const level = state.unknown ? "error" : state.alert; // a state this page does not know yet: say it
      if (level === "clear") this.clear(key);
      if (level !== "error" && level !== "warning") return; // "unknown" says nothing new
      // the printer's own words, after the state's name unless they start with it
      const detail = payload.detail || "";
      const said = detail.startsWith(state.zh) ? detail : `${state.zh}${detail ? `（${detail}）` : ""}`;
      this.show(key, level, `取号机“${this._name("kiosks", payload.kiosk)}”：${said}`);
    }

    _printJob(payload) {
      const key = `print_job:${payload.job || payload.id}`;
      if (payload.status !== "failed") {
        this.clear(key);
        return;
      }
      const reason = payload.reason ? `：${payload.reason}` : "";
      const job = payload.job || payload.id;
      const reprint = this.onReprint ? { label: "补打号票", run: () => this.onReprint({ ...payload, job }) } : undefined;
      this.show(key, "error",
        `取号机“${this._name("kiosks", payload.kiosk)}”未能打印号票 ${payload.ticket || ""}${reason}。号票已在屏幕上显示，请协助群众。`,
        reprint);
      const failures = [...this.banners.keys()].filter((name) => name.startsWith("print_job:"));
      failures.slice(0, Math.max(0, failures.length - KEPT_PRINT_FAILURES)).forEach((name) => this.banners.delete(name));
      this._render();
    }

    _screen(payload) {
      const key = `screen:${payload.kind}:${payload.display}`;
      if (payload.kind === "window") {
        if (payload.display !== this.windowId) return;
        if (payload.connected === false) this.show(key, "warning", "本窗口的窗口屏已断开连接，请检查窗口屏。");
        else this.clear(key);
        return;
      }
      const display = ((this.layout && this.layout.displays) || []).find((item) => item.id === payload.display);
      const name = display ? display.name : payload.display;
      if (payload.connected === false) {
        this.show(key, "error", `大厅显示屏“${name}”已断开连接，叫号可能无法显示。`);
      } else if (payload.audio === "blocked") {
        this.show(key, "warning", `大厅显示屏“${name}”的声音被浏览器阻止，请在该屏上点击“点击开启声音”。`);
      } else if (payload.audio === "no_voice" && (!display || display.voice)) {
        this.show(key, "warning", `大厅显示屏“${name}”无法播放语音，请检查语音包或音箱。`);
      } else {
        this.clear(key);
      }
    }

    _render() {
      this.container.replaceChildren(
        ...[...this.banners.entries()].map(([key, banner]) => {
          const row = root.PageKit.element("div", `banner ${banner.level}`);
          row.dataset.key = key;
          const text = root.PageKit.element("span", "", banner.text);
          const close = root.PageKit.element("button", "link", "知道了");
          close.type = "button";
          close.addEventListener("click", () => this.clear(key));
          row.append(text);
          if (banner.action) {
            const act = root.PageKit.element("button", "banner-action", banner.action.label);
            act.type = "button";
            act.addEventListener("click", () => {
              act.disabled = true;
              Promise.resolve(banner.action.run()).then(() => this.clear(key), () => { act.disabled = false; });
            });
            row.append(act);
          }
          row.append(close);
          return row;
        }),
      );
    }
  }

  root.CounterAlerts = CounterAlerts;
})(typeof window !== "undefined" ? window : globalThis);
