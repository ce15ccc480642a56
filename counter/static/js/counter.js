/*
 * The counter page (窗口工作台). The window's state lives on the server: the page shows what
 * GET /api/v1/sites/<site>/windows/<window> and the site's `window` events say, and fetches it
 * again after every action and every reconnect, so a network drop or a server restart never
 * loses the current ticket. Keyboard first: every action has a key, shown on its button.
 */
(function () {
  "use strict";

  const { $, element, term } = PageKit;
  const config = PageKit.readConfig("counter-config");
  const vocabulary = config.vocabulary; // the names of the server's codes (server/vocabulary.py)
  const api = new ApiClient(config.api, "yichuang.counter.token");
  const windowKey = `yichuang.counter.${config.site}.window`;
  const sitePath = `/sites/${encodeURIComponent(config.site)}`;

  const STATE_TEXT = { open: "开放中", paused: "暂停服务", closed: "已关闭" };
  const KEYS = {
    F1: ["call-next"], " ": ["call-next"], r: ["recall"], n: ["no-show"], s: ["start"], t: ["transfer"],
  };
  // 1, 2, … finish with the outcomes in the server's order, as the buttons the template drew from it say
  for (const [outcome, entry] of Object.entries(vocabulary.outcome)) KEYS[entry.key] = ["finish", outcome];
  const HINTS = {
    window_taken: "请选择其他窗口，或请该窗口的工作人员先关窗。",
    window_not_open: "请先点击“开窗”。",
    window_paused: "窗口暂停中，请先点击“恢复服务”。",
    no_current_ticket: "请先叫号（F1 或空格）。",
    current_ticket_open: "请先办结、过号或转办当前号票。",
    not_authorised: "该事项仅委托受理：请按受理通知书（1）办结。",
    reason_required: "请填写不予受理的理由。",
  };
  const QUEUE_REFRESH_MS = 300;
  const TOKEN_REFUSED = ["invalid_token", "token_expired"]; // subscribe_error codes: log in again

  const views = { login: $("login-view"), chooser: $("window-view"), desk: $("desk-view") };
  const alerts = new CounterAlerts($("banners"), vocabulary);

  let layout = null;
  let me = null;
  let windowId = localStorage.getItem(windowKey);
  let view = null; // the window's state view from the server
  let viewSeq = 0; // the site seq that view reflects: an answer read before it is stale
  let ticket = null; // GET /tickets/<id> of the current ticket
  let windows = {}; // window id -> state view, from the snapshot and `window` events
  let queues = [];
  let queueTimer = null;
  const checked = new Map(); // ticket id -> indexes of ticked checklist items

  // ---- messages --------------------------------------------------------------------------

  function say(text, level = "info", code = "") {
    const box = $("message");
    box.textContent = text;
    box.dataset.level = level;
    box.dataset.code = code;
    box.hidden = !text;
  }

  function sayError(error) {
    const hint = HINTS[error.code] ? ` ${HINTS[error.code]}` : "";
    say(`${error.message}${hint}（${error.code}）`, "error", error.code);
  }

  // A network failure that is over needs no more words.
  function clearNetworkError() {
    if ($("message").dataset.code === "network_error") say("");
  }

  // ---- what to show ----------------------------------------------------------------------

  function show(name) {
    for (const [key, element] of Object.entries(views)) element.hidden = key !== name;
    $("user-box").hidden = !me;
    $("window-chip").hidden = name !== "desk";
    if (me) $("user-name").textContent = `${me.username}（${me.role === "admin" ? "管理员" : "窗口人员"}）`;
  }

  function layoutWindow(id) {
    return layout && layout.windows.find((window) => window.id === id);
  }

  async function route() {
    if (!me) {
      show("login");
      $("login-username").focus();
      return;
    }
    if (!layout) return; // start() routes again when the layout arrives
    if (!layoutWindow(windowId)) {
      windowId = null;
      renderChooser();
      show("chooser");
      return;
    }
    alerts.use(layout, windowId);
    loadPrinters();
    show("desk");
    renderDesk();
    await refresh();
  }

  // ---- the server's state ----------------------------------------------------------------

  let refreshes = 0;

  async function refresh() {
    if (!me || !windowId) return;
    const mine = (refreshes += 1);
    try {
      const fetched = await api.request("GET", `${sitePath}/windows/${encodeURIComponent(windowId)}`);
      if (mine === refreshes) applyView(fetched); // an older answer overtaken by a newer question is stale
      clearNetworkError();
    } catch (error) {
      sayError(error);
    }
    refreshQueues();
  }

  // Every view the server sends (event, GET, open/pause/close answer) carries the site seq it reflects;
  // one older than the view shown was read before a change the page already shows, e.g. a GET sent
  // before F1 and answered after the call's event: it is dropped.
  function applyView(next) {
    if (!next || next.window !== windowId) return;
    if (typeof next.seq === "number") {
      if (next.seq < viewSeq) return;
      viewSeq = next.seq;
    }
    view = next;
    windows[next.window] = next;
    renderAssignment(next.assignment);
    const current = next.current;
    if (!current) ticket = null;
    else if (!ticket || ticket.id !== current.ticket_id) loadTicket(current.ticket_id);
    else ticket.status = current.status;
    renderDesk();
  }

  async function loadTicket(ticketId) {
    try {
      const loaded = await api.request("GET", `/tickets/${encodeURIComponent(ticketId)}`);
      if (view && view.current && view.current.ticket_id === loaded.id) {
        ticket = loaded;
        ticket.status = view.current.status;
        renderDesk();
      }
    } catch (error) {
      sayError(error);
    }
  }

  async function refreshQueues() {
    try {
      queues = await api.request("GET", `${sitePath}/queues`);
      renderQueues();
    } catch (error) {
      sayError(error);
    }
  }

  // `waiting` events come in bursts; one fetch answers a burst
  function scheduleQueues() {
    if (queueTimer !== null || !windowId) return;
    queueTimer = setTimeout(() => {
      queueTimer = null;
      refreshQueues();
    }, QUEUE_REFRESH_MS);
  }

  // Until the server answers: a hall PC is often switched on before the server is reachable.
  async function patiently(work) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (error.status !== 0) throw error;
        sayError(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * 2 ** attempt)));
      }
    }
  }

  // ---- rendering -------------------------------------------------------------------------

  function renderChooser() {
    if (!layout) return;
    $("window-grid").replaceChildren(
      ...layout.windows.map((window) => {
        const state = windows[window.id];
        const button = element("button", "window-choice");
        button.type = "button";
        button.dataset.window = window.id;
        const effective = state ? state.state : "closed";
        button.dataset.state = effective;
        let note = STATE_TEXT[effective];
        if (effective !== "closed" && state.clerk !== null && me && state.clerk !== me.id) note += " · 其他工作人员使用中";
        if (effective !== "closed" && me && state.clerk === me.id) note += " · 您已登录此窗口";
        button.append(element("span", "number", window.number), element("span", "name", window.name),
          element("span", "status", note));
        button.addEventListener("click", () => chooseWindow(window.id));
        return button;
      }),
    );
  }

  function chooseWindow(id) {
    windowId = id;
    localStorage.setItem(windowKey, id);
    view = null;
    viewSeq = 0;
    ticket = null;
    say("");
    route();
  }

  function renderDesk() {
    const window = layoutWindow(windowId);
    if (!window) return;
    const state = view ? view.state : "closed";
    $("window-title").textContent = window.name;
    const badge = $("state-badge");
    badge.dataset.state = state;
    badge.textContent = state === "paused" && view.reason ? `暂停服务（${view.reason}）` : STATE_TEXT[state];
    $("state-text").textContent = badge.textContent;
    $("open-button").textContent = state === "paused" ? "恢复服务" : "开窗";
    mark("open-button", state !== "open");
    mark("pause-button", state === "open");
    mark("close-button", state !== "closed" && !(view && view.current));

    const note = $("owner-note");
    const othersWindow = view && state !== "closed" && view.clerk !== null && me && view.clerk !== me.id;
    note.hidden = !othersWindow;
    if (othersWindow) {
      note.textContent = me.role === "admin"
        ? "该窗口正由其他工作人员使用；您是管理员，可以代为操作。"
        : "该窗口正由其他工作人员使用，您不能在此窗口叫号。请选择其他窗口。";
    }
    renderCurrent(state);
  }

  // A button that would be refused now looks quiet but still asks the server, whose answer says why.
  function mark(id, available) {
    $(id).classList.toggle("unavailable", !available);
  }

  function renderCurrent(state) {
    const current = view && view.current;
    $("current-empty").hidden = Boolean(current);
    $("current").hidden = !current;
    for (const action of ["recall", "no-show", "start", "transfer", "finish"]) {
      document.querySelectorAll(`[data-action="${action}"]`).forEach((button) => {
        button.classList.toggle("unavailable", !current || (action === "start" && current.status !== "called"));
      });
    }
    document.querySelector('[data-action="call-next"]').classList.toggle("unavailable", state !== "open" || Boolean(current));
    CounterCases.show(current);
    if (!current) return;
    $("current-number").textContent = current.ticket;
    $("current-status").textContent = term(vocabulary, "ticket_status", current.status).staff || current.status;
    $("current-status").dataset.status = current.status;
    const service = layout.services.find((item) => item.id === current.service);
    $("current-service").textContent = service
      ? `${service.name} · ${service.department_name}`
      : (ticket && ticket.service_name) || current.service;
    $("issued-at").textContent = ticket ? clockTime(ticket.issued_at) : "…";
    renderChecklist(current.ticket_id, service);
    tick();
  }

  function renderChecklist(ticketId, service) {
    const list = $("checklist");
    if (list.dataset.ticket === ticketId) return; // keep what the clerk ticked
    list.dataset.ticket = ticketId;
    const items = (service && service.checklist) || [];
    if (items.length === 0) {
      list.replaceChildren(element("li", "empty", "本事项未配置受理审查标准。"));
      return;
    }
    const ticked = checked.get(ticketId) || new Set();
    checked.set(ticketId, ticked);
    list.replaceChildren(
      ...items.map((text, index) => {
        const item = document.createElement("li");
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.checked = ticked.has(index);
        box.addEventListener("change", () => (box.checked ? ticked.add(index) : ticked.delete(index)));
        label.append(box, ` ${text}`);
        item.append(label);
        return item;
      }),
    );
  }

  function renderQueues() {
    const window = layoutWindow(windowId);
    if (!window) return;
    let served = [...window.queues.map((id) => [id, false]), ...(window.overflow || []).map((id) => [id, true])];
    const assigned = view && view.assignment; // 弹性窗口: the queues a manager assigned, in their order
    if (assigned) {
      served = [...assigned.queues.map((id) => [id, !window.queues.includes(id)]),
        ...(window.overflow || []).filter((id) => !assigned.queues.includes(id)).map((id) => [id, true])];
    }
    $("queue-rows").replaceChildren(
      ...served.map(([id, helping]) => {
        const queue = queues.find((item) => item.id === id) || { name: id, prefix: "", waiting: 0 };
        const row = document.createElement("tr");
        row.dataset.queue = id;
        const cells = [
          `${queue.name}（${queue.prefix}）${helping ? " · 协助" : ""}`,
          `${queue.waiting} 人`,
          queue.waiting ? `${Math.round(queue.oldest_wait_minutes)} 分钟` : "—",
          queue.waiting ? (queue.eta_minutes === null ? "暂无窗口开放" : `约 ${queue.eta_minutes} 分钟`) : "—",
          `${queue.windows_open ?? "—"}`,
        ];
        row.replaceChildren(...cells.map((text) => element("td", "", text)));
        if (queue.waiting > 0) row.classList.add("busy");
        return row;
      }),
    );
  }

  // ---- 弹性窗口: what a manager assigned this window -------------------------------------------

  let assignmentShown = null; // the assignment the banner last said: a closed banner stays closed for it

  function renderAssignment(assignment) {
    const window = layoutWindow(windowId);
    alerts.serving = assignment ? assignment.queues : (window ? window.queues : []);
    const said = assignment ? `${assignment.queues.join(",")}@${assignment.until}` : null;
    if (said === assignmentShown) return;
    assignmentShown = said;
    if (!assignment) {
      alerts.clear("assignment");
      scheduleQueues();
      loadWindowAlerts();
      return;
    }
    const helping = assignment.helping && assignment.helping.length ? assignment.helping : assignment.queues;
    const names = helping.map((id) => (assignment.queue_names || [])[assignment.queues.indexOf(id)] || id).join("、");
    const until = assignment.until ? `，至 ${assignment.until}` : "，至今日结束";
    alerts.show("assignment", "info", `管理员已安排本窗口协助办理 ${names} 队列${until}`);
    scheduleQueues();
    loadWindowAlerts();
  }

  // ---- time ------------------------------------------------------------------------------

  let clock = PageKit.hallClock(undefined); // the hall's time once the layout says its zone

  function clockTime(iso) {
    return clock.seconds(iso);
  }

  function elapsed(iso) {
    if (!iso) return "—";
    const seconds = Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 1000));
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return hours ? `${hours}小时${String(minutes).padStart(2, "0")}分` : `${minutes}分${rest}秒`;
  }

  function tick() {
    const current = view && view.current;
    if (!current) return;
    $("waited").textContent = ticket ? elapsed(ticket.issued_at) : "…";
    $("since-called").textContent = elapsed(current.called_at);
  }

  // ---- actions ---------------------------------------------------------------------------

  const DONE = {
    open: () => "窗口已开放，可以叫号。",
    pause: (result) => `已暂停服务（${result.reason}）。`,
    close: () => "窗口已关闭。",
    "call-next": (result) => (result ? `已叫号 ${result.number}（${result.service_name}）。` : "当前没有等候本窗口的号。"),
    recall: (result) => `已重呼 ${result.number}。`,
    "no-show": (result) => `${result.number} 已标记过号。`,
    start: (result) => `${result.number} 开始办理。`,
    finish: (result) => `${result.number} 已办结：${result.outcome === "delivered" ? "已领取（出件）"
      : term(vocabulary, "outcome", result.outcome).zh}。`,
    transfer: (result) => `${result.number} 已转办至“${(result.transferred_ticket || {}).service_name || ""}”，保留原取号时间排队。`,
  };

  // Actions run one after another in the order the clerk pressed them: a quick S then 1 does both,
  // and a second F1 is answered by the server (current_ticket_open) instead of being lost.
  let chain = Promise.resolve();
  let pending = 0;
  const MAX_PENDING = 3;

  function act(action, body) {
    if (!me || !windowId) return;
    if (pending >= MAX_PENDING) {
      say("操作太快了，请等前面的操作完成后再按。", "error", "busy");
      return;
    }
    pending += 1;
    document.body.classList.add("busy");
    chain = chain.then(() => run(action, body)).finally(() => {
      pending -= 1;
      document.body.classList.toggle("busy", pending > 0);
    });
  }

  async function run(action, body) {
    if (!me || !windowId) return; // logged out by an earlier action in the line
    try {
      const result = await api.request("POST", `${sitePath}/windows/${encodeURIComponent(windowId)}/${action}`, body);
      say(DONE[action](result), result === null ? "info" : "done");
      if (action === "finish") CounterCases.finished(result);
      if (result && result.window === windowId && "state" in result) applyView(result);
    } catch (error) {
      if (error.status === 401) {
        logout(`${error.message}（${error.code}）`);
        return;
      }
      sayError(error);
    }
    refresh(); // whatever happened, show what the server holds now
  }

  function perform(action, outcome) {
    if (action === "pause") openPause();
    else if (action === "transfer") openTransfer();
    else if (action === "finish") finish(outcome);
    else act(action);
  }

  // 一次性告知书 lists the checklist entries not ticked as missing; 不予受理 asks for its reason first.
  function finish(outcome) {
    if (outcome === "rejected") {
      openReject();
      return;
    }
    const body = { outcome };
    if (outcome === "notified") {
      const missing = missingEntries();
      if (missing.length) body.missing = missing;
    }
    act("finish", CounterCases.finishBody(body));
  }

  function missingEntries() {
    const current = view && view.current;
    const service = current && layout.services.find((item) => item.id === current.service);
    const ticked = (current && checked.get(current.ticket_id)) || new Set();
    return ((service && service.checklist) || []).filter((_, index) => !ticked.has(index));
  }

  function openReject() {
    if (!view || !view.current) {
      say(`当前没有正在办理的号。${HINTS.no_current_ticket}`, "error");
      return;
    }
    $("reject-form").reset();
    $("reject-dialog").showModal();
    $("reject-reason").focus();
  }

  $("reject-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = String(new FormData(event.target).get("reason") || "").trim();
    if (!reason) {
      $("reject-reason").focus();
      return;
    }
    $("reject-dialog").close();
    act("finish", { outcome: "rejected", reason });
  });
  $("reject-cancel").addEventListener("click", () => $("reject-dialog").close());

  function openPause() {
    $("pause-form").reset();
    $("pause-dialog").showModal();
  }

  $("pause-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const other = String(form.get("other") || "").trim();
    const reason = form.get("reason") === "其他" && other ? other : String(form.get("reason"));
    $("pause-dialog").close();
    act("pause", { reason });
  });
  $("pause-cancel").addEventListener("click", () => $("pause-dialog").close());
  $("pause-other").addEventListener("input", () => {
    document.querySelector('#pause-form input[value="其他"]').checked = true;
  });

  const picker = new TransferPicker({
    dialog: $("transfer-dialog"),
    form: $("transfer-form"),
    search: $("transfer-search"),
    list: $("transfer-list"),
    cancel: $("transfer-cancel"),
    onChoose: (service) => act("transfer", { service: service.id }),
  });

  function openTransfer() {
    if (!view || !view.current) {
      say(`当前没有正在办理的号，无法转办。${HINTS.no_current_ticket}`, "error");
      return;
    }
    picker.open(layout.services, config.search_keys, view.current.service);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("#desk-view [data-action]");
    if (button) perform(button.dataset.action, button.dataset.outcome);
  });

  // Letters typed into a field are text, not commands; a ticked checkbox keeps the shortcuts working.
  function typing(target) {
    const field = target.closest("textarea, select, [contenteditable], input");
    return Boolean(field) && !(field.tagName === "INPUT" && ["checkbox", "radio"].includes(field.type));
  }

  document.addEventListener("keydown", (event) => {
    if (views.desk.hidden || event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
    if (document.querySelector("dialog[open]")) return; // the dialog has the keyboard
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const functionKey = /^F\d{1,2}$/.test(key); // F1 calls next from the applicant's name field too
    if (!functionKey && (typing(event.target) || (key === " " && event.target.closest("input")))) return; // Space ticks a box
    const binding = KEYS[key];
    if (!binding) return;
    event.preventDefault(); // F1 would open the browser's help, Space would press the focused button
    perform(...binding);
  });

  // ---- login -----------------------------------------------------------------------------

  PageKit.staffLogin(api, {
    async onLogin() {
      try {
        me = await api.request("GET", "/auth/me");
      } catch (error) {
        api.token = null;
        throw error;
      }
      say(`欢迎，${me.username}。`, "done");
      route();
    },
    say: (_message, _kind, error) => { api.token = null; sayError(error); },
  });

  function logout(reason) {
    api.token = null;
    me = null;
    view = null;
    viewSeq = 0;
    ticket = null;
    alerts.reset(); // a bad rating's text, a reprint button: the next clerk at this PC reads them anew
    say(reason || "已退出登录。窗口状态不变；下班前请先关窗。", reason ? "error" : "info");
    route();
  }

  $("logout").addEventListener("click", () => logout());
  $("change-window").addEventListener("click", () => {
    windowId = null;
    localStorage.removeItem(windowKey);
    renderChooser();
    show("chooser");
  });

  // ---- the site's events -----------------------------------------------------------------

  // A counter opened while a printer is already out of paper, after tickets failed to print, or while a queue of
  // the window waits too long, says so.
  async function loadPrinters() {
    if (!layout) return; // route() loads them once the layout names the kiosks
    try {
      alerts.printersNow(await api.request("GET", `${sitePath}/printers`));
      if (me) { // the hall's day only: a ticket of an earlier day is not printed again
        const jobs = await api.request("GET", `${sitePath}/print-jobs?status=failed&limit=5`);
        alerts.failedJobsNow(jobs.filter((job) => sameHallDay(job.created_at)));
      }
      await loadWindowAlerts();
    } catch (error) {
      console.warn("counter: printers not loaded", error); // the banners are a help, not the job
    }
  }

  // The open alerts of the queues this window serves now (again when a manager changes what it serves).
  async function loadWindowAlerts() {
    if (!me || !windowId) return;
    try {
      alerts.alertsNow(await api.request("GET", `${sitePath}/windows/${encodeURIComponent(windowId)}/alerts`));
    } catch (error) {
      console.warn("counter: alerts not loaded", error);
    }
  }

  function sameHallDay(iso) {
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: (layout && layout.timezone) || undefined });
    return Boolean(iso) && day.format(new Date(iso)) === day.format(new Date());
  }

  alerts.onReprint = async (job) => {
    try {
      await api.request("POST", `${sitePath}/print-jobs/${encodeURIComponent(job.job)}/reprint`);
      say(`已在取号机补打号票 ${job.ticket || ""}。`, "done");
    } catch (error) {
      sayError(error);
      throw error;
    }
  };

  async function loadScreens() {
    try {
      alerts.screensNow(await api.request("GET", `${sitePath}/screens`));
    } catch (error) {
      console.warn("counter: screens not loaded", error); // the banners are a help, not the job
    }
  }

  // With the clerk's token the staff stream (clerks, ticket ids, printers, screens); anonymous before
  // the login. Every login and logout subscribes again, from a fresh snapshot of the new audience.
  const stream = new SiteStream({
    site: config.site,
    token: api.token,
    batch: true,
    onSnapshot(snapshot) {
      windows = Object.assign({}, snapshot.windows);
      renderChooser();
      viewSeq = 0; // a restored server database may count again from a lower seq
      if (windowId && snapshot.windows[windowId]) applyView({ ...snapshot.windows[windowId], seq: snapshot.seq });
      refresh(); // the reconnect rule: ask the server for the window, never trust what we had
      loadScreens();
      loadPrinters();
    },
    onEvent(kind, payload) {
      if (kind === "window") {
        windows[payload.window] = payload;
        if (payload.window === windowId) applyView(payload);
        if (!views.chooser.hidden) renderChooser();
      } else if (kind === "waiting") {
        scheduleQueues();
      } else {
        alerts.handle(kind, payload);
      }
    },
    onConnection(state) {
      const badge = $("connection");
      badge.dataset.state = state;
      badge.textContent = PageKit.connectionText(state);
    },
    onError(error) {
      if (TOKEN_REFUSED.includes(error.code)) {
        if (me) logout(`${error.message}（${error.code}）`);
        else api.token = null; // a token left from an earlier day: go on without it
        return;
      }
      sayError(error);
    },
  });
  api.onTokenChange((token) => stream.setToken(token));

  // ---- start -----------------------------------------------------------------------------

  async function start() {
    setInterval(tick, 1000);
    if (api.token) {
      try {
        me = await patiently(() => api.request("GET", "/auth/me"));
      } catch (error) {
        if (error.status === 401) api.token = null;
        sayError(error);
      }
    }
    try {
      layout = await patiently(() => api.request("GET", `${sitePath}/layout`));
    } catch (error) {
      sayError(error);
      return;
    }
    clock = PageKit.hallClock(layout.timezone);
    clearNetworkError();
    renderChooser();
    route();
  }

  CounterCases.init({
    act, api, sitePath, windowId: () => windowId,
    queueKind: (current) => {
      const queue = layout && current && layout.queues.find((item) => item.id === (ticket && ticket.queue));
      const window = layoutWindow(windowId);
      return queue ? queue.kind : (window && window.kind);
    },
  });
  window.counter = { stream, alerts, state: () => ({ me, windowId, view, ticket }) };
  start();
})();
