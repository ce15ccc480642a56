/*
 * 弹性窗口 on the manager's board: each suggestion gets a one-click "安排协助" (a small dialog asks until when:
 * an hour from now, or the hall's closing if sooner), which assigns the window to the suggested queue first and
 * its own queues after it (POST …/windows/<window>/assign); each assigned window shows what it serves and
 * until when, with "撤销". board.js calls decorate() after every render of the monitor's answer.
 */
(function (root) {
  "use strict";

  const { element } = root.PageKit;
  const DEFAULT_MINUTES = 60;

  // "HH:MM" and the ISO weekday (1 = Monday) of a moment in the hall's time zone
  function hallNow(timezone, moment) {
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: timezone || undefined, hour: "2-digit", minute: "2-digit", weekday: "short", hourCycle: "h23",
    }).formatToParts(moment || new Date());
    const part = (type) => (parts.find((item) => item.type === type) || {}).value;
    const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(part("weekday")) + 1;
    return { clock: `${part("hour")}:${part("minute")}`, weekday };
  }

  function toMinutes(clock) {
    const [hours, minutes] = clock.split(":").map(Number);
    return hours * 60 + minutes;
  }

  function toClock(minutes) {
    return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  }

  // An hour from now, or the closing of today's opening period if that comes sooner; never past 23:59.
  function defaultUntil(timezone, hours, moment) {
    const now = hallNow(timezone, moment);
    const current = toMinutes(now.clock);
    let until = Math.min(current + DEFAULT_MINUTES, 23 * 60 + 59);
    for (const period of hours || []) {
      if (!period.days.includes(now.weekday)) continue;
      const closes = toMinutes(period.closes);
      if (toMinutes(period.opens) <= current && current < closes) until = Math.min(until, closes);
    }
    return toClock(until);
  }

  class BoardAssign {
    // api: the board's ApiClient; sitePath "/sites/<site>"; say(text, kind); refresh(): read the board again
    constructor({ api, sitePath, config, say, refresh }) {
      Object.assign(this, { api, sitePath, config, say, refresh });
      this.board = null;
      this.dialog = null;
    }

    decorate(board) {
      this.board = board;
      if (this.config.wall) {
        this._windows(false);
        return;
      }
      this._suggestions();
      this._windows(true);
    }

    _window(id) {
      return ((this.board && this.board.windows) || []).find((window) => window.id === id);
    }

    _queueName(id) {
      const queue = ((this.board && this.board.queues) || []).find((item) => item.id === id);
      return queue ? queue.name : id;
    }

    _suggestions() {
      document.querySelectorAll("#suggestions li.suggestion").forEach((item) => {
        const suggestion = (this.board.suggestions || []).find((entry) => entry.window === item.dataset.window
          && entry.queue === item.dataset.queue);
        if (!suggestion || item.querySelector("button.assign")) return;
        const button = element("button", "assign primary", "安排协助");
        button.type = "button";
        button.addEventListener("click", () => this.ask(suggestion));
        item.append(button);
      });
    }

    _windows(withUndo) {
      for (const window of this.board.windows || []) {
        const card = document.querySelector(`#windows [data-window="${CSS.escape(window.id)}"]`);
        if (!card || !window.assignment || card.querySelector(".window-assignment")) continue;
        const assignment = window.assignment;
        const names = (assignment.helping.length ? assignment.helping : assignment.queues).map((id) => this._queueName(id));
        const until = assignment.until ? `至 ${assignment.until}` : "至今日结束";
        const box = element("div", "window-assignment", `协助 ${names.join("、")} · ${until}`);
        box.title = [assignment.by ? `${assignment.by} 安排` : "", assignment.reason || ""].filter(Boolean).join("：");
        if (withUndo) {
          const undo = element("button", "link undo", "撤销");
          undo.type = "button";
          undo.addEventListener("click", () => this.assign(window.id, { queues: null }, undo));
          box.append(undo);
        }
        card.append(box);
      }
    }

    _ensureDialog() {
      if (this.dialog) return this.dialog;
      const dialog = element("dialog", "assign-dialog");
      dialog.id = "assign-dialog";
      const form = element("form");
      form.method = "dialog";
      const text = element("p", "assign-text");
      const label = element("label", "", "协助至（当日时刻）");
      const input = element("input");
      input.type = "time";
      input.id = "assign-until";
      input.required = true;
      label.append(input);
      const buttons = element("div", "dialog-buttons");
      const cancel = element("button", "", "取消");
      cancel.type = "button";
      cancel.addEventListener("click", () => dialog.close());
      const confirm = element("button", "primary", "安排协助");
      confirm.type = "submit";
      confirm.id = "assign-confirm";
      buttons.append(cancel, confirm);
      form.append(element("h2", "", "安排窗口协助"), text, label, buttons);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const pending = this.pending;
        if (!pending || !input.value) return;
        dialog.close();
        this.assign(pending.window, { queues: pending.queues, until: input.value.slice(0, 5), reason: pending.reason });
      });
      dialog.append(form);
      document.body.append(dialog);
      this.dialog = dialog;
      return dialog;
    }

    // The suggested queue first, then what the window serves now (its own queues): its own citizens still get called.
    ask(suggestion) {
      const window = this._window(suggestion.window);
      const serving = window ? window.queues : [];
      const queues = [suggestion.queue, ...serving.filter((id) => id !== suggestion.queue)];
      this.pending = { window: suggestion.window, queues, reason: String(suggestion.reason || "").slice(0, 200) };
      const dialog = this._ensureDialog();
      dialog.querySelector(".assign-text").textContent =
        `安排 ${window ? `${window.number}号窗口` : suggestion.window} 优先办理“${this._queueName(suggestion.queue)}”队列（之后仍办理本窗口队列）。`;
      dialog.querySelector("#assign-until").value = defaultUntil(this.config.timezone, this.config.hours);
      dialog.showModal();
      dialog.querySelector("#assign-until").focus();
    }

    async assign(windowId, body, button) {
      if (button) button.disabled = true;
      try {
        await this.api.request("POST", `${this.sitePath}/windows/${encodeURIComponent(windowId)}/assign`, body);
        this.say(body.queues ? "已安排窗口协助。" : "已撤销窗口协助。", "info");
        this.refresh();
      } catch (error) {
        if (button) button.disabled = false;
        this.say(`${error.message}（${error.code}）`, "error");
      }
    }
  }

  BoardAssign.defaultUntil = defaultUntil;
  root.BoardAssign = BoardAssign;
})(typeof window !== "undefined" ? window : globalThis);
