/* The phone status page of one ticket. The site stream, subscribed with the ticket's id, brings the
   ticket's own `ticket` events (called, recalled, started, finished, missed, transferred) and the
   site's public `waiting` events, on which the ticket is fetched again for the people ahead.
   A transferred ticket is followed to its successor. */
(function () {
  "use strict";

  const { $ } = PageKit;
  const page = PageKit.readConfig("page-data");
  const vocabulary = page.vocabulary; // names of the server's codes (server/vocabulary.py)
  const REFRESH_DEBOUNCE_MS = 1000;
  const FLASH_MS = 15000;
  const ENDED = ["done", "no_show", "cancelled"];
  const AT_WINDOW = ["called", "serving"];

  let ticket = page.ticket;
  let refreshTimer = null;
  let changes = 0; // tickets applied from events: an answer asked for before the latest is older than it
  let flashTimer = null;
  let stream = null;

  function render() {
    document.title = `${ticket.number} · ${page.site.name}`;
    $("number").textContent = ticket.number;
    $("service").textContent = ticket.service_name;
    const status = $("status");
    status.dataset.status = ticket.status;
    // A cancelled ticket says why: the day ended before its call, its holder left, or staff cancelled it.
    const cancelled = ticket.status === "cancelled" && ticket.cancel_reason
      ? PageKit.term(vocabulary, "cancel_reason", ticket.cancel_reason) : null;
    status.textContent = (cancelled && !cancelled.unknown && cancelled.phone.zh)
      || PageKit.term(vocabulary, "ticket_status", ticket.status).phone?.zh || ticket.status;
    $("waiting").hidden = ticket.status !== "waiting";
    $("ahead").textContent = String(ticket.ahead);
    const noWindow = ticket.eta_minutes === null || ticket.eta_minutes === undefined;
    $("eta").textContent = noWindow ? "暂无窗口开放" : `约 ${ticket.eta_minutes} 分钟`;
    $("where").textContent = whereText(ticket.where || []);
    const called = AT_WINDOW.includes(ticket.status);
    $("called").hidden = !called;
    if (called && ticket.window_number) {
      $("called-window").textContent = ticket.window_number;
      $("called-name").textContent = ticket.window_name || "";
    }
    document.body.classList.toggle("ended", ENDED.includes(ticket.status));
    document.dispatchEvent(new CustomEvent("ticket-rendered", { detail: ticket })); // the rating form listens
  }

  // The windows that may call the ticket, floor by floor ("二楼 17、18号窗口"), its queue's own first.
  function whereText(groups) {
    const own = groups.filter((group) => !group.overflow).map((group) => group.text);
    const helping = groups.filter((group) => group.overflow).map((group) => group.text);
    if (!own.length) return "请留意大厅叫号屏";
    const also = helping.length ? `（人多时 ${helping.join("；")} 也会叫号）` : "";
    return `请到 ${own.join("；")} 等候叫号${also}`;
  }

  function flash() {
    const box = $("called");
    box.classList.add("flashing");
    if (flashTimer) clearTimeout(flashTimer);
    flashTimer = setTimeout(() => box.classList.remove("flashing"), FLASH_MS);
    if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
  }

  // A new call of the ticket (or a recall) flashes; the same call seen again does not.
  function isNewCall(before, after, recall) {
    if (after.status !== "called") return false;
    return recall || before.status !== "called" || before.called_at !== after.called_at;
  }

  // The citizen keeps the number; the successor ticket is the one that will be called.
  function follow(successor) {
    ticket = { ...ticket, id: successor };
    history.replaceState(null, "", `/t/${encodeURIComponent(successor)}`);
    if (stream) stream.setTicket(successor);
    return refresh();
  }

  async function refresh() {
    const asked = changes;
    let response;
    try {
      response = await fetch(`/api/v1/tickets/${encodeURIComponent(ticket.id)}`, { cache: "no-store" });
    } catch (error) {
      return; // offline: the stream's next snapshot brings a refresh
    }
    if (!response.ok) return;
    const latest = await response.json();
    if (latest.id !== ticket.id) return; // a ticket we have moved on from
    if (changes !== asked) {
      // An event changed the ticket while this answer was on its way: the answer may be older (waiting,
      // when the event said called). Ask again for the people ahead, not to undo the event.
      refreshSoon();
      return;
    }
    if (latest.status === "transferred" && latest.transferred_to) {
      ticket = latest;
      render();
      return follow(latest.transferred_to);
    }
    const before = ticket;
    ticket = latest;
    render();
    if (isNewCall(before, latest, false)) flash();
  }

  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  // The ticket's own event (or the snapshot's copy, after a reconnect: a call made meanwhile flashes then):
  // status, window, times; `ahead` comes from GET.
  function applyTicket(fields) {
    if (!fields || fields.id !== ticket.id) return;
    const before = ticket;
    ticket = { ...ticket, ...fields };
    changes += 1;
    if (ticket.status === "transferred" && ticket.transferred_to) {
      render();
      follow(ticket.transferred_to);
      return;
    }
    render();
    if (isNewCall(before, ticket, Boolean(fields.recall))) flash();
    if (ticket.status === "waiting") refreshSoon(); // back in a queue: how many are ahead now
  }

  function setLive(state) {
    const live = $("live");
    live.dataset.state = state;
    live.textContent = PageKit.connectionText(state, { live: "实时更新中" });
  }

  function connect() {
    if (typeof window.SiteStream !== "function" || typeof window.io !== "function") {
      setLive("offline");
      return null;
    }
    return new window.SiteStream({
      site: page.site.id,
      ticket: ticket.id,
      batch: true, // a hall's phones are many: one frame per commit each
      onSnapshot(snapshot) {
        applyTicket(snapshot.ticket);
        refresh(); // whatever happened while we were away, and the people ahead
      },
      onEvent(kind, payload) {
        if (kind === "ticket") applyTicket(payload.ticket);
        else if (kind === "waiting" && ticket.status === "waiting") refreshSoon();
      },
      onConnection: setLive,
      onError(error) {
        const live = $("live");
        live.dataset.state = "offline";
        live.textContent = `${error.message}（${error.code}）`;
      },
    });
  }

  render();
  if (ticket.status === "called") flash();
  stream = connect();
  window.ticketPage = { stream, ticket: () => ticket }; // for tests and for whoever looks in the console
})();
