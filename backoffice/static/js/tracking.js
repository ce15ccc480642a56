/* The holder's tracking page of one case: subscribes to the case's own room (subscribe_case, with the id
   from the address) and draws each snapshot and move; a move makes it read GET /api/v1/cases/<id> again. */
(function () {
  "use strict";

  const { $, element } = PageKit;
  const page = PageKit.readConfig("page-data");
  let current = page.case;

  function daysText(view) {
    if (view.days_left === null || view.days_left === undefined) return "已审批";
    if (view.days_left > 0) return `剩余 ${view.days_left} 个工作日`;
    if (view.days_left === 0) return "今日到期";
    return `已超期 ${-view.days_left} 个工作日`;
  }

  // The hall's time, whatever the phone's own zone.
  const hallTime = new Intl.DateTimeFormat("zh-CN", {
    timeZone: page.timezone, month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function localTime(iso) {
    return hallTime.format(new Date(iso));
  }

  function render(view) {
    current = view;
    $("number").textContent = view.number;
    $("service").textContent = view.service_name;
    $("status").textContent = view.status_name;
    $("status").dataset.status = view.status;
    $("ready").hidden = !view.ready;
    if (view.where && view.where.length) $("where").textContent = `请到 ${view.where[0].text}（综合出件）领取`;
    $("deadline").textContent = view.deadline;
    $("days-left").textContent = daysText(view);
    $("delivery").textContent = (view.delivery_names || []).join("、");
    $("tracking").hidden = !view.tracking;
    $("tracking-number").textContent = view.tracking || "";
    $("note").hidden = !view.note;
    $("note-text").textContent = view.note || "";
    $("history").replaceChildren(...view.history.map((step) => {
      const item = element("li", null, null, element("span", "step", step.status_name), " ",
        element("time", null, localTime(step.at)));
      item.dataset.status = step.status;
      return item;
    }));
    document.title = `办件 ${view.number} · ${view.site_name}`;
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

  function live(state, text) {
    $("live").dataset.state = state;
    $("live").textContent = text;
  }

  const socket = io({ transports: ["websocket", "polling"] });
  socket.on("connect", () => {
    live("syncing", "正在同步…");
    socket.emit("subscribe_case", { case: current.id });
  });
  socket.on("case_snapshot", (view) => {
    render(view);
    live("live", "已连接，进度会自动更新");
  });
  socket.on("case", reload);
  socket.on("subscribe_error", (payload) => live("offline", payload.error.message));
  socket.on("disconnect", () => live("offline", "连接中断，正在重新连接…"));
  render(current);
  window.caseTracking = { state: () => current };
})();
