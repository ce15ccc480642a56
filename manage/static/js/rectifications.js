/*
 * 差评整改 on the manager's board: the open rectifications of bad ratings (GET /rectifications), each with who
 * served, the level, the reasons and words, the call-back phone (masked), the deadline (red when overdue) and
 * what was done; the manager records a contact (回访), a resolution (整改), an appeal (申诉复核) or the close,
 * each with a note. Read again whenever the board is (board.js announces each refresh), never on a timer.
 */
(function () {
  "use strict";

  const { $, element, readConfig, hallClock } = PageKit;
  const config = readConfig("manage-config");
  const api = new ApiClient(config.api, "yichuang.manage.token"); // the board's login, kept in the same place
  const clock = hallClock(config.timezone);
  const path = `/sites/${encodeURIComponent(config.site)}/rectifications`;
  const ACTIONS = [["contact", "回访/联系"], ["resolve", "整改完成"], ["appeal", "申诉复核"], ["close", "办结"]];
  let loading = false;
  let again = false;
  const drafts = new Map(); // rectification id -> note being typed (kept across redraws)

  function stamp(at) {
    return `${clock.date(at)} ${clock.time(at)}`;
  }

  function card(item) {
    const box = element("li", `rectification status-${item.status}${item.overdue ? " overdue" : ""}`);
    box.dataset.rectification = String(item.id);
    const reasons = item.reason_names.length ? item.reason_names.join("、") : "（未选原因）";
    box.append(
      element("div", "rect-head", null,
        element("span", "rect-level", item.level_name),
        element("span", "rect-who", `${item.number}号 · ${item.window_name || item.window || ""} · ${item.clerk_name || "—"}`),
        element("span", "rect-service", item.service_name),
        element("span", "rect-status", item.status_name),
        element("span", "rect-deadline", `整改期限 ${item.deadline}${item.overdue ? "（已超期）" : ""}`)),
      element("p", "rect-reasons", `原因：${reasons}`),
    );
    if (item.comment) box.append(element("p", "rect-comment", `意见：${item.comment}`));
    box.append(element("p", "rect-phone", item.named ? `回访电话：${item.phone}` : "匿名评价（未留电话）"));
    if (item.actions.length) {
      box.append(element("ol", "rect-actions", null, ...item.actions.map((action) =>
        element("li", "", `${stamp(action.at)} ${action.by} ${action.action_name}：${action.note}`))));
    }
    const form = element("form", "rect-form");
    const select = element("select", "rect-action");
    select.setAttribute("aria-label", "处理方式");
    for (const [value, name] of ACTIONS) {
      const option = element("option", "", name);
      option.value = value;
      select.append(option);
    }
    const note = element("input", "rect-note");
    note.placeholder = "处理说明（必填）";
    note.maxLength = 500;
    note.required = true;
    note.value = drafts.get(item.id) || "";
    note.setAttribute("aria-label", "处理说明");
    note.addEventListener("input", () => drafts.set(item.id, note.value));
    const send = element("button", "primary", "提交");
    send.type = "submit";
    form.append(select, note);
    // 申诉复核: closing an appealed one gives the review's verdict; upheld sets the rating aside (not counted).
    const verdict = element("select", "rect-verdict");
    verdict.setAttribute("aria-label", "复核结论");
    for (const [value, name] of [["rejected", "申诉不成立"], ["upheld", "申诉成立（该评价不计入统计）"]]) {
      const option = element("option", "", name);
      option.value = value;
      verdict.append(option);
    }
    verdict.hidden = true;
    if (item.status === "appealed") {
      select.value = "close";
      verdict.hidden = false;
      select.addEventListener("change", () => { verdict.hidden = select.value !== "close"; });
      form.append(verdict);
    }
    form.append(send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(item.id, select.value, note.value, send, verdict.hidden ? null : verdict.value);
    });
    box.append(form);
    return box;
  }

  async function act(id, action, note, button, appeal) {
    button.disabled = true;
    try {
      await api.request("POST", `${path}/${id}`, appeal ? { action, note, appeal } : { action, note });
      drafts.delete(id);
      $("rect-message").hidden = true;
      await load();
    } catch (error) {
      $("rect-message").textContent = error.message;
      $("rect-message").hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async function load() {
    if (!api.token) return;
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      const items = await api.request("GET", `${path}?status=open`);
      $("rect-count").textContent = String(items.length);
      $("no-rectifications").hidden = items.length > 0;
      const focused = document.activeElement && document.activeElement.closest(".rectification");
      if (!focused) $("rectifications").replaceChildren(...items.map(card)); // never under the manager's typing
    } catch (error) {
      if (error.status !== 401 && error.status !== 403) {
        $("rect-message").textContent = error.message;
        $("rect-message").hidden = false;
      }
    } finally {
      loading = false;
      if (again) {
        again = false;
        load();
      }
    }
  }

  document.addEventListener("board-refreshed", load);
  window.manageRectifications = { load };
})();
