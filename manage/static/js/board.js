/*
 * The manager's board: reads GET /monitor once, then follows the site's staff stream and reads it again
 * (once per burst of events) whenever something happens — never on a timer. Between events the waits
 * grow on screen from the figures' own clock. Alerts can be acknowledged; statistics are asked for a
 * range of days, drawn with ECharts, and downloaded as CSV or Excel.
 */
(function () {
  "use strict";

  const { $, element, readConfig, hallClock, connectionText } = PageKit;
  const config = readConfig("manage-config");
  const api = new ApiClient(config.api, "yichuang.manage.token");
  const clock = hallClock(config.timezone);
  const sitePath = `/sites/${encodeURIComponent(config.site)}`;
  const REFRESH_SETTLE_MS = 150; // a call is three events; read the board once for all of them
  const STATE_NAMES = { open: "办理中", paused: "暂停", closed: "未开放" };
  const ALERT_NAMES = { wait_over_target: "超时等候", queue_long: "排队过长", printer: "打印机", screen: "显示屏",
    case_overdue: "办件超期", bad_rating: "差评", rectification_overdue: "整改超期" };

  let board = null; // the last monitor answer
  let boardAt = 0; // Date.now() when it arrived
  let refreshTimer = null;
  let chart = null;
  const assigning = window.BoardAssign
    ? new BoardAssign({ api, sitePath, config, say, refresh: () => refreshSoon() }) : null;

  function say(text, kind) {
    const box = $("message");
    box.hidden = !text;
    box.textContent = text || "";
    box.dataset.kind = kind || "info";
  }

  // A wait past its target is rounded up, as the alerts and suggestions say it: past a 30-minute promise
  // reads 31, never 30.
  function minutes(seconds, up = false) {
    if (seconds === null || seconds === undefined) return "—";
    const whole = up ? Math.ceil(seconds / 60) : Math.floor(seconds / 60);
    return whole < 60 ? `${whole} 分钟` : `${Math.floor(whole / 60)} 小时 ${whole % 60} 分`;
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : `${value}%`;
  }

  // -- the live board --------------------------------------------------------------------------
  // The board is staff's: nothing is asked before a login, and a refusal of a request made with an earlier
  // token (the anonymous stream's snapshot arriving while the manager logs in) does not undo the login.
  async function refresh() {
    refreshTimer = null;
    const token = api.token;
    if (!token) return;
    try {
      board = await api.request("GET", `${sitePath}/monitor`);
      boardAt = Date.now();
      render();
    } catch (error) {
      if ((error.status === 401 || error.status === 403) && api.token === token) return showLogin(error.message);
      if (api.token === token) say(error.message, "error");
    }
  }

  function refreshSoon() {
    if (refreshTimer === null) refreshTimer = setTimeout(refresh, REFRESH_SETTLE_MS);
  }

  function elapsed() {
    return Math.max(0, Math.floor((Date.now() - boardAt) / 1000));
  }

  function render() {
    if (!board) return;
    renderQueues();
    renderWindows();
    renderAlerts();
    renderSuggestions();
    if (assigning) assigning.decorate(board); // 弹性窗口: 安排协助 and 撤销 (board_assign.js)
    document.dispatchEvent(new CustomEvent("board-refreshed")); // the rectifications section reads again
  }

  function renderQueues() {
    const body = $("queues").tBodies[0];
    body.replaceChildren(...board.queues.map((queue) => {
      const oldest = queue.waiting ? queue.oldest_wait_s + elapsed() : null;
      const late = oldest !== null && oldest > queue.target_minutes * 60;
      const row = element("tr", late ? "late" : "");
      row.dataset.queue = queue.id;
      row.append(
        element("th", "", queue.name),
        element("td", "number waiting", String(queue.waiting)),
        element("td", late ? "number late" : "number", minutes(oldest, late)),
        element("td", "number", queue.eta_minutes === null ? "无窗口开放" : `${queue.eta_minutes} 分钟`),
        element("td", "number", String(queue.open_windows)),
        element("td", "number", String(queue.served_today)),
        element("td", "number", percent(queue.within_target_pct)),
      );
      return row;
    }));
  }

  function renderWindows() {
    $("windows").replaceChildren(...board.windows.map((window) => {
      const card = element("article", `window-card state-${window.state}`);
      card.dataset.window = window.id;
      const since = window.current_since ? Math.floor((Date.now() - Date.parse(window.current_since)) / 1000) : null;
      card.append(
        element("div", "window-number", `${window.number}号`),
        element("div", "window-state", STATE_NAMES[window.state] || window.state),
        element("div", "window-clerk", window.clerk || ""),
        element("div", "window-current", window.current ? `${window.current} · ${minutes(since)}` : ""),
        element("div", "window-served", `今日办结 ${window.served_today}`),
      );
      return card;
    }));
  }

  function renderAlerts() {
    const alerts = board.alerts || [];
    $("alert-count").textContent = String(alerts.length);
    $("no-alerts").hidden = alerts.length > 0;
    $("alerts").replaceChildren(...alerts.map((alert) => {
      const item = element("li", `alert kind-${alert.kind}${alert.acked_at ? " acked" : ""}`);
      item.dataset.alert = String(alert.id);
      item.append(element("span", "alert-kind", ALERT_NAMES[alert.kind] || alert.kind),
        element("span", "alert-message", alert.message),
        element("span", "alert-since", `自 ${clock.time(alert.since)}`));
      if (alert.acked_at) {
        item.append(element("span", "alert-acked", `${alert.acked_by} 已确认`));
      } else if (!config.wall) {
        const button = element("button", "ack", "确认");
        button.type = "button";
        button.addEventListener("click", () => acknowledge(alert.id, button));
        item.append(button);
      }
      return item;
    }));
  }

  function renderSuggestions() {
    const suggestions = board.suggestions || [];
    const late = (board.queues || []).filter((queue) => queue.waiting > 0
      && queue.oldest_wait_s > queue.target_minutes * 60);
    $("no-suggestions").hidden = suggestions.length > 0;
    const unserved = late.filter((queue) => !queue.open_windows);
    let text = "各队列均在承诺时间内 / Every queue within its target";
    if (unserved.length) {
      text = `${unserved.map((queue) => queue.name).join("、")}已超过承诺时间，暂无可协助的开放窗口 / past its target, `
        + "and no open window may help";
    } else if (late.length) {
      text = "超过承诺时间的队列均有窗口在办理 / every queue past its target has a window serving it";
    }
    $("no-suggestions").textContent = text;
    $("suggestions").replaceChildren(...suggestions.map((suggestion) => {
      const item = element("li", "suggestion", suggestion.reason);
      item.dataset.window = suggestion.window;
      item.dataset.queue = suggestion.queue;
      return item;
    }));
  }

  async function acknowledge(alertId, button) {
    button.disabled = true;
    try {
      await api.request("POST", `${sitePath}/alerts/${alertId}/ack`);
      refreshSoon();
    } catch (error) {
      button.disabled = false;
      say(error.message, "error");
    }
  }

  // -- statistics ------------------------------------------------------------------------------
  function statsQuery() {
    const from = $("stats-from").value;
    const to = $("stats-to").value;
    const by = $("stats-by").value;
    return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&by=${encodeURIComponent(by)}`;
  }

  async function loadStats(event) {
    if (event) event.preventDefault();
    try {
      const stats = await api.request("GET", `${sitePath}/stats?${statsQuery()}`);
      renderStats(stats);
      say("");
    } catch (error) {
      say(error.message, "error");
    }
  }

  function renderStats(stats) {
    const grouping = config.groupings.find((item) => item.id === stats.by);
    $("stats-key").textContent = grouping ? grouping.name.replace("按", "") : "项目";
    const rows = [...stats.rows, { ...stats.totals, key: "total", name: "合计" }];
    $("stats-table").tBodies[0].replaceChildren(...rows.map((row) => {
      const line = element("tr", row.key === "total" ? "total" : "");
      line.append(element("th", "", row.name), ...[row.issued, row.called, row.served, row.no_show]
        .map((value) => element("td", "number", String(value))),
      element("td", "number", minutes(row.wait_p50_s)), element("td", "number", minutes(row.wait_p90_s)),
      element("td", "number", minutes(row.service_p50_s)), element("td", "number", percent(row.within_target_pct)),
      ...[row.ratings, row.rating_avg ?? "—", row.bad_ratings].map((value) => element("td", "number", String(value))),
      element("td", "number", percent(row.good_rating_pct)), element("td", "number", percent(row.rating_rate_pct)));
      return line;
    }));
    drawChart(stats);
  }

  function drawChart(stats) {
    if (typeof echarts === "undefined") return; // the table still says it all
    $("stats-chart").hidden = false;
    chart = chart || echarts.init($("stats-chart"), null, { renderer: "canvas" });
    const names = stats.rows.map((row) => row.name);
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "Noto Sans CJK SC, sans-serif" },
      tooltip: { trigger: "axis" },
      legend: { data: ["取号", "办结", "等候中位数(分钟)"] },
      grid: { left: 48, right: 56, bottom: 72, top: 36 },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 8 ? 30 : 0 } },
      yAxis: [{ type: "value", name: "件" }, { type: "value", name: "分钟" }],
      series: [
        { name: "取号", type: "bar", data: stats.rows.map((row) => row.issued) },
        { name: "办结", type: "bar", data: stats.rows.map((row) => row.served) },
        { name: "等候中位数(分钟)", type: "line", yAxisIndex: 1,
          data: stats.rows.map((row) => (row.wait_p50_s === null ? null : Math.round(row.wait_p50_s / 6) / 10)) },
      ],
    }, true);
  }

  async function download(extension) {
    // The exports need the manager's token, so they are fetched and handed to the browser as a file.
    try {
      const response = await fetch(`${config.api}${sitePath}/stats.${extension}?${statsQuery()}`, {
        headers: { Authorization: `Bearer ${api.token}` }, cache: "no-store",
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error((body.error && body.error.message) || `HTTP ${response.status}`);
      }
      const link = element("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = `${config.site}-统计-${$("stats-by").value}-${$("stats-from").value}-${$("stats-to").value}.${extension}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (error) {
      say(error.message, "error");
    }
  }

  function initStatsForm() {
    $("stats-by").replaceChildren(...config.groupings.map((grouping) => {
      const option = element("option", "", grouping.name);
      option.value = grouping.id;
      return option;
    }));
    // Last month by default: what a manager reports on.
    const today = new Date();
    const first = new Date(today.getFullYear(), today.getMonth() - 1, 1);
    const last = new Date(today.getFullYear(), today.getMonth(), 0);
    const iso = (day) => `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
    $("stats-from").value = iso(first);
    $("stats-to").value = iso(last);
    $("stats-form").addEventListener("submit", loadStats);
    $("export-csv").addEventListener("click", () => download("csv"));
    $("export-xlsx").addEventListener("click", () => download("xlsx"));
  }

  // -- login and the stream --------------------------------------------------------------------
  const page = PageKit.staffPage(api, {
    view: "board-view",
    say,
    hideUser: config.wall,
    async onShow() {
      $("stats-panel").hidden = config.wall;
      await refresh();
    },
  });
  const showLogin = page.showLogin;

  const stream = new SiteStream({
    site: config.site,
    token: api.token,
    batch: true,
    onSnapshot: refreshSoon,
    onCall: refreshSoon,
    onEvent: refreshSoon,
    onConnection(state) {
      $("connection").dataset.state = state;
      $("connection").textContent = connectionText(state);
    },
    onError(error) {
      if (page.endsLogin(error)) showLogin(error.message);
      else say(error.message, "error");
    },
  });
  api.onTokenChange((token) => stream.setToken(token));

  function tick() {
    $("clock").textContent = clock.seconds(new Date());
    if (board) renderQueues(); // the waits grow between events
  }

  initStatsForm();
  setInterval(tick, 1000);
  page.start();
  window.manageBoard = { stream, state: () => board };
})();
