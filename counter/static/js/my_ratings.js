/*
 * 我的评价 on the counter: the level and reasons of the clerk's own services (GET /sites/<site>/my-ratings) —
 * never who rated, their words or their number. Read when the desk opens (after a login) and on 刷新.
 */
(function () {
  "use strict";

  const { $, element, readConfig, hallClock } = PageKit;
  const config = readConfig("counter-config");
  const api = new ApiClient(config.api, "yichuang.counter.token"); // the counter's login, kept in the same place
  const clock = hallClock(config.timezone);

  async function load() {
    if (!api.token) return;
    try {
      const items = await api.request("GET", `/sites/${encodeURIComponent(config.site)}/my-ratings`);
      const bad = items.filter((item) => item.level <= 2).length;
      $("my-ratings-summary").textContent = items.length
        ? `近31天 ${items.length} 条评价，其中差评 ${bad} 条` : "近31天还没有评价";
      $("my-ratings").replaceChildren(...items.slice(0, 20).map((item) => {
        const line = element("li", item.level <= 2 ? "bad" : "");
        line.append(element("span", "my-rating-level", item.level_name),
          element("span", "my-rating-what", `${item.number} ${item.service_name}`),
          element("span", "my-rating-reasons", item.reason_names.join("、")),
          element("span", "my-rating-at", `${clock.date(item.at)} ${clock.time(item.at)}`));
        return line;
      }));
    } catch (error) {
      $("my-ratings-summary").textContent = error.message;
    }
  }

  const desk = $("desk-view");
  new MutationObserver(() => { if (!desk.hidden) load(); }).observe(desk, { attributes: true, attributeFilter: ["hidden"] });
  $("my-ratings-refresh").addEventListener("click", load);
  if (!desk.hidden) load();
  window.myRatings = { load };
})();
