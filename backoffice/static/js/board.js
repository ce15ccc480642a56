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
  let connection = "connecting";
  const TEXT = {
    zh: {
      switch: "English", brand: "一窗 · 后台审批", title: "后台审批 · {hall}", logout: "退出登录",
      login_title: "后台审批人员登录", username: "用户名", password: "密码", login: "登录", status: "状态",
      filter_open: "在办（未出件）", filter_accepted: "待审批", filter_decided: "已审批待出件", filter_ready: "待领取",
      filter_done: "已出件", department: "部门", all_departments: "全部部门", th_number: "办件编号", th_service: "事项",
      th_applicant: "申请人", th_accepted: "受理", th_deadline: "承诺办结", th_left: "剩余", th_status: "状态",
      th_action: "办理", no_cases: "没有办件", decide_title: "审批", decide_note: "意见（不予许可须写明理由）",
      approve: "审批通过", reject: "不予许可", cancel: "取消", mail_title: "邮寄送达", mail_tracking: "邮件运单号",
      mailed: "已寄出", days: "{days} 个工作日", due_today: "今日到期", overdue: "超期 {days} 个工作日",
      decide: "审批", ready: "通知领取", mail: "邮寄送达", picked: "已取号 {ticket}", awaiting: "等候领取",
      mail_instead: "改为邮寄", tracking: "运单 {tracking}", count: "共 {count} 件", count_overdue: "，超期 {overdue} 件",
      promised: "{service}（承诺 {deadline} 前办结）", done: "{number}：{what}", told: "已通知申请人领取",
      approved: "审批通过", rejected: "不予许可", sent: "已寄出", reason_needed: "不予许可须写明理由。",
      connection: { connecting: "正在连接…", syncing: "正在同步…", live: "已连接", offline: "连接中断，正在重新连接…" },
    },
    en: {
      switch: "中文", brand: "Yichuang · Back office", title: "Back office · {hall}", logout: "Log out",
      login_title: "Back-office login", username: "User name", password: "Password", login: "Log in", status: "Status",
      filter_open: "In progress (not handed out)", filter_accepted: "To decide", filter_decided: "Decided, to hand out",
      filter_ready: "Ready for pickup", filter_done: "Handed out", department: "Department",
      all_departments: "All departments", th_number: "Case number", th_service: "Item", th_applicant: "Applicant",
      th_accepted: "Accepted", th_deadline: "Promised by", th_left: "Left", th_status: "Status", th_action: "Action",
      no_cases: "No cases", decide_title: "Decide", decide_note: "Note (a refusal must give its reason)",
      approve: "Approve", reject: "Refuse", cancel: "Cancel", mail_title: "Send by post",
      mail_tracking: "Postal tracking number", mailed: "Posted", days: "{days} working days",
      days_one: "1 working day", due_today: "Due today", overdue: "{days} working days overdue",
      overdue_one: "1 working day overdue", decide: "Decide", ready: "Ready for pickup", mail: "Send by post",
      picked: "Ticket {ticket} taken", awaiting: "Awaiting pickup", mail_instead: "Post instead",
      tracking: "Tracking {tracking}", count: "{count} cases", count_one: "1 case", count_overdue: ", {overdue} overdue",
      promised: "{service} (promised by {deadline})", done: "{number}: {what}",
      told: "the applicant is told to collect it", approved: "approved", rejected: "refused", sent: "posted",
      reason_needed: "A refusal must give its reason.",
      connection: { connecting: "Connecting…", syncing: "Syncing…", live: "Connected",
        offline: "Connection lost, reconnecting…" },
    },
  };
  const lang = CaseLanguage.create(TEXT, { storageKey: "yichuang.backoffice.lang", onChange: redraw });

  function statusName(row) {
    if (!lang.en) return row.status_name;
    const english = (config.statuses_en || {})[row.status] || row.status;
    return english.charAt(0).toUpperCase() + english.slice(1);
  }

  const serviceName = (row) => (lang.en && (config.services_en || {})[row.service]) || row.service_name;

  function redraw() {
    document.title = lang.t("title", { hall: (lang.en && config.site_name_en) || config.site_name });
    $("hall-name").textContent = (lang.en && config.site_name_en) || config.site_name;
    showConnection(connection);
    if (me) render();
  }

  function showConnection(state) {
    connection = state;
    $("connection").dataset.state = state;
    $("connection").textContent = PageKit.connectionText(state, TEXT[lang.code].connection);
  }

  function say(text, kind) {
    const box = $("message");
    box.textContent = text || "";
    box.dataset.kind = kind || "info";
    box.hidden = !text;
  }

  function daysText(row) {
    if (row.days_left === null || row.days_left === undefined) return "—";
    if (lang.en && Math.abs(row.days_left) === 1) return lang.t(row.days_left > 0 ? "days_one" : "overdue_one");
    if (row.days_left > 0) return lang.t("days", { days: row.days_left });
    if (row.days_left === 0) return lang.t("due_today");
    return lang.t("overdue", { days: -row.days_left });
  }

  // The hall's time, whatever the office PC's own zone.
  function localDate(iso) {
    return new Intl.DateTimeFormat(lang.locale, {
      timeZone: config.timezone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
    }).format(new Date(iso));
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
      cell.append(button(lang.t("decide"), "decide", row, "primary"));
    }
    if (["approved", "rejected"].includes(row.status)) {
      if (row.delivery.includes("pickup")) cell.append(button(lang.t("ready"), "ready", row, "primary"));
      if (row.delivery.includes("mail")) cell.append(button(lang.t("mail"), "mail", row));
    }
    if (row.status === "ready") {
      cell.append(element("span", "waiting", row.pickup_ticket ? lang.t("picked", { ticket: row.pickup_ticket }) : lang.t("awaiting")));
      if (row.delivery.includes("mail")) cell.append(button(lang.t("mail_instead"), "mail", row));
    }
    if (row.status === "mailed") cell.append(element("span", "waiting", lang.t("tracking", { tracking: row.tracking })));
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
        element("td", null, serviceName(row), element("div", "sub", row.department_name)),
        element("td", null, applicant),
        element("td", null, localDate(row.accepted_at)),
        element("td", null, row.deadline),
        element("td", "days", daysText(row)),
        element("td", null, null, element("span", `status status-${row.status}`, statusName(row))),
        actions(row),
      );
      return tr;
    }));
    $("no-cases").hidden = cases.length > 0;
    const overdue = cases.filter((row) => row.overdue).length;
    $("counts").textContent = lang.t(cases.length === 1 && lang.en ? "count_one" : "count", { count: cases.length })
      + (overdue ? lang.t("count_overdue", { overdue }) : "");
  }

  // Nothing is asked before a login; a refusal of a request made with an earlier token does not undo one.
  async function refresh() {
    const token = api.token;
    if (!token) return;
    const query = new URLSearchParams({ status: $("status-filter").value });
    if ($("department-filter").value) query.set("department", $("department-filter").value);
    try {
      cases = await api.request("GET", `/sites/${config.site}/cases?${query}`);
      render();
    } catch (error) {
      if (api.token !== token) return;
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
      say(lang.t("done", { number, what: lang.t(done) }), "info");
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
      $("decide-service").textContent = lang.t("promised", { service: serviceName(row), deadline: row.deadline });
      $("decide-note").value = "";
      $("decide-dialog").showModal();
    } else if (target.dataset.action === "ready") {
      act(row.number, "ready", undefined, "told");
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
      say(lang.t("reason_needed"), "error");
      $("decide-note").focus();
      return;
    }
    await act(acting.number, "decide", note ? { decision, note } : { decision },
      decision === "approved" ? "approved" : "rejected");
  });

  $("mail-form").addEventListener("submit", async (event) => {
    const choice = event.submitter ? event.submitter.value : "cancel";
    if (choice === "cancel" || !acting) return;
    await act(acting.number, "mail", { tracking: $("mail-tracking").value.trim() }, "sent");
  });

  // -- login and the stream --------------------------------------------------------------------
  const page = PageKit.staffPage(api, {
    view: "office-view",
    say,
    async onShow(who) {
      me = who;
      const filter = $("department-filter");
      if (me.role !== "backoffice" && filter.options.length === 1) {
        for (const [id, name] of Object.entries(config.departments)) filter.append(new Option(name, id));
      }
      $("department-filter-box").hidden = me.role === "backoffice";
      await refresh();
    },
  });
  const showLogin = page.showLogin;

  const stream = new SiteStream({
    site: config.site,
    token: api.token,
    batch: true,
    onSnapshot: refreshSoon,
    onEvent(kind) {
      if (kind === "case" || kind === "alert") refreshSoon();
    },
    onConnection: showConnection,
    onError(error) {
      if (page.endsLogin(error)) showLogin(error.message);
    },
  });
  api.onTokenChange((token) => stream.setToken(token));

  $("status-filter").addEventListener("change", refresh);
  $("department-filter").addEventListener("change", refresh);
  setInterval(refresh, 60000); // days left change at midnight without an event
  redraw();
  page.start();
  window.backOffice = { stream, state: () => cases, language: () => lang.code };
})();
