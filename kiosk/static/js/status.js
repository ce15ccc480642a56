/* The phone status page of one ticket: live through Socket.IO (the ticket's site room), refetching the
   ticket when the queue moves. A transferred ticket is followed to its successor. */
(function () {
  "use strict";

  const page = JSON.parse(document.getElementById("page-data").textContent);
  const REFRESH_DEBOUNCE_MS = 1000;
  const FLASH_MS = 15000;
  const STATUS_TEXT = {
    waiting: "排队等候中",
    called: "正在叫号，请立即前往窗口",
    serving: "正在办理",
    done: "已办结，感谢您的耐心等候",
    no_show: "已过号，如需办理请重新取号",
    cancelled: "号票已取消",
    transferred: "已转至其他业务，正在更新……",
  };
  const ENDED = ["done", "no_show", "cancelled"];

  let ticket = page.ticket;
  let refreshTimer = null;
  let flashTimer = null;
  let socket = null;

  const $ = (id) => document.getElementById(id);

  function windowNumbers(ids) {
    return ids.map((id) => (page.windows[id] || { number: id }).number);
  }

  function render() {
    document.title = `${ticket.number} · ${page.site.name}`;
    $("number").textContent = ticket.number;
    $("service").textContent = ticket.service_name;
    const status = $("status");
    status.dataset.status = ticket.status;
    status.textContent = STATUS_TEXT[ticket.status] || ticket.status;
    $("waiting").hidden = ticket.status !== "waiting";
    $("ahead").textContent = String(ticket.ahead);
    $("eta").textContent = String(ticket.eta_minutes);
    const numbers = windowNumbers(ticket.windows);
    const zone = ticket.zone ? page.zones[ticket.zone] || "" : "";
    $("where").textContent = numbers.length ? `请到 ${zone} ${numbers.join("、")}号窗口 等候叫号` : "请留意大厅叫号屏";
    const called = ticket.status === "called" || ticket.status === "serving";
    $("called").hidden = !called;
    if (called && ticket.window_number) {
      $("called-window").textContent = ticket.window_number;
      $("called-name").textContent = ticket.window_name || "";
    }
    document.body.classList.toggle("ended", ENDED.includes(ticket.status));
  }

  function flash() {
    const box = $("called");
    box.classList.add("flashing");
    if (flashTimer) clearTimeout(flashTimer);
    flashTimer = setTimeout(() => box.classList.remove("flashing"), FLASH_MS);
    if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
  }

  async function refresh() {
    let response;
    try {
      response = await fetch(`/api/v1/tickets/${encodeURIComponent(ticket.id)}`, { cache: "no-store" });
    } catch (error) {
      return; // offline: the socket's reconnect brings a refresh
    }
    if (!response.ok) return;
    const latest = await response.json();
    if (latest.status === "transferred" && latest.transferred_to) {
      // The citizen keeps the number; the successor ticket is the one that will be called.
      ticket = latest;
      render();
      ticket = { ...latest, id: latest.transferred_to };
      history.replaceState(null, "", `/t/${encodeURIComponent(latest.transferred_to)}`);
      return refresh();
    }
    const wasCalled = ticket.status === "called" && ticket.called_at === latest.called_at;
    ticket = latest;
    render();
    if (latest.status === "called" && !wasCalled) flash();
  }

  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  function setLive(connected) {
    const live = $("live");
    live.dataset.state = connected ? "live" : "offline";
    live.textContent = connected ? "实时更新中" : "连接中断，正在重新连接……";
  }

  function onCalled(call) {
    if (call.ticket_id !== ticket.id) return;
    ticket = { ...ticket, status: "called", window: call.window, window_number: call.window_number,
      window_name: call.window_name };
    render();
    flash();
    refreshSoon();
  }

  function onWindow(view) {
    // Start, finish, no-show and transfer of this ticket show up as a change of its window.
    const mine = view.current && view.current.ticket_id === ticket.id;
    if (mine || (ticket.window === view.window && ["called", "serving"].includes(ticket.status))) refreshSoon();
  }

  function connect() {
    if (typeof window.io !== "function") {
      setLive(false);
      return;
    }
    socket = window.io({ reconnectionDelay: 500, reconnectionDelayMax: 2000 });
    socket.on("connect", () => {
      socket.emit("subscribe", { site: page.site.id });
      setLive(true);
      refresh(); // whatever happened while we were away
    });
    socket.on("disconnect", () => setLive(false));
    socket.on("called", onCalled);
    socket.on("waiting", refreshSoon);
    socket.on("window", onWindow);
  }

  render();
  if (ticket.status === "called") flash();
  connect();
})();
