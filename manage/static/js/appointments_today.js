/*
 * 今日预约 on the manager's board: today's bookings of the site — booked (every booking made for today,
 * cancelled ones included), checked in, missed, cancelled — from GET /sites/<site>/appointments/stats with
 * from = to = the hall's local day (by the board's own clock, as its clock on the top bar). Read again
 * whenever the board is (board.js announces each refresh: a check-in issues a ticket, which refreshes it),
 * never on a timer. Hidden until the first answer, and for an account the figures are not for.
 */
(function () {
  "use strict";

  const { $, element, readConfig } = PageKit;
  const config = readConfig("manage-config");
  const api = new ApiClient(config.api, "yichuang.manage.token"); // the board's login, kept in the same place
  const path = `/sites/${encodeURIComponent(config.site)}/appointments/stats`;
  // The words of the booking page (kiosk/static/js/book.js), Chinese first as on the rest of the board.
  const FIGURES = [
    ["booked", "已预约", "Booked"], ["checked_in", "已签到", "Checked in"], ["missed", "已过时", "Missed"],
    ["cancelled", "已取消", "Cancelled"],
  ];
  const dayOf = new Intl.DateTimeFormat("en-CA", {
    timeZone: config.timezone || undefined, year: "numeric", month: "2-digit", day: "2-digit",
  });
  let loading = false;
  let again = false;

  // The hall's local day, YYYY-MM-DD, whatever the zone of the PC showing the board.
  function today() {
    const parts = Object.fromEntries(dayOf.formatToParts(new Date()).map((part) => [part.type, part.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  }

  function draw(day, totals) {
    const head = element("tr", "", null, ...FIGURES.map(([, zh, en]) =>
      element("th", "", `${zh} `, element("span", "en", en))));
    const row = element("tr", "", null, ...FIGURES.map(([key]) => {
      const cell = element("td", "number", String(totals[key] ?? 0));
      cell.dataset.figure = key;
      return cell;
    }));
    const table = element("table", "figures appointments-today", null,
      element("thead", "", null, head), element("tbody", "", null, row));
    table.dataset.day = day;
    $("appointments-today").replaceChildren(table);
    $("appointments-panel").hidden = false;
  }

  async function load() {
    if (!api.token) return;
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const day = today();
    try {
      const stats = await api.request("GET", `${path}?from=${day}&to=${day}`);
      draw(day, stats.totals || {});
    } catch (error) {
      if (error.status === 401 || error.status === 403) $("appointments-panel").hidden = true;
      // otherwise the last figures stay until the next refresh reads them again
    } finally {
      loading = false;
      if (again) {
        again = false;
        load();
      }
    }
  }

  document.addEventListener("board-refreshed", load);
  window.manageAppointmentsToday = { load };
})();
