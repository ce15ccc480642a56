/*
 * RatingForm: the 好差评 form the window's pad and the phone page both show — five large faces with the level
 * names (非常满意 … 非常不满意); a good level is sent with one tap, a bad one (the lower two) asks for its reasons
 * from the form's list and an optional comment (and, on the phone, an optional mobile number for a call-back).
 *
 *   const view = RatingForm.build({ form, askPhone: true, onSubmit: async (rating) => {…} });
 *   container.append(view.node);   view.reset();   view.showError("…");
 *
 * onSubmit gets {level, reasons, comment, phone} and may throw (its message is shown, the form stays).
 */
(function (root) {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const FACE_COLOURS = { 5: "#1d8f4e", 4: "#4fa25a", 3: "#d99a1e", 2: "#e0702a", 1: "#c8372d" };

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, String(value)));
    return node;
  }

  // A face for a level: the mouth curves up for 5, is straight for 3, turns down for 1.
  function face(level) {
    const bend = (level - 3) * 9;
    const drawing = svg("svg", { viewBox: "0 0 100 100", class: "rating-face", "aria-hidden": "true" });
    drawing.append(
      svg("circle", { cx: 50, cy: 50, r: 46, fill: FACE_COLOURS[level] || "#888" }),
      svg("circle", { cx: 34, cy: 40, r: 6, fill: "#fff" }),
      svg("circle", { cx: 66, cy: 40, r: 6, fill: "#fff" }),
      svg("path", { d: `M 28 ${66 - bend / 3} Q 50 ${66 + bend} 72 ${66 - bend / 3}`, stroke: "#fff",
        "stroke-width": 7, fill: "none", "stroke-linecap": "round" }),
    );
    return drawing;
  }

  function build({ form, askPhone = false, onSubmit }) {
    const { element } = root.PageKit;
    const bad = new Set(form.bad_levels || [1, 2]);
    const node = element("div", "rating-form");
    const levels = element("div", "rating-levels");
    levels.setAttribute("role", "group");
    levels.setAttribute("aria-label", "请对本次服务进行评价");
    const detail = element("div", "rating-detail");
    detail.hidden = true;
    const error = element("p", "rating-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    let chosen = null;
    let busy = false;

    const prompt = element("p", "rating-detail-title", "请选择不满意的原因（可多选）");
    const reasons = element("div", "rating-reasons");
    for (const reason of form.reasons) {
      const chip = element("button", "rating-reason", reason.name);
      chip.type = "button";
      chip.dataset.reason = reason.id;
      chip.setAttribute("aria-pressed", "false");
      chip.addEventListener("click", () => {
        chip.setAttribute("aria-pressed", chip.getAttribute("aria-pressed") === "true" ? "false" : "true");
        error.hidden = true;
      });
      reasons.append(chip);
    }
    const comment = element("textarea", "rating-comment");
    comment.maxLength = form.comment_max || 500;
    comment.rows = 2;
    comment.placeholder = "其他意见或建议（选填，最多500字）";
    comment.setAttribute("aria-label", "意见或建议");
    const phone = element("input", "rating-phone");
    phone.type = "tel";
    phone.inputMode = "numeric";
    phone.maxLength = 20;
    phone.placeholder = "需要回访请留手机号（选填）";
    phone.setAttribute("aria-label", "回访手机号");
    const send = element("button", "rating-send primary", "提交评价");
    send.type = "button";
    const back = element("button", "rating-back link", "重新选择");
    back.type = "button";
    const actions = element("div", "rating-actions", null, back, send);
    detail.append(prompt, reasons, comment, ...(askPhone ? [phone] : []), actions);

    for (const item of form.levels) {
      const button = element("button", "rating-level", null, face(item.level), element("span", "rating-level-name", item.name));
      button.type = "button";
      button.dataset.level = String(item.level);
      button.addEventListener("click", () => choose(item.level));
      levels.append(button);
    }

    function selected() {
      return [...reasons.querySelectorAll('.rating-reason[aria-pressed="true"]')].map((chip) => chip.dataset.reason);
    }

    function mark() {
      for (const button of levels.querySelectorAll(".rating-level")) {
        button.classList.toggle("chosen", Number(button.dataset.level) === chosen);
      }
    }

    async function submit(level, withDetail) {
      if (busy) return;
      const picked = withDetail ? selected() : [];
      const words = withDetail ? comment.value.trim() : "";
      if (bad.has(level) && !picked.length && !words) {
        showError("请至少选择一个原因，或写下您的意见");
        return;
      }
      busy = true;
      node.classList.add("busy");
      try {
        await onSubmit({ level, reasons: picked, comment: words || null, phone: askPhone && withDetail ? phone.value.trim() || null : null });
      } catch (failure) {
        showError(failure && failure.message ? failure.message : "提交失败，请重试");
      } finally {
        busy = false;
        node.classList.remove("busy");
      }
    }

    function choose(level) {
      chosen = level;
      error.hidden = true;
      mark();
      if (bad.has(level)) {
        detail.hidden = false;
        node.classList.add("asking");
        return;
      }
      detail.hidden = true;
      node.classList.remove("asking");
      submit(level, false);
    }

    send.addEventListener("click", () => submit(chosen, true));
    back.addEventListener("click", reset);

    function showError(text) {
      error.textContent = text;
      error.hidden = false;
    }

    function reset() {
      chosen = null;
      busy = false;
      mark();
      detail.hidden = true;
      error.hidden = true;
      node.classList.remove("asking", "busy");
      comment.value = "";
      phone.value = "";
      for (const chip of reasons.querySelectorAll(".rating-reason")) chip.setAttribute("aria-pressed", "false");
    }

    node.append(levels, detail, error);
    return { node, reset, showError };
  }

  // POST /api/v1/tickets/<id>/rating; resolves with the rating, rejects with {status, code, message}.
  async function send(api, ticketId, rating, channel, headers) {
    const body = { level: rating.level, reasons: rating.reasons, channel };
    if (rating.comment) body.comment = rating.comment;
    if (rating.phone) body.phone = rating.phone;
    const response = await fetch(`${api}/tickets/${encodeURIComponent(ticketId)}/rating`, {
      method: "POST", cache: "no-store",
      headers: Object.assign({ "Content-Type": "application/json" }, headers || {}),
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 201) return answer;
    const problem = (answer && answer.error) || {};
    const failure = new Error((problem.message || `错误 ${response.status}`).split(" / ")[0]);
    failure.status = response.status;
    failure.code = problem.code;
    throw failure;
  }

  root.RatingForm = { build, send, face };
})(typeof window !== "undefined" ? window : globalThis);
