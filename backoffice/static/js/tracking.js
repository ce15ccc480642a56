/* The holder's tracking page of one case: subscribes to the case's own room (subscribe_case, with the id
   from the address) and draws each snapshot and move; a move makes it read GET /api/v1/cases/<id> again. */
(function () {
  "use strict";

  const { $, element } = PageKit;
  const page = PageKit.readConfig("page-data");
  let current = page.case;
  let connection = "connecting";
  let problem = null; // the server's own words when it refused the subscription (already bilingual)
  const TEXT = {
    zh: {
      switch: "English", number: "办件编号", ready: "可领取", deadline: "承诺办结", days: "剩余时间", delivery: "出件方式",
      tracking: "邮件运单号：", note: "部门意见：", history: "办理进度",
      hint: "请携带受理通知书和身份证件；可在自助取号机选择“领取办件结果”，扫描通知书上的二维码取号。",
      keep: "此页面会自动更新。办件编号与二维码请妥善保管，凭此领取办件结果。",
      where: "请到 {place}（综合出件）领取", where_any: "请到综合出件窗口领取", title: "办件 {number} · {hall}",
      decided: "已审批", left: "剩余 {days} 个工作日", due_today: "今日到期", overdue: "已超期 {days} 个工作日",
      separator: "、",
      delivery_ways: { pickup: "窗口领取", mail: "邮寄送达" },
      connection: { connecting: "正在连接…", syncing: "正在同步…", live: "已连接，进度会自动更新",
        offline: "连接中断，正在重新连接…" },
    },
    en: {
      switch: "中文", number: "Case number", ready: "Ready for pickup", deadline: "Promised by", days: "Time left",
      delivery: "Delivery", tracking: "Postal tracking number: ", note: "The department's note: ", history: "Progress",
      hint: "Bring the acceptance notice and your ID. At a hall kiosk tap 领取办件结果 (collect a result) and scan "
        + "the notice's QR code for a ticket.",
      keep: "This page updates by itself. Keep the case number and the QR code: you collect the result with them.",
      where: "Collect it at {place} (document collection)", where_any: "Collect it at the document collection window",
      title: "Case {number} · {hall}", decided: "Decided", left: "{days} working days left",
      left_one: "1 working day left", due_today: "Due today", overdue: "Overdue by {days} working days",
      overdue_one: "Overdue by 1 working day", separator: ", ",
      delivery_ways: { pickup: "Collect at a window", mail: "By post" },
      connection: { connecting: "Connecting…", syncing: "Syncing…", live: "Connected: progress updates by itself",
        offline: "Connection lost, reconnecting…" },
    },
  };
  const lang = CaseLanguage.create(TEXT, { storageKey: "yichuang.tracking.lang", onChange: () => render(current) });

  function daysText(view) {
    if (view.days_left === null || view.days_left === undefined) return lang.t("decided");
    if (view.days_left === 1 && lang.en) return lang.t("left_one");
    if (view.days_left > 0) return lang.t("left", { days: view.days_left });
    if (view.days_left === 0) return lang.t("due_today");
    if (view.days_left === -1 && lang.en) return lang.t("overdue_one");
    return lang.t("overdue", { days: -view.days_left });
  }

  // A status in the page's language: the server's names (server/domain/cases.py), capitalised in English.
  function statusName(status, chinese) {
    if (!lang.en) return chinese || (page.statuses || {})[status] || status;
    const english = (page.statuses_en || {})[status] || status;
    return english.charAt(0).toUpperCase() + english.slice(1);
  }

  // The hall's time, whatever the phone's own zone.
  function localTime(iso) {
    return new Intl.DateTimeFormat(lang.locale, {
      timeZone: page.timezone, month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
    }).format(new Date(iso));
  }

  function whereText(view) {
    const place = view.where && view.where.length ? view.where[0] : null;
    if (!place) return lang.t("where_any");
    return lang.t("where", { place: (lang.en && place.text_en) || place.text });
  }

  function render(view) {
    current = view;
    $("number").textContent = view.number;
    $("hall").textContent = (lang.en && page.site_name_en) || view.site_name;
    $("service").textContent = (lang.en && (page.services_en || {})[view.service]) || view.service_name;
    $("status").textContent = statusName(view.status, view.status_name);
    $("status").dataset.status = view.status;
    $("ready").hidden = !view.ready;
    $("where").textContent = whereText(view);
    $("deadline").textContent = view.deadline;
    $("days-left").textContent = daysText(view);
    $("delivery").textContent = (view.delivery || []).map((way) => lang.word("delivery_ways", way))
      .join(lang.t("separator"));
    $("tracking").hidden = !view.tracking;
    $("tracking-number").textContent = view.tracking || "";
    $("note").hidden = !view.note;
    $("note-text").textContent = view.note || "";
    $("history").replaceChildren(...view.history.map((step) => {
      const item = element("li", null, null, element("span", "step", statusName(step.status, step.status_name)), " ",
        element("time", null, localTime(step.at)));
      item.dataset.status = step.status;
      return item;
    }));
    document.title = lang.t("title", { number: view.number,
      hall: (lang.en && page.site_name_en) || view.site_name });
    live(connection);
    document.body.dataset.status = view.status;
  }

  async function reload() {
    try {
      const response = await fetch(`/api/v1/cases/${encodeURIComponent(current.id)}`, { cache: "no-store" });
      if (response.ok) render(await response.json());
    } catch (error) {
      /* the next event or reconnect reads it again */
    }
  }

  function live(state, message) {
    connection = state;
    if (message !== undefined) problem = message;
    else if (state !== "offline") problem = null;
    $("live").dataset.state = state;
    $("live").textContent = (state === "offline" && problem) || lang.word("connection", state);
  }

  const socket = io({ transports: ["websocket", "polling"] });
  socket.on("connect", () => {
    live("syncing");
    socket.emit("subscribe_case", { case: current.id });
  });
  socket.on("case_snapshot", (view) => {
    render(view);
    live("live");
  });
  socket.on("case", reload);
  socket.on("subscribe_error", (payload) => live("offline", payload.error.message));
  socket.on("disconnect", () => live("offline", null));
  render(current);
  window.caseTracking = { state: () => current, language: () => lang.code };
})();
