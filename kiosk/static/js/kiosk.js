/* The touch kiosk: area tiles → items (or search) → confirm, optional priority → ticket on screen.
   One page, no reload: fetch + DOM. The site stream (subscribed with this kiosk's id) brings its
   printer's state and its print jobs' outcomes. */
(function () {
  "use strict";

  const { $, element, term } = PageKit;
  const initial = PageKit.readConfig("kiosk-data");
  const vocabulary = PageKit.readConfig("kiosk-vocabulary"); // names of the server's codes
  // The hall's time, as the lobby screens show it, whatever the kiosk PC's own timezone.
  const CLOCK = PageKit.hallClock(initial.site.timezone);
  const SITE = initial.site.id;
  const KIOSK = initial.kiosk.id;
  const IDLE_MS = 30000;
  const TICKET_PROBLEM_MS = 90000; // a ticket that did not print stays long enough to be photographed
  const JOB_POLL_MS = 1500;
  // One press: up to ISSUE_ATTEMPTS tries of ISSUE_ATTEMPT_MS each, all with the press's Idempotency-Key, so
  // a retry after a lost answer gets the ticket the first try made, never a second one.
  const ISSUE_ATTEMPT_MS = 6000;
  const ISSUE_ATTEMPTS = 2;
  const ISSUE_RETRY_PAUSE_MS = 800;
  // This kiosk's device token, from its address (/kiosk/<site>/<kiosk>#token=…): the fragment is never sent
  // to the server with the page request, so it stays out of the access logs.
  const DEVICE_TOKEN = new URLSearchParams(window.location.hash.slice(1)).get("token");
  const JOB_POLL_LIMIT_MS = 60000;
  const CATALOGUE_MAX_AGE_MS = 10 * 60000;
  // A printer state in which a ticket would not come out; a print job not decided yet; how far a job
  // has got (a late "printed" may follow "failed": the paper did come out; nothing goes back to pending).
  const cannotPrint = (printerState) => term(vocabulary, "printer_state", printerState).can_print === false;
  const jobOpen = (status) => term(vocabulary, "print_job", status).open === true;
  const jobRank = (status) => term(vocabulary, "print_job", status).rank ?? -1;

  const TEXT = {
    zh: {
      take_ticket: "自助取号", elder_mode: "大字 · 长辈模式", elder_mode_on: "恢复标准字号",
      switch_language: "English", choose_area: "请选择您要办理的业务",
      search_hint: "搜索事项（可输入拼音首字母，如 bdc）", search_label: "搜索事项",
      search_placeholder: "输入事项名称或拼音首字母", back: "‹ 返回", materials: "请准备以下材料",
      no_checklist: "办理时请携带本人有效身份证件。", issue: "取 号", priority_title: "优先取号",
      priority_note: "工作人员将核验 / staff will verify", your_number: "您的号码",
      scan_to_track: "手机扫码，查看排队进度", ticket_image: "电子号票（可拍照保存）", done: "完成",
      ok: "知道了", help: "如需帮助，请咨询导办人员", items_count: "{count} 项",
      unavailable: "今日暂不办理", search_none: "没有找到“{query}”相关事项，请换个说法或咨询导办人员",
      search_found: "找到 {count} 项", search_empty: "请输入事项名称，或点下方字母输入拼音首字母",
      key_delete: "删除", key_clear: "清空",
      where: "请到 {where}", where_also: "（人多时 {where} 也会叫号）", where_no_window: "请留意大厅叫号屏",
      ahead: "前面还有 {ahead} 人 · 预计等候约 {eta} 分钟", ahead_none: "前面没有人等候，请留意叫号",
      ahead_no_window: "前面还有 {ahead} 人 · 暂无窗口开放", none_no_window: "前面没有人等候 · 暂无窗口开放，请留意叫号",
      priority_tag: "{name}优先 · 请向工作人员出示有效证件",
      printing: "正在打印号票……", printed: "请取走您的号票",
      no_printer: "本机不打印号票，请拍下二维码或记住您的号码",
      paper_out: "打印机缺纸，请拍下二维码或记住您的号码",
      printer_down: "打印机暂时无法使用，请拍下二维码或记住您的号码",
      print_failed: "号票未能打印，请拍下二维码或记住您的号码",
      print_slow: "打印较慢，请稍候；也可拍下二维码或记住您的号码",
      printer_banner: "打印机暂时无法出票：取号后请拍下屏幕上的二维码或记住号码，工作人员已收到提醒。",
      countdown: "{seconds} 秒后返回首页",
      issue_failed: "未能取号", network_error: "网络连接异常，请稍后再试或咨询导办人员。",
      busy: "正在取号，请稍候……",
    },
    en: {
      take_ticket: "Self-service tickets", elder_mode: "Larger text", elder_mode_on: "Standard text",
      switch_language: "中文", choose_area: "Choose the kind of service you need",
      search_hint: "Search (name or pinyin initials, e.g. bdc)", search_label: "Search services",
      search_placeholder: "Service name or pinyin initials", back: "‹ Back", materials: "Please bring",
      no_checklist: "Bring your valid ID card.", issue: "Take a ticket", priority_title: "Priority ticket",
      priority_note: "工作人员将核验 / staff will verify", your_number: "Your number",
      scan_to_track: "Scan to follow your place in the queue", ticket_image: "Ticket image (take a photo)",
      done: "Done", ok: "OK", help: "Ask the hall guides if you need help", items_count: "{count} services",
      unavailable: "Not available today", search_none: "Nothing found for “{query}”. Try other words or ask a guide.",
      search_found: "{count} found", search_empty: "Type a service name, or tap letters for pinyin initials",
      key_delete: "Delete", key_clear: "Clear",
      where: "Go to {where}", where_also: " (when busy, {where} may call you too)",
      where_no_window: "Watch the call screens",
      ahead: "{ahead} ahead of you · about {eta} min", ahead_none: "Nobody ahead of you: watch for your call",
      ahead_no_window: "{ahead} ahead of you · no window is open yet",
      none_no_window: "Nobody ahead of you · no window is open yet: watch for your call",
      priority_tag: "Priority: {name} · show your document to the clerk",
      printing: "Printing your ticket…", printed: "Please take your ticket",
      no_printer: "This kiosk does not print: take a photo of the QR code or remember your number",
      paper_out: "The printer is out of paper: take a photo of the QR code or remember your number",
      printer_down: "The printer is not working: take a photo of the QR code or remember your number",
      print_failed: "The ticket could not be printed: take a photo of the QR code or remember your number",
      print_slow: "Printing is slow: please wait, or take a photo of the QR code",
      printer_banner: "The printer cannot print right now: after taking a number, photograph the QR code or remember the number. Staff have been alerted.",
      countdown: "Back to start in {seconds} s",
      issue_failed: "No ticket issued", network_error: "Network problem. Please try again or ask a guide.",
      busy: "Issuing your ticket…",
    },
  };

  const state = {
    lang: "zh", elder: false, catalogue: initial, loadedAt: Date.now(), history: [], current: "home",
    area: null, item: null, busy: false, ticket: null, job: null, jobStatus: null, jobPrinterState: null,
    jobStarted: 0, printer: null, idleDeadline: 0, idleLimit: IDLE_MS, pollTimer: null,
  };
  const jobEvents = new Map(); // print_job events that may arrive before the issue request returns

  function t(key, vars) {
    let text = TEXT[state.lang][key];
    if (text === undefined) text = TEXT.zh[key] || key;
    return PageKit.fill(text, vars);
  }

  function nameOf(entry) {
    return state.lang === "en" && entry.name_en ? entry.name_en : entry.name;
  }

  // -- language and text size -------------------------------------------------------------------
  function applyText() {
    document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    });
    const hall = document.querySelector(".hall-name");
    hall.textContent = state.lang === "en" && hall.dataset.nameEn ? hall.dataset.nameEn : hall.dataset.name;
    $("lang-toggle").lang = state.lang === "en" ? "zh-CN" : "en";
    $("elder-toggle").textContent = t(state.elder ? "elder_mode_on" : "elder_mode");
    $("elder-toggle").setAttribute("aria-pressed", String(state.elder));
    renderAreas();
    if (state.area) renderArea(state.area);
    if (state.item) renderItem(state.item);
    if (state.current === "search") runSearch();
    if (state.ticket) renderTicket();
    renderPrinterBanner();
  }

  function setLanguage(lang) {
    state.lang = lang;
    applyText();
  }

  function setElder(on) {
    state.elder = on;
    document.documentElement.classList.toggle("elder", on);
    applyText();
  }

  // -- screens --------------------------------------------------------------------------------
  function show(name, remember) {
    if (remember !== false && state.current !== name) state.history.push(state.current);
    state.current = name;
    document.body.dataset.screen = name;
    document.querySelectorAll(".screen").forEach((screen) => { screen.hidden = screen.id !== "screen-" + name; });
    window.scrollTo(0, 0);
    touch();
    if (name === "search") $("search-input").focus();
  }

  function back() {
    if (state.current === "ticket") return goHome();
    const previous = state.history.pop();
    show(previous || "home", false);
  }

  function goHome() {
    stopJobPolling();
    closeDialog();
    state.history = [];
    state.area = null;
    state.item = null;
    state.ticket = null;
    state.job = null;
    state.busy = false;
    $("search-input").value = "";
    show("home", false);
    refreshCatalogueIfOld();
  }

  function resetForNextPerson() {
    // The next citizen starts in Chinese at the standard size.
    if (state.lang !== "zh") state.lang = "zh";
    if (state.elder) document.documentElement.classList.remove("elder");
    state.elder = false;
    applyText();
  }

  // -- catalogue ------------------------------------------------------------------------------
  function servicesOfArea(areaId) {
    return state.catalogue.services.filter((service) => service.area === areaId);
  }

  function renderAreas() {
    const tiles = $("area-tiles");
    tiles.replaceChildren();
    state.catalogue.areas.forEach((area) => {
      const services = servicesOfArea(area.id);
      const tile = element("button", "tile");
      tile.type = "button";
      tile.dataset.area = area.id;
      tile.append(element("span", "tile-name", nameOf(area)),
        element("span", "tile-count", t("items_count", { count: services.length })));
      tile.addEventListener("click", () => openArea(area));
      tiles.append(tile);
    });
  }

  function serviceButton(service) {
    const button = element("button", "item");
    button.type = "button";
    button.dataset.service = service.id;
    button.append(element("span", "item-name", nameOf(service)),
      element("span", "item-department", service.department_name));
    if (!service.available) {
      button.classList.add("item-unavailable");
      button.setAttribute("aria-disabled", "true");
      button.append(element("span", "item-badge", t("unavailable")));
    }
    button.addEventListener("click", () => {
      if (service.available) openItem(service);
    });
    return button;
  }

  function openArea(area) {
    state.area = area;
    renderArea(area);
    show("area");
  }

  function renderArea(area) {
    $("area-title").textContent = nameOf(area);
    $("area-items").replaceChildren(...servicesOfArea(area.id).map(serviceButton));
  }

  function refreshCatalogueIfOld() {
    if (Date.now() - state.loadedAt < CATALOGUE_MAX_AGE_MS) return;
    fetch(`/kiosk/${encodeURIComponent(SITE)}/${encodeURIComponent(KIOSK)}/services.json`)
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((catalogue) => {
        state.catalogue = catalogue;
        state.loadedAt = Date.now();
        if (state.current === "home") renderAreas();
      })
      .catch(() => { state.loadedAt = Date.now() - CATALOGUE_MAX_AGE_MS / 2; }); // retry a little later
  }

  // -- search ---------------------------------------------------------------------------------
  const KEY_ROWS = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];

  function buildKeyboard() {
    const keyboard = $("keyboard");
    KEY_ROWS.forEach((row, index) => {
      const line = element("div", "key-row");
      row.split("").forEach((letter) => {
        const key = element("button", "key", letter);
        key.type = "button";
        key.dataset.key = letter.toLowerCase();
        key.addEventListener("click", () => typeIntoSearch(letter.toLowerCase()));
        line.append(key);
      });
      if (index === KEY_ROWS.length - 1) {
        const remove = element("button", "key key-wide");
        remove.type = "button";
        remove.dataset.i18n = "key_delete";
        remove.addEventListener("click", () => editSearch((text) => text.slice(0, -1)));
        const clear = element("button", "key key-wide");
        clear.type = "button";
        clear.dataset.i18n = "key_clear";
        clear.addEventListener("click", () => editSearch(() => ""));
        line.append(remove, clear);
      }
      keyboard.append(line);
    });
  }

  function typeIntoSearch(letter) {
    editSearch((text) => text + letter);
  }

  function editSearch(change) {
    const input = $("search-input");
    input.value = change(input.value);
    runSearch();
    touch();
  }

  function openSearch(firstLetter) {
    $("search-input").value = firstLetter || "";
    show("search");
    runSearch();
  }

  function runSearch() {
    const query = $("search-input").value;
    const results = window.KioskSearch.searchServices(state.catalogue.services, query, 40);
    $("search-results").replaceChildren(...results.map(serviceButton));
    const summary = $("search-summary");
    if (!window.KioskSearch.normalise(query)) summary.textContent = t("search_empty");
    else if (!results.length) summary.textContent = t("search_none", { query: query.trim() });
    else summary.textContent = t("search_found", { count: results.length });
  }

  // -- item and issuing -----------------------------------------------------------------------
  function openItem(service) {
    state.item = service;
    renderItem(service);
    show("item");
  }

  function renderItem(service) {
    $("item-title").textContent = nameOf(service);
    $("item-department").textContent = service.department_name;
    $("item-checklist").replaceChildren(...service.checklist.map((entry) => element("li", "", entry)));
    $("item-no-checklist").hidden = service.checklist.length > 0;
    const classes = state.catalogue.priority_classes;
    $("priority-box").hidden = classes.length === 0;
    $("priority-buttons").replaceChildren(...classes.map((priority) => {
      const button = element("button", "priority-button", nameOf(priority));
      button.type = "button";
      button.dataset.priority = priority.id;
      button.addEventListener("click", () => issue(priority.id));
      return button;
    }));
  }

  function setIssuing(busy) {
    state.busy = busy;
    document.querySelectorAll("#screen-item button").forEach((button) => { button.disabled = busy; });
    $("issue-normal").textContent = busy ? t("busy") : t("issue");
  }

  // 128 random bits; crypto.randomUUID needs a secure context, which a kiosk on http://hall-server is not.
  function newIssueKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  // The answer of one try, or null when it is worth trying again (no answer, or the server was unwell).
  async function tryIssue(request) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ISSUE_ATTEMPT_MS); // never leave the citizen waiting
    try {
      const url = `/api/v1/sites/${encodeURIComponent(SITE)}/tickets`;
      const response = await fetch(url, { ...request, signal: abort.signal });
      const body = await response.json().catch(() => null);
      return response.status >= 502 && response.status <= 504 ? null : { status: response.status, body };
    } catch (error) {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async function issue(priority) {
    if (state.busy || !state.item) return; // a double tap must not take two tickets
    setIssuing(true);
    const headers = { "Content-Type": "application/json", "Idempotency-Key": newIssueKey() };
    if (DEVICE_TOKEN) headers["X-Kiosk-Token"] = DEVICE_TOKEN;
    const request = {
      method: "POST",
      headers,
      body: JSON.stringify({ service: state.item.id, priority: priority || null, kiosk: KIOSK }),
    };
    let answer = null;
    for (let attempt = 1; attempt <= ISSUE_ATTEMPTS && answer === null; attempt += 1) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, ISSUE_RETRY_PAUSE_MS));
      answer = await tryIssue(request); // the same key each time: a retry answers the first try's ticket
    }
    setIssuing(false);
    if (answer === null) return openDialog(t("issue_failed"), t("network_error"));
    // 201: a new ticket; 200: the ticket an earlier try of this press made (its answer was lost).
    if ((answer.status !== 201 && answer.status !== 200) || !answer.body) {
      const message = answer.body && answer.body.error ? answer.body.error.message : t("network_error");
      return openDialog(t("issue_failed"), message);
    }
    showTicket(answer.body);
  }

  // -- the ticket screen ----------------------------------------------------------------------
  function showTicket(ticket) {
    state.ticket = ticket;
    state.job = ticket.print_job || null;
    state.jobStatus = state.job ? "pending" : null;
    state.jobPrinterState = null;
    state.jobStarted = Date.now();
    state.history = [];
    $("ticket-qr").src = `/t/${encodeURIComponent(ticket.id)}/qr.svg`;
    $("ticket-preview").hidden = true;
    $("ticket-preview-image").removeAttribute("src");
    renderTicket();
    show("ticket", false);
    if (state.job) {
      const early = jobEvents.get(state.job);
      if (early) applyJob(early);
      startJobPolling();
    }
    updateTicketTimeout();
    tick();
  }

  // "请到 二楼 17、18号窗口（人多时 二楼 27号窗口 也会叫号）": the ticket's `where` groups the windows that
  // may call it by floor, its queue's own first, then those that help through overflow.
  function whereText(ticket) {
    const english = state.lang === "en";
    const text = (group) => (english ? group.text_en : group.text);
    const own = (ticket.where || []).filter((group) => !group.overflow).map(text);
    const helping = (ticket.where || []).filter((group) => group.overflow).map(text);
    if (!own.length) return t("where_no_window");
    const separator = english ? "; " : "；";
    const main = t("where", { where: own.join(separator) });
    return helping.length ? main + t("where_also", { where: helping.join(separator) }) : main;
  }

  // No estimate while no window of the queue is open (eta_minutes null): say so rather than a number.
  function queueText(ticket) {
    if (ticket.eta_minutes === null || ticket.eta_minutes === undefined) {
      return ticket.ahead > 0 ? t("ahead_no_window", { ahead: ticket.ahead }) : t("none_no_window");
    }
    return ticket.ahead > 0 ? t("ahead", { ahead: ticket.ahead, eta: ticket.eta_minutes }) : t("ahead_none");
  }

  function renderTicket() {
    const ticket = state.ticket;
    const service = state.catalogue.services.find((entry) => entry.id === ticket.service);
    $("ticket-number").textContent = ticket.number;
    $("ticket-service").textContent = service ? nameOf(service) : ticket.service_name;
    $("ticket-where").textContent = whereText(ticket);
    $("ticket-queue").textContent = queueText(ticket);
    const priority = state.catalogue.priority_classes.find((entry) => entry.id === ticket.priority);
    $("ticket-priority").hidden = !priority;
    if (priority) $("ticket-priority").textContent = t("priority_tag", { name: nameOf(priority) });
    renderPrintStatus();
  }

  function printProblem() {
    if (!state.catalogue.kiosk.printer || !state.job) return "no_printer";
    if (state.jobStatus === "failed") {
      const printerState = state.jobPrinterState || (state.printer && state.printer.state);
      if (printerState === "paper_out") return "paper_out";
      if (cannotPrint(printerState)) return "printer_down";
      return "print_failed";
    }
    return null;
  }

  function renderPrintStatus() {
    const box = $("print-status");
    const problem = printProblem();
    box.classList.toggle("print-status-problem", Boolean(problem));
    box.classList.toggle("print-status-done", state.jobStatus === "printed");
    if (problem) {
      box.textContent = t(problem);
      showPreview();
    } else if (state.jobStatus === "printed") {
      box.textContent = t("printed");
    } else if (Date.now() - state.jobStarted > 10000) {
      box.textContent = t("print_slow");
    } else {
      box.textContent = t("printing");
    }
  }

  function showPreview() {
    const image = $("ticket-preview-image");
    if (!image.getAttribute("src")) {
      image.src = `/kiosk/${encodeURIComponent(SITE)}/${encodeURIComponent(KIOSK)}/tickets/` +
        `${encodeURIComponent(state.ticket.id)}.png`;
    }
    $("ticket-preview").hidden = false;
  }

  function applyJob(job) {
    if (!state.ticket || job.job !== state.job) return;
    // A slow poll answer may be older than the event that already ended the job.
    if (jobRank(job.status) < jobRank(state.jobStatus)) return;
    state.jobStatus = job.status;
    if (job.printer_state) state.jobPrinterState = job.printer_state;
    if (!jobOpen(job.status)) stopJobPolling();
    renderPrintStatus();
    updateTicketTimeout();
  }

  function startJobPolling() {
    stopJobPolling();
    const jobId = state.job;
    const poll = () => {
      if (state.job !== jobId || !jobOpen(state.jobStatus)) return;
      if (Date.now() - state.jobStarted > JOB_POLL_LIMIT_MS) return;
      fetch(`/api/v1/print-jobs/${jobId}`)
        .then((response) => (response.ok ? response.json() : null))
        .then((job) => { if (job) applyJob({ job: job.id, status: job.status, reason: job.reason }); })
        .catch(() => {})
        .finally(() => {
          if (state.job === jobId && jobOpen(state.jobStatus)) {
            state.pollTimer = setTimeout(poll, JOB_POLL_MS);
          }
          renderPrintStatus();
        });
    };
    poll();
  }

  function stopJobPolling() {
    if (state.pollTimer) clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }

  function updateTicketTimeout() {
    state.idleLimit = printProblem() ? TICKET_PROBLEM_MS : IDLE_MS;
    touch();
  }

  // -- printer state --------------------------------------------------------------------------
  function setPrinterState(printer) {
    state.printer = printer;
    renderPrinterBanner();
    if (state.ticket) renderPrintStatus();
  }

  function renderPrinterBanner() {
    const banner = $("printer-banner");
    const bad = state.catalogue.kiosk.printer && state.printer && cannotPrint(state.printer.state);
    banner.hidden = !bad;
    if (bad) banner.textContent = t("printer_banner");
  }

  function onPrintJob(event) {
    jobEvents.set(event.job, event);
    if (jobEvents.size > 50) jobEvents.delete(jobEvents.keys().next().value);
    applyJob(event);
  }

  // Subscribed with this kiosk's id, the stream adds this kiosk's `printer` and `print_job` events
  // (and nobody else's) to the public ones; every (re)subscription's snapshot says the printer's state.
  function connect() {
    if (typeof window.SiteStream !== "function" || typeof window.io !== "function") {
      return null; // the page still works, polling the job
    }
    return new window.SiteStream({
      site: SITE,
      kiosk: KIOSK,
      batch: true,
      onSnapshot(snapshot) {
        if (snapshot.printer !== undefined) setPrinterState(snapshot.printer);
      },
      onEvent(kind, payload) {
        if (kind === "printer") setPrinterState(payload);
        else if (kind === "print_job") onPrintJob(payload);
      },
      onError(error) {
        console.error("kiosk: subscription refused:", error);
      },
    });
  }

  // -- dialog ---------------------------------------------------------------------------------
  function openDialog(title, message) {
    $("dialog-title").textContent = title;
    $("dialog-message").textContent = message;
    $("dialog").hidden = false;
    $("dialog-close").focus();
    touch();
  }

  function closeDialog() {
    $("dialog").hidden = true;
  }

  // -- idle, clock ----------------------------------------------------------------------------
  function touch() {
    state.idleDeadline = Date.now() + (state.current === "ticket" ? state.idleLimit : IDLE_MS);
  }

  function tick() {
    const now = new Date();
    $("clock").textContent = CLOCK.time(now);
    const remaining = state.idleDeadline - Date.now();
    if (state.current === "ticket") {
      $("ticket-countdown").textContent = t("countdown", { seconds: Math.max(0, Math.ceil(remaining / 1000)) });
      if (jobOpen(state.jobStatus)) renderPrintStatus();
    }
    if (remaining <= 0) {
      if (state.current !== "home" || !$("dialog").hidden) goHome();
      if (state.lang !== "zh" || state.elder) resetForNextPerson();
      touch();
    }
  }

  // -- wiring ---------------------------------------------------------------------------------
  function onKey(event) {
    touch();
    if (event.key === "Escape") {
      if (!$("dialog").hidden) return closeDialog();
      if (state.current !== "home") back();
      return;
    }
    const typing = document.activeElement === $("search-input");
    if (state.current === "home" && !typing && /^[a-zA-Z]$/.test(event.key) && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      openSearch(event.key.toLowerCase());
    }
  }

  function init() {
    buildKeyboard();
    document.querySelectorAll("[data-back]").forEach((button) => button.addEventListener("click", back));
    $("search-open").addEventListener("click", () => openSearch(""));
    $("search-input").addEventListener("input", runSearch);
    $("issue-normal").addEventListener("click", () => issue(null));
    $("ticket-done").addEventListener("click", goHome);
    $("dialog-close").addEventListener("click", closeDialog);
    $("lang-toggle").addEventListener("click", () => setLanguage(state.lang === "zh" ? "en" : "zh"));
    $("elder-toggle").addEventListener("click", () => setElder(!state.elder));
    ["pointerdown", "input", "wheel", "touchstart"].forEach((name) => {
      document.addEventListener(name, touch, { passive: true });
    });
    document.addEventListener("keydown", onKey);
    document.addEventListener("contextmenu", (event) => event.preventDefault()); // long press on a touch screen
    applyText();
    show("home", false);
    const stream = connect();
    tick();
    setInterval(tick, 1000);
    window.kiosk = { state: state, stream: stream }; // for support staff and tests: a read-only look
    Object.assign(window.kiosk, { show, showTicket, goHome }); // for the kiosk's modules (预约签到)
    startModules();
  }

  // Kiosk modules (kiosk_<name>.js, loaded before this file) add a tile and a screen of their own: 领取办件结果, …
  function startModules() {
    let moduleTiles = null;
    const hooks = {
      site: SITE, kiosk: KIOSK, token: DEVICE_TOKEN, lang: () => state.lang, t, show, back, showTicket, openDialog,
      addTile(tile) {
        if (!moduleTiles) {
          moduleTiles = element("div", "tiles module-tiles");
          $("area-tiles").after(moduleTiles);
        }
        moduleTiles.append(tile);
      },
    };
    (window.kioskModules || []).forEach((module) => module(hooks));
  }

  init();
})();
