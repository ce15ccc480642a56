/* The phone booking page: area → item → day → slot → name, ID number, mobile → the code and its QR.
   The phone keeps the ids of its bookings (localStorage) so that they can be shown and cancelled here.
   Times come from the server with the hall's offset; the page only cuts them into words. */
(function () {
  "use strict";

  const { $, element } = PageKit;
  const page = PageKit.readConfig("page-data");
  const SITE = page.site.id;
  const STORE_KEY = `yichuang.bookings.${SITE}`;
  const WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
  const STATUS = { booked: "已预约", checked_in: "已签到", cancelled: "已取消", missed: "已过时" };
  const state = { area: undefined, service: null, day: null, slot: null, busy: false, shown: null };

  // -- words ------------------------------------------------------------------------------------
  const clock = (iso) => iso.slice(11, 16);
  function dayWords(isoDay) {
    const [year, month, day] = isoDay.split("-").map(Number);
    const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
    return `${month}月${day}日 ${weekday}`;
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
  const message = (answer) => (answer.body && answer.body.error ? answer.body.error.message
    : "网络连接异常，请稍后再试 / network problem, please try again");

  async function renderMine() {
    const ids = remembered();
    const list = $("mine-list");
    list.replaceChildren();
    const kept = [];
    for (const id of ids) {
      const answer = await api(`/api/v1/appointments/${encodeURIComponent(id)}`);
      if (answer.status === 404) continue; // gone: forget it
      kept.push(id);
      if (answer.status !== 200) continue;
      const booking = answer.body;
      const item = element("li");
      const button = element("button", "choice");
      button.type = "button";
      button.append(element("span", null, `${booking.service_name}`),
        element("small", null, `${slotWords(booking.start, booking.end)} · ${STATUS[booking.status] || booking.status}`));
      button.addEventListener("click", () => showBooking(booking));
      item.append(button);
      list.append(item);
    }
    remember(kept);
    $("mine").hidden = list.children.length === 0;
  }

  // -- steps --------------------------------------------------------------------------------------
  function show(step) {
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
      areas.append(choice(area.name, `${count} 项可预约`, () => openArea(area.id)));
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
    $("item-title").textContent = area ? `${area.name} · 请选择事项` : "请选择办理事项";
    const items = $("items");
    items.replaceChildren();
    servicesOf(areaId).forEach((service) => {
      items.append(choice(service.name, `每个时段 ${service.slot_minutes} 分钟`, () => openService(service)));
    });
    show("item");
  }

  function openService(service) {
    state.service = service;
    $("day-service").textContent = service.name;
    const days = $("days");
    days.replaceChildren();
    service.days.forEach((day) => days.append(choice(dayWords(day), null, () => openDay(day))));
    $("no-days").hidden = service.days.length > 0;
    show("day");
  }

  async function openDay(day) {
    state.day = day;
    $("slot-day").textContent = `${state.service.name} · ${dayWords(day)}`;
    const slots = $("slots");
    slots.replaceChildren();
    $("slots-note").textContent = "正在查询余号……";
    show("slot");
    const path = `/api/v1/sites/${encodeURIComponent(SITE)}/services/${encodeURIComponent(state.service.id)}`
      + `/slots?date=${encodeURIComponent(day)}`;
    const answer = await api(path);
    if (answer.status !== 200 || !Array.isArray(answer.body)) {
      $("slots-note").textContent = message(answer);
      return;
    }
    answer.body.forEach((slot) => {
      const note = slot.left > 0 ? `余 ${slot.left} 个` : "已约满";
      const button = choice(`${clock(slot.start)}–${clock(slot.end)}`, note, () => openForm(slot));
      button.disabled = slot.left <= 0;
      if (slot.left > 0 && slot.left <= 1) button.dataset.few = "";
      slots.append(button);
    });
    const left = answer.body.some((slot) => slot.left > 0);
    $("slots-note").textContent = left ? "" : "当天已约满，请选择其他日期。";
  }

  function openForm(slot) {
    state.slot = slot;
    $("form-slot").textContent = `${state.service.name} · ${slotWords(slot.start, slot.end)}`;
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
    if (!name) return formError("请填写姓名", "name");
    state.busy = true;
    $("submit").disabled = true;
    $("submit").textContent = "正在预约……";
    const answer = await api(`/api/v1/sites/${encodeURIComponent(SITE)}/appointments`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ service: state.service.id, start: state.slot.start, name,
        id_number: $("id-number").value.trim(), phone: $("phone").value.trim() }),
    });
    state.busy = false;
    $("submit").disabled = false;
    $("submit").textContent = "确认预约";
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
    $("done-title").textContent = booking.status === "booked" ? "预约成功" : `预约${STATUS[booking.status] || ""}`;
    $("done-service").textContent = booking.service_name;
    $("done-time").textContent = slotWords(booking.start, booking.end);
    $("done-code").textContent = booking.code;
    const id = encodeURIComponent(booking.id);
    $("done-qr").src = `/api/v1/appointments/${id}/qr.svg`;
    $("done-qr").hidden = booking.status !== "booked";
    $("done-window").textContent = booking.status === "booked"
      ? `请于 ${clock(booking.check_in_from)}–${clock(booking.check_in_until)} 到大厅取号机点「预约签到」，扫码或输入签到码`
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
    if (!window.confirm(`确定取消 ${slotWords(booking.start, booking.end)} 的预约吗？`)) return;
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
    renderAreas();
    if (page.areas.length === 1) openArea(page.areas[0].id);
    renderMine();
  }

  init();
})();
