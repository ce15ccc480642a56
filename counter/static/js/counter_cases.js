/* Cases (办件) at the counter, beside counter.js: the applicant's name and mobile number go with 受理
   (finish accepted); after a finish the window's document (受理通知书 / 一次性告知书 / 不予受理凭证) opens for
   printing on A4; a pickup ticket (领取办件结果) shows its case, and 已领取 finishes it as delivered. */
(function (root) {
  "use strict";

  const { $, element } = PageKit;
  const DOCUMENTS = { accepted: "受理通知书", notified: "一次性告知书", rejected: "不予受理凭证" };
  let hooks = null;
  let shownTicket = null;
  let caseOfTicket = null;

  function build() {
    const box = element("div", "case-box");
    box.id = "case-box";
    const applicant = element("div", "applicant");
    applicant.id = "applicant";
    const name = element("input");
    name.id = "applicant-name";
    name.maxLength = 64;
    name.placeholder = "申请人姓名（受理时填写）";
    name.autocomplete = "off";
    const phone = element("input");
    phone.id = "applicant-phone";
    phone.maxLength = 20;
    phone.placeholder = "手机号码（办结短信通知）";
    phone.autocomplete = "off";
    phone.inputMode = "numeric";
    applicant.append(element("h3", null, "申请人（受理时登记，可不填）"), name, phone);
    const pickup = element("div", "pickup-case");
    pickup.id = "pickup-case";
    pickup.hidden = true;
    const deliver = element("button", "primary", "已领取（出件）");
    deliver.type = "button";
    deliver.id = "deliver-button";
    deliver.addEventListener("click", () => hooks.act("finish", { outcome: "delivered" }));
    pickup.append(element("h3", null, "领取办件结果"), element("dl", "case-facts"), deliver);
    const printed = element("p", "document-link");
    printed.id = "document-link";
    printed.hidden = true;
    box.append(pickup, applicant);
    $("current").append(box);
    $("current-panel-documents") || $("current").parentElement.append(printed);
  }

  function facts(view) {
    const rows = [["办件编号", view.number], ["事项", view.service_name], ["部门", view.department_name],
      ["状态", view.status_name], ["申请人", [view.applicant_name, view.applicant_phone].filter(Boolean).join(" ") || "—"],
      ["承诺办结", view.deadline]];
    return rows.flatMap(([label, value]) => [element("dt", null, label), element("dd", null, value)]);
  }

  async function show(current) {
    if (!hooks) return;
    if (!current) {
      shownTicket = null;
      return;
    }
    if (shownTicket === current.ticket_id) return;
    shownTicket = current.ticket_id;
    caseOfTicket = null;
    $("applicant-name").value = "";
    $("applicant-phone").value = "";
    $("pickup-case").hidden = true;
    $("applicant").hidden = false;
    const queue = hooks.queueKind(current);
    if (queue !== "pickup") return;
    $("applicant").hidden = true;
    try {
      caseOfTicket = await hooks.api.request("GET", `${hooks.sitePath}/tickets/${encodeURIComponent(current.ticket_id)}/case`);
    } catch (error) {
      caseOfTicket = null;
    }
    if (shownTicket !== current.ticket_id) return;
    const box = $("pickup-case");
    box.hidden = false;
    box.querySelector(".case-facts").replaceChildren(
      ...(caseOfTicket ? facts(caseOfTicket) : [element("dt", null, "办件"), element("dd", null, "未关联办件")]));
    $("deliver-button").disabled = !caseOfTicket || caseOfTicket.status !== "ready";
  }

  // What 受理 carries besides its outcome: the applicant, when the clerk entered one.
  function finishBody(body) {
    if (body.outcome !== "accepted") return body;
    const name = $("applicant-name").value.trim();
    const phone = $("applicant-phone").value.trim();
    if (name) body.applicant_name = name;
    if (phone) body.applicant_phone = phone;
    return body;
  }

  function finished(result) {
    if (!result || !DOCUMENTS[result.outcome]) return;
    const link = $("document-link");
    const anchor = element("a", null, `打印${DOCUMENTS[result.outcome]}（${result.number}${result.case ? ` · 办件 ${result.case.number}` : ""}）`);
    anchor.href = `/documents/${encodeURIComponent(result.id)}?print=1`;
    anchor.target = "_blank";
    anchor.rel = "noopener";
    anchor.id = "document-anchor";
    link.replaceChildren(anchor);
    link.hidden = false;
    printDocument(result, anchor);
  }

  // The window's receipt printer when the layout gives it one; otherwise (409 no_printer, or it cannot print
  // now) the A4 page from the clerk's browser.
  async function printDocument(result, anchor) {
    try {
      await hooks.api.request("POST", `${hooks.sitePath}/windows/${encodeURIComponent(hooks.windowId())}/documents/${encodeURIComponent(result.id)}/print`);
      anchor.textContent = `${anchor.textContent} — 已在窗口打印机打印，点此改用 A4`;
    } catch (error) {
      root.open(anchor.href, "_blank", "noopener");
    }
  }

  root.CounterCases = {
    init(options) {
      hooks = options;
      build();
    },
    show, finishBody, finished,
  };
})(window);
