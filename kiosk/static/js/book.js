/* The phone booking page: area → item → day → slot → name, ID number, mobile → the code and its QR.
   The phone keeps the ids of its bookings (localStorage) so that they can be shown and cancelled here.
   Times come from the server with the hall's offset; the page only cuts them into words. */
(function () {
  "use strict";

  const { $, element } = PageKit;
  const page = PageKit.readConfig("page-data");
  const SITE = page.site.id;
  const STORE_KEY = `yichuang.bookings.${SITE}`;
  const TEXT = {
    zh: {
      title: "预约取号", mine: "我的预约", step_area: "① 分类", step_item: "② 事项", step_day: "③ 日期",
      step_slot: "④ 时段", step_form: "⑤ 信息", choose_area: "请选择业务分类",
      none_bookable: "本大厅暂无可预约事项，请直接到大厅取号。", choose_day: "请选择日期",
      no_days: "近期没有可预约的工作日。", choose_slot: "请选择时段", form_title: "填写预约人信息", name: "姓名",
      id_number: "身份证号码", id_placeholder: "18位，末位可为 X", phone: "手机号码", phone_placeholder: "11位手机号",
      submit: "确认预约", submitting: "正在预约……",
      privacy: "身份证号码仅用于核对同一人的预约次数，页面与工作人员只能看到打码后的号码。", code: "签到码",
      calendar: "加入日历", cancel: "取消预约", again: "再约一个", back: "‹ 返回", switch: "English",
      bookable: "{count} 项可预约", choose_item: "请选择办理事项", area_items: "{area} · 请选择事项",
      slot_minutes: "每个时段 {minutes} 分钟", loading: "正在查询余号……", left: "余 {left} 个", full: "已约满",
      day_full: "当天已约满，请选择其他日期。", need_name: "请填写姓名", booked_title: "预约成功",
      other_title: "预约{status}", check_in: "请于 {from}–{until} 到大厅取号机点「预约签到」，扫码或输入签到码",
      confirm_cancel: "确定取消 {slot} 的预约吗？", network: "网络连接异常，请稍后再试",
      weekdays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"], day: "{month}月{day}日 {weekday}",
      status: { booked: "已预约", checked_in: "已签到", cancelled: "已取消", missed: "已过时" },
    },
    en: {
      title: "Book an appointment", mine: "My appointments", step_area: "1 Area", step_item: "2 Item",
      step_day: "3 Day", step_slot: "4 Time", step_form: "5 Details", choose_area: "Choose an area",
      none_bookable: "Nothing can be booked here: take a ticket in the hall.", choose_day: "Choose a day",
      no_days: "No working day can be booked soon.", choose_slot: "Choose a time", form_title: "Your details",
      name: "Name", id_number: "Resident ID number", id_placeholder: "18 characters, the last may be X",
      phone: "Mobile number", phone_placeholder: "11 digits", submit: "Book", submitting: "Booking…",
      privacy: "The ID number only checks how often one person books; pages and staff see it masked.",
      code: "Check-in code", calendar: "Add to calendar", cancel: "Cancel booking", again: "Book another",
      back: "‹ Back", switch: "中文", bookable: "{count} bookable", choose_item: "Choose an item",
      area_items: "{area} · choose an item", slot_minutes: "{minutes}-minute slots", loading: "Looking up places…",
      left: "{left} left", full: "Full", day_full: "This day is fully booked: choose another.",
      need_name: "Please enter your name", booked_title: "Booked", other_title: "Appointment {status}",
      check_in: "Check in from {from} to {until} at a hall kiosk: tap 预约签到 and scan or type the code",
      confirm_cancel: "Cancel the appointment of {slot}?", network: "Network problem, please try again",
      weekdays: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], day: "{weekday} {day}/{month}",
      status: { booked: "booked", checked_in: "checked in", cancelled: "cancelled", missed: "missed" },
    },
  };
  const state = { area: undefined, service: null, day: null, slot: null, busy: false, shown: null, step: "area",
    lang: "zh" };
  const t = (key, vars) => PageKit.fill(TEXT[state.lang][key], vars || {});
  const nameOf = (entry) => (state.lang === "en" && entry.name_en ? entry.name_en : entry.name);
  const statusWord = (status) => TEXT[state.lang].status[status] || status;

  function applyText() {
    document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    });
    $("lang-toggle").textContent = t("switch");
  }

  function setLanguage(lang) {
    state.lang = lang;
    applyText();
    // Redraw the step on screen in the new language.
    if (state.step === "area") renderAreas();
    else if (state.step === "item") openArea(state.area);
    else if (state.step === "day") openService(state.service);
    else if (state.step === "slot") openDay(state.day);
    else if (state.step === "form") openForm(state.slot);
    else if (state.step === "done" && state.shown) showBooking(state.shown);
    renderMine();
  }

  // -- words ------------------------------------------------------------------------------------
  const clock = (iso) => iso.slice(11, 16);
  function dayWords(isoDay) {
    const [year, month, day] = isoDay.split("-").map(Number);
    const weekday = TEXT[state.lang].weekdays[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
    return t("day", { month, day, weekday });
  }
  const slotWords = (start, end) => `${dayWords(start.slice(0, 10))} ${clock(start)}–${clock(end)}`;

  // -- bookings this phone made -------------------------------------------------------------------
  function remembered() {
    try {
      const ids = JSON.parse(window.localStorage.getItem(STORE_KEY) || "[]");
      return Array.isArray(ids) ? ids.filter((id) => typeof id === "string") : [];
    } catch (error) {
      return [];
    }
  }
  function remember(ids) {
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(ids.slice(-10)));
    } catch (error) { /* private mode: the booking still holds; the page just forgets it */ }
  }

  async function api(path, options) {
    try {
      const response = await fetch(path, options);
      const body = await response.json().catch(() => null);
      return { status: response.status, body };
    } catch (error) {
      return { status: 0, body: null };
    }
  }
  const message = (answer) => (answer.body && answer.body.error ? answer.body.error.message : t("network"));

  // The bookings this phone remembers. Runs may overlap (the page opens, the language changes, a booking is
  // made or cancelled): only the newest one draws, and each forgets only the ids it found gone, never one
  // remembered meanwhile.
  let mineRun = 0;
  async function renderMine() {
    const run = ++mineRun;
    const items = [];
    const gone = [];
    for (const id of remembered()) {
      const answer = await api(`/api/v1/appointments/${encodeURIComponent(id)}`);
      if (answer.status === 404) gone.push(id); // gone: forget it
      if (answer.status !== 200) continue;
      const booking = answer.body;
      const item = element("li");
      const button = element("button", "choice");
      button.type = "button";
      button.append(element("span", null, serviceName(booking)),
        element("small", null, `${slotWords(booking.start, booking.end)} · ${statusWord(booking.status)}`));
      button.addEventListener("click", () => showBooking(booking));
      item.append(button);
      items.push(item);
    }
    if (gone.length) remember(remembered().filter((id) => !gone.includes(id)));
    if (run !== mineRun) return; // a newer run draws the list
    $("mine-list").replaceChildren(...items);
    $("mine").hidden = items.length === 0;
  }

  function serviceName(booking) {
    const service = page.services.find((entry) => entry.id === booking.service);
    return service ? nameOf(service) : booking.service_name;
  }

  // -- steps --------------------------------------------------------------------------------------
  function show(step) {
    state.step = step;
    document.querySelectorAll(".step").forEach((section) => { section.hidden = section.id !== `step-${step}`; });
    document.querySelectorAll("#steps span").forEach((span) => {
      span.toggleAttribute("data-current", span.dataset.step === step);
    });
    $("steps").hidden = step === "done";
    window.scrollTo(0, 0);
  }

  function choice(title, note, onClick) {
    const button = element("button", "choice");
    button.type = "button";
    button.append(element("span", null, title));
    if (note) button.append(element("small", null, note));
    button.addEventListener("click", onClick);
    return button;
  }

  function renderAreas() {
    const areas = $("areas");
    areas.replaceChildren();
    $("none-bookable").hidden = page.services.length > 0;
    page.areas.forEach((area) => {
      const count = page.services.filter((service) => service.area === area.id
        || (area.id === null && !page.areas.some((known) => known.id === service.area))).length;
      areas.append(choice(nameOf(area), t("bookable", { count }), () => openArea(area.id)));
    });
    show("area");
  }

  function servicesOf(areaId) {
    if (areaId === null) return page.services.filter((s) => !page.areas.some((a) => a.id !== null && a.id === s.area));
    return page.services.filter((service) => service.area === areaId);
  }

  function openArea(areaId) {
    state.area = areaId;
    const area = page.areas.find((entry) => entry.id === areaId);
    $("item-title").textContent = area ? t("area_items", { area: nameOf(area) }) : t("choose_item");
    const items = $("items");
    items.replaceChildren();
    servicesOf(areaId).forEach((service) => {
      items.append(choice(nameOf(service), t("slot_minutes", { minutes: service.slot_minutes }),
        () => openService(service)));
    });
    show("item");
  }

  function openService(service) {
    state.service = service;
    $("day-service").textContent = nameOf(service);
    const days = $("days");
    days.replaceChildren();
    service.days.forEach((day) => days.append(choice(dayWords(day), null, () => openDay(day))));
    $("no-days").hidden = service.days.length > 0;
    show("day");
  }

  async function openDay(day) {
    state.day = day;
    $("slot-day").textContent = `${nameOf(state.service)} · ${dayWords(day)}`;
    const slots = $("slots");
    slots.replaceChildren();
    $("slots-note").textContent = t("loading");
    show("slot");
    const path = `/api/v1/sites/${encodeURIComponent(SITE)}/services/${encodeURIComponent(state.service.id)}`
      + `/slots?date=${encodeURIComponent(day)}`;
    const answer = await api(path);
    if (answer.status !== 200 || !Array.isArray(answer.body)) {
      $("slots-note").textContent = message(answer);
      return;
    }
    answer.body.forEach((slot) => {
      const note = slot.left > 0 ? t("left", { left: slot.left }) : t("full");
      const button = choice(`${clock(slot.start)}–${clock(slot.end)}`, note, () => openForm(slot));
      button.disabled = slot.left <= 0;
      if (slot.left > 0 && slot.left <= 1) button.dataset.few = "";
      slots.append(button);
    });
    const left = answer.body.some((slot) => slot.left > 0);
    $("slots-note").textContent = left ? "" : t("day_full");
  }

  function openForm(slot) {
    state.slot = slot;
    $("form-slot").textContent = `${nameOf(state.service)} · ${slotWords(slot.start, slot.end)}`;
    $("form-error").hidden = true;
    show("form");
    $("name").focus();
  }

  const FIELD_OF_ERROR = { invalid_id_number: "id-number", invalid_phone: "phone", invalid_field: "name" };

  async function submit(event) {
    event.preventDefault();
    if (state.busy) return; // a double tap must not book twice
    ["name", "id-number", "phone"].forEach((id) => $(id).removeAttribute("aria-invalid"));
    const name = $("name").value.trim();
    if (!name) return formError(t("need_name"), "name");
    state.busy = true;
    $("submit").disabled = true;
    $("submit").textContent = t("submitting");
    const answer = await api(`/api/v1/sites/${encodeURIComponent(SITE)}/appointments`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ service: state.service.id, start: state.slot.start, name,
        id_number: $("id-number").value.trim(), phone: $("phone").value.trim() }),
    });
    state.busy = false;
    $("submit").disabled = false;
    $("submit").textContent = t("submit");
    if (answer.status !== 201 || !answer.body) {
      const code = answer.body && answer.body.error ? answer.body.error.code : null;
      return formError(message(answer), FIELD_OF_ERROR[code]);
    }
    remember([...remembered().filter((id) => id !== answer.body.id), answer.body.id]);
    $("form").reset();
    showBooking(answer.body);
    renderMine();
  }

  function formError(text, field) {
    $("form-error").textContent = text;
    $("form-error").hidden = false;
    if (field) {
      $(field).setAttribute("aria-invalid", "true");
      $(field).focus();
    }
  }

  function showBooking(booking) {
    state.shown = booking;
    const section = $("step-done");
    section.dataset.status = booking.status;
    $("done-title").textContent = booking.status === "booked" ? t("booked_title")
      : t("other_title", { status: statusWord(booking.status) });
    $("done-service").textContent = serviceName(booking);
    $("done-time").textContent = slotWords(booking.start, booking.end);
    $("done-code").textContent = booking.code;
    const id = encodeURIComponent(booking.id);
    $("done-qr").src = `/api/v1/appointments/${id}/qr.svg`;
    $("done-qr").hidden = booking.status !== "booked";
    $("done-window").textContent = booking.status === "booked"
      ? t("check_in", { from: clock(booking.check_in_from), until: clock(booking.check_in_until) })
      : "";
    $("done-person").textContent = `${booking.name} · ${booking.id_number} · ${booking.phone}`;
    $("done-ics").href = `/api/v1/appointments/${id}/calendar.ics`;
    $("done-ics").hidden = booking.status !== "booked";
    $("done-cancel").hidden = booking.status !== "booked";
    show("done");
  }

  async function cancel() {
    const booking = state.shown;
    if (!booking || state.busy) return;
    if (!window.confirm(t("confirm_cancel", { slot: slotWords(booking.start, booking.end) }))) return;
    state.busy = true;
    const answer = await api(`/api/v1/appointments/${encodeURIComponent(booking.id)}/cancel`, { method: "POST" });
    state.busy = false;
    if (answer.status !== 200) return window.alert(message(answer));
    showBooking(answer.body);
    renderMine();
  }

  function init() {
    document.querySelectorAll("[data-back]").forEach((button) => {
      button.addEventListener("click", () => {
        const step = button.dataset.back;
        if (step === "item") return openArea(state.area);
        if (step === "day") return openService(state.service);
        if (step === "slot") return openDay(state.day);
        return show(step);
      });
    });
    $("form").addEventListener("submit", submit);
    $("done-cancel").addEventListener("click", cancel);
    $("done-again").addEventListener("click", renderAreas);
    $("lang-toggle").addEventListener("click", () => setLanguage(state.lang === "zh" ? "en" : "zh"));
    applyText();
    renderAreas();
    if (page.areas.length === 1) openArea(page.areas[0].id);
    renderMine();
  }

  init();
})();
