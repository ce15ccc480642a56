/* 预约签到 on the kiosk: a tile on the home screen opens a screen where the citizen scans the QR of the
   booking page (a scanner types the code and Enter) or types the 8-digit code; on time the kiosk's own
   ticket screen shows the ticket (called before the walk-ins); too early says when to come back; too late
   offers a walk-in ticket with the booking noted. Hooks into kiosk.js only through window.kiosk. */
(function () {
  "use strict";

  const { $, element } = PageKit;
  const kiosk = window.kiosk;
  if (!kiosk || typeof kiosk.show !== "function") return;
  const config = PageKit.readConfig("kiosk-data");
  const SITE = config.site.id;
  const KIOSK = config.kiosk.id;
  const DEVICE_TOKEN = new URLSearchParams(window.location.hash.slice(1)).get("token");
  const state = { busy: false, code: null };
  const TEXT = {
    zh: {
      open: "预约签到", open_note: "已在手机上预约", title: "预约签到", back: "‹ 返回",
      hint: "请将手机上的签到二维码对准扫码口，或输入 8 位签到码", submit: "签 到", walk_in: "取普通号排队",
      clear: "清空", remove: "删除", need_code: "请扫码或输入签到码", busy: "正在签到……",
      network: "网络连接异常，请稍后再试或咨询导办人员", unknown: "没有找到这个签到码，请核对后重新输入",
      failed: "签到未成功", booked: "预约 · 已签到，将优先叫号", late: "预约已过签到时间 · 按普通号排队",
    },
    en: {
      open: "Appointment check-in", open_note: "Booked on a phone", title: "Appointment check-in", back: "‹ Back",
      hint: "Hold the check-in QR code of your phone to the scanner, or type the 8-digit code", submit: "Check in",
      walk_in: "Take a walk-in ticket", clear: "Clear", remove: "Delete", need_code: "Scan or type your code",
      busy: "Checking in…", network: "Network problem. Please try again or ask a guide.",
      unknown: "No appointment has this code: check it and type it again", failed: "Not checked in",
      booked: "Appointment · checked in, called first", late: "Past the check-in time · a walk-in ticket",
    },
  };
  const t = (key) => TEXT[kiosk.state.lang === "en" ? "en" : "zh"][key];

  function applyText() {
    document.querySelectorAll("[data-checkin-text]").forEach((node) => { node.textContent = t(node.dataset.checkinText); });
    $("checkin-code").setAttribute("aria-label", t("title"));
  }

  function labelled(node, key) {
    node.dataset.checkinText = key;
    return node;
  }

  function build() {
    const open = element("button", "checkin-open");
    open.type = "button";
    open.id = "checkin-open";
    open.append(labelled(element("span", "checkin-open-name", t("open")), "open"),
      labelled(element("span", "checkin-open-note", t("open_note")), "open_note"));
    open.addEventListener("click", openCheckIn);
    document.querySelector("#screen-home .home-head").append(open);

    const screen = element("section", "screen");
    screen.id = "screen-checkin";
    screen.hidden = true;
    screen.setAttribute("aria-labelledby", "checkin-title");
    const head = element("div", "screen-head");
    const back = labelled(element("button", "back", t("back")), "back");
    back.type = "button";
    back.addEventListener("click", () => kiosk.goHome());
    head.append(back, labelled(element("h1", null, t("title")), "title"));
    head.lastChild.id = "checkin-title";
    const body = element("div", "checkin-body");
    const left = element("div", "checkin-entry");
    left.append(labelled(element("p", "checkin-hint", t("hint")), "hint"));
    const input = element("input", "checkin-input");
    input.id = "checkin-code";
    input.autocomplete = "off";
    input.inputMode = "none";
    input.maxLength = 16;
    input.setAttribute("aria-label", "签到码");
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") submit(false); });
    input.addEventListener("input", resetMessage);
    left.append(input);
    const message = element("p", "checkin-message");
    message.id = "checkin-message";
    message.setAttribute("role", "status");
    message.setAttribute("aria-live", "assertive");
    left.append(message);
    const walkIn = labelled(element("button", "primary-button checkin-walk-in", t("walk_in")), "walk_in");
    walkIn.type = "button";
    walkIn.id = "checkin-walk-in";
    walkIn.hidden = true;
    walkIn.addEventListener("click", () => submit(true));
    left.append(walkIn);
    const pad = element("div", "checkin-pad");
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "清空", "0", "删除"].forEach((label) => {
      const key = element("button", "checkin-key", label);
      if (label === "清空") labelled(key, "clear");
      if (label === "删除") labelled(key, "remove");
      key.type = "button";
      key.addEventListener("click", () => press(key.dataset.checkinText || label));
      pad.append(key);
    });
    const go = labelled(element("button", "primary-button checkin-submit", t("submit")), "submit");
    go.type = "button";
    go.id = "checkin-submit";
    go.addEventListener("click", () => submit(false));
    pad.append(go);
    body.append(left, pad);
    screen.append(head, body);
    $("screens").append(screen);
    // kiosk.js switches its own words; these follow (after its handler has changed the language).
    $("lang-toggle").addEventListener("click", () => setTimeout(applyText, 0));
  }

  function press(label) {
    const input = $("checkin-code");
    if (label === "clear") input.value = "";
    else if (label === "remove") input.value = input.value.slice(0, -1);
    else if (input.value.length < 16) input.value += label;
    resetMessage();
    input.focus();
  }

  function resetMessage() {
    $("checkin-message").textContent = "";
    $("checkin-message").dataset.kind = "";
    $("checkin-walk-in").hidden = true;
  }

  function openCheckIn() {
    $("checkin-code").value = "";
    resetMessage();
    applyText();
    kiosk.show("checkin");
    $("checkin-code").focus();
  }

  function say(text, kind) {
    $("checkin-message").textContent = text;
    $("checkin-message").dataset.kind = kind;
  }

  async function submit(walkIn) {
    const code = $("checkin-code").value.trim();
    if (state.busy) return;
    if (!code) return say(t("need_code"), "warn");
    state.busy = true;
    $("checkin-submit").disabled = true;
    say(t("busy"), "busy");
    const headers = { "Content-Type": "application/json" };
    if (DEVICE_TOKEN) headers["X-Kiosk-Token"] = DEVICE_TOKEN;
    let answer = null;
    try {
      const response = await fetch(`/api/v1/sites/${encodeURIComponent(SITE)}/appointments/check-in`, {
        method: "POST", headers, body: JSON.stringify({ code, kiosk: KIOSK, walk_in: walkIn }),
      });
      answer = { status: response.status, body: await response.json().catch(() => null) };
    } catch (error) {
      answer = null;
    }
    state.busy = false;
    $("checkin-submit").disabled = false;
    if (answer === null) return say(t("network"), "error");
    if (answer.status === 201 && answer.body) return showTicket(answer.body);
    const error = answer.body && answer.body.error ? answer.body.error : { code: "", message: t("failed") };
    if (error.code === "unknown_appointment") return say(t("unknown"), "error");
    say(error.message, error.code === "too_early" ? "warn" : "error");
    $("checkin-walk-in").hidden = error.code !== "too_late";
  }

  function showTicket(ticket) {
    kiosk.showTicket(ticket);
    const tag = $("ticket-priority");
    tag.hidden = false;
    tag.textContent = ticket.booked ? t("booked") : t("late");
  }

  build();
})();
