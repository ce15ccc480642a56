/*
 * The rating pad (评价器) of one window, facing the citizen. Idle, it shows the window and the clerk serving;
 * when the window finishes a ticket the server sends `rate` to the pad's room and the pad shows that ticket's
 * form at once; a rating (or its timeout: the form's `seconds` after the finish) returns it to idle after
 * thanks. The pad proves it is this window's with its device token (…/rate/<site>/<window>#token=…), which
 * it sends when it joins its room and with each rating (X-Kiosk-Token).
 */
(function () {
  "use strict";

  const { $ } = PageKit;
  const config = PageKit.readConfig("pad-config");
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  const STATE_WORDS = { open: "", paused: "暂停服务", closed: "窗口未开放" };

  let offered = null; // the ticket whose form is shown
  let formView = null;
  let formVersion = null;
  let rateTimer = null;
  let tickTimer = null;
  let thanksTimer = null;
  const rated = new Set(); // tickets rated while this page is up (a late `rate` for one is ignored)

  function show(mode) {
    document.body.dataset.mode = mode;
    $("idle").hidden = mode !== "idle";
    $("rate").hidden = mode !== "rate";
    $("thanks").hidden = mode !== "thanks";
  }

  function clearTimers() {
    clearTimeout(rateTimer);
    clearInterval(tickTimer);
    clearTimeout(thanksTimer);
  }

  function idle() {
    clearTimers();
    offered = null;
    if (formView) formView.reset();
    show("idle");
  }

  function setWindow(info) {
    $("clerk").textContent = info.clerk_name || "—";
    $("window-state").textContent = STATE_WORDS[info.state] ?? "";
  }

  function ensureForm(form) {
    if (formView && formVersion === form.version) return;
    formView = RatingForm.build({ form, askPhone: false, onSubmit: submit });
    formVersion = form.version;
    $("rate-form").replaceChildren(formView.node);
  }

  // Seconds left to rate, as the server counted them from the finish (this pad's clock may be off).
  function secondsLeft(item) {
    return Math.max(0, Math.min(config.rate_seconds, Number(item.seconds ?? config.rate_seconds)));
  }

  function offer(item) {
    if (!item || rated.has(item.ticket)) return;
    const left = secondsLeft(item);
    if (left <= 0) return;
    clearTimers();
    ensureForm(item.form || config.form);
    formView.reset();
    offered = item;
    $("rate-number").textContent = `${item.number}号`;
    $("rate-service").textContent = item.service_name || "";
    show("rate");
    let remaining = left;
    $("countdown").textContent = String(remaining);
    tickTimer = setInterval(() => {
      remaining = Math.max(0, remaining - 1);
      $("countdown").textContent = String(remaining);
    }, 1000);
    rateTimer = setTimeout(idle, left * 1000);
  }

  function thanks(title, detail) {
    clearTimers();
    offered = null;
    $("thanks-title").textContent = title;
    $("thanks-detail").textContent = detail;
    show("thanks");
    thanksTimer = setTimeout(idle, config.thanks_seconds * 1000);
  }

  async function submit(rating) {
    const item = offered;
    if (!item) return;
    try {
      await RatingForm.send(config.api, item.ticket, rating, "pad", { "X-Kiosk-Token": token || "" });
    } catch (failure) {
      if (failure.code === "already_rated") {
        rated.add(item.ticket);
        thanks("本次服务已评价", "This service was rated already. 感谢您的参与！");
        return;
      }
      throw failure;
    }
    rated.add(item.ticket);
    const bad = (item.form || config.form).bad_levels.includes(rating.level);
    thanks("感谢您的评价！", bad ? "我们会认真整改，及时改进服务。 We will put it right." : "Thank you for your rating.");
  }

  function problem(text) {
    const box = $("problem");
    box.textContent = text;
    box.hidden = !text;
  }

  function setConnection(state, text) {
    const box = $("connection");
    box.dataset.state = state;
    box.textContent = text || PageKit.connectionText(state);
  }

  function connect() {
    if (typeof window.io !== "function") {
      setConnection("offline");
      return null;
    }
    const socket = window.io({ reconnectionDelay: 500, reconnectionDelayMax: 2000, timeout: 5000 });
    socket.on("connect", () => {
      setConnection("syncing");
      socket.emit("pad_subscribe", { site: config.site, window: config.window, token: token || undefined });
    });
    socket.on("disconnect", () => setConnection("offline"));
    socket.on("pad_snapshot", (snapshot) => {
      problem("");
      setConnection("live");
      setWindow(snapshot);
      if (snapshot.form) ensureForm(snapshot.form);
      if (snapshot.pending && (!offered || offered.ticket !== snapshot.pending.ticket)) offer(snapshot.pending);
    });
    socket.on("pad_error", (payload) => {
      const error = (payload && payload.error) || {};
      setConnection("error", "未授权");
      problem(`${(error.message || "").split(" / ")[0]}（${error.code || "error"}）。请联系大厅管理人员，用本评价器的设备口令打开本页。`);
    });
    socket.on("pad_window", setWindow);
    socket.on("rate", offer);
    socket.on("rated", (payload) => {
      rated.add(payload.ticket);
      if (offered && offered.ticket === payload.ticket) thanks("本次服务已评价", "感谢您的参与！ Thank you.");
    });
    return socket;
  }

  ensureForm(config.form);
  show("idle");
  const socket = connect();
  window.ratingPad = { socket, offered: () => offered }; // for tests and the console
})();
