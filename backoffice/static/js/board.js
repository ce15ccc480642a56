/* The back office's page: a department's cases by deadline with the working days left; decide
   (审批通过 / 不予许可 with a note), ready for pickup, mailed with a tracking number. Everything goes through
   /api/v1 with the account's token; the staff stream's `case` and `alert` events make it read again. */
(function () {
  "use strict";

  const { $, element } = PageKit;
  const config = PageKit.readConfig("office-config");
  const api = new ApiClient(config.api, "yichuang.backoffice.token");
  let me = null;
  let cases = [];
  let refreshTimer = null;
  let acting = null; // the case a dialog is about

  function say(text, kind) {
    const box = $("message");
    box.textContent = text || "";
    box.dataset.kind = kind || "info";
    box.hidden = !text;
  }

  function daysText(row) {
    if (row.days_left === null || row.days_left === undefined) return "—";
    if (row.days_left > 0) return `${row.days_left} 个工作日`;
    if (row.days_left === 0) return "今日到期";
    return `超期 ${-row.days_left} 个工作日`;
  }

  // The hall's time, whatever the office PC's own zone.
  const hallTime = new Intl.DateTimeFormat("zh-CN", {
    timeZone: config.timezone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function localDate(iso) {
    return hallTime.format(new Date(iso));
  }

  function button(text, action, row, kind) {
    const node = element("button", kind || "", text);
    node.type = "button";
    node.dataset.action = action;
    node.dataset.number = row.number;
    return node;
  }

  function actions(row) {
    const cell = element("div");
    if (row.status === "accepted" && ["backoffice", "admin"].includes(me.role)) {
      cell.append(button("审批", "decide", row, "primary"));
    }
    if (["approved", "rejected"].includes(row.status)) {
      if (row.delivery.includes("pickup")) cell.append(button("通知领取", "ready", row, "primary"));
      if (row.delivery.includes("mail")) cell.append(button("邮寄送达", "mail", row));
    }
    if (row.status === "ready") {
      cell.append(element("span", "waiting", row.pickup_ticket ? `已取号 ${row.pickup_ticket}` : "等候领取"));
      if (row.delivery.includes("mail")) cell.append(button("改为邮寄", "mail", row));
    }
    if (row.status === "mailed") cell.append(element("span", "waiting", `运单 ${row.tracking}`));
    return element("td", "actions", null, cell);
  }

  function render() {
    const body = $("cases").querySelector("tbody");
    body.replaceChildren(...cases.map((row) => {
      const tr = element("tr", row.overdue ? "overdue" : "");
      tr.dataset.number = row.number;
      tr.dataset.status = row.status;
      const applicant = [row.applicant_name, row.applicant_phone].filter(Boolean).join(" ") || "—";
      tr.append(
        element("td", "number", row.number),
        element("td", null, row.service_name, element("div", "sub", row.department_name)),
        element("td", null, applicant),
        element("td", null, localDate(row.accepted_at)),
        element("td", null, row.deadline),
        element("td", "days", daysText(row)),
        element("td", null, null, element("span", `status status-${row.status}`, row.status_name)),
        actions(row),
      );
      return tr;
    }));
    $("no-cases").hidden = cases.length > 0;
    const overdue = cases.filter((row) => row.overdue).length;
    $("counts").textContent = `共 ${cases.length} 件` + (overdue ? `，超期 ${overdue} 件` : "");
  }

  async function refresh() {
    const query = new URLSearchParams({ status: $("status-filter").value });
    if ($("department-filter").value) query.set("department", $("department-filter").value);
    try {
      cases = await api.request("GET", `/sites/${config.site}/cases?${query}`);
      render();
    } catch (error) {
      if (error.status === 401) showLogin(error.message);
      else say(error.message, "error");
    }
  }

  function refreshSoon() {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 150);
  }

  async function act(number, path, body, done) {
    try {
      await api.request("POST", `/sites/${config.site}/cases/${encodeURIComponent(number)}/${path}`, body);
      say(`${number}：${done}`, "info");
      await refresh();
      return true;
    } catch (error) {
      say(error.message, "error");
      return false;
    }
  }

  $("cases").addEventListener("click", (event) => {
    const target = event.target.closest("button[data-action]");
    if (!target) return;
    const row = cases.find((item) => item.number === target.dataset.number);
    acting = row;
    if (target.dataset.action === "decide") {
      $("decide-number").textContent = row.number;
      $("decide-service").textContent = `${row.service_name}（承诺 ${row.deadline} 前办结）`;
      $("decide-note").value = "";
      $("decide-dialog").showModal();
    } else if (target.dataset.action === "ready") {
      act(row.number, "ready", undefined, "已通知申请人领取");
    } else if (target.dataset.action === "mail") {
      $("mail-number").textContent = row.number;
      $("mail-tracking").value = "";
      $("mail-dialog").showModal();
    }
  });

  $("decide-form").addEventListener("submit", async (event) => {
    const decision = event.submitter ? event.submitter.value : "cancel";
    if (decision === "cancel" || !acting) return;
    const note = $("decide-note").value.trim();
    if (decision === "rejected" && !note) {
      event.preventDefault();
      say("不予许可须写明理由。", "error");
      $("decide-note").focus();
      return;
    }
    await act(acting.number, "decide", note ? { decision, note } : { decision },
      decision === "approved" ? "审批通过" : "不予许可");
  });

  $("mail-form").addEventListener("submit", async (event) => {
    const choice = event.submitter ? event.submitter.value : "cancel";
    if (choice === "cancel" || !acting) return;
    await act(acting.number, "mail", { tracking: $("mail-tracking").value.trim() }, "已寄出");
  });

  // -- login and the stream --------------------------------------------------------------------
  function showLogin(message) {
    api.token = null;
    $("office-view").hidden = true;
    $("user-box").hidden = true;
    $("login-view").hidden = false;
    if (message) say(message, "error");
  }

  async function showOffice() {
    try {
      me = await api.request("GET", "/auth/me");
    } catch (error) {
      return showLogin(error.message);
    }
    $("user-name").textContent = me.username;
    $("user-box").hidden = false;
    $("login-view").hidden = true;
    $("office-view").hidden = false;
    const filter = $("department-filter");
    if (me.role !== "backoffice" && filter.options.length === 1) {
      for (const [id, name] of Object.entries(config.departments)) filter.append(new Option(name, id));
    }
    $("department-filter-box").hidden = me.role === "backoffice";
    await refresh();
  }

  const stream = new SiteStream({
    site: config.site,
    token: api.token,
    onSnapshot: refreshSoon,
    onEvent(kind) {
      if (kind === "case" || kind === "alert") refreshSoon();
    },
    onConnection(state) {
      $("connection").dataset.state = state;
      $("connection").textContent = PageKit.connectionText ? PageKit.connectionText(state) : state;
    },
    onError(error) {
      if (["invalid_token", "token_expired", "forbidden_site"].includes(error.code)) showLogin(error.message);
    },
  });
  api.onTokenChange((token) => stream.setToken(token));

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await api.request("POST", "/auth/login", {
        username: $("login-username").value, password: $("login-password").value,
      });
      api.token = answer.token;
      say("");
      await showOffice();
    } catch (error) {
      say(error.message, "error");
    }
  });
  $("logout").addEventListener("click", () => showLogin(""));
  $("status-filter").addEventListener("change", refresh);
  $("department-filter").addEventListener("change", refresh);
  setInterval(refresh, 60000); // days left change at midnight without an event
  if (api.token) showOffice();
  else showLogin("");
  window.backOffice = { stream, state: () => cases };
})();
