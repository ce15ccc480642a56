/* 领取办件结果 on the kiosk: a tile on the home screen opens a screen where the citizen scans the QR code of
   the 受理通知书 (a scanner types its address and Enter) or types the case number on the keypad; the server
   answers a ticket of the site's 综合出件 queue linked to the case (POST /sites/<site>/pickups), shown and
   printed like any ticket. A kiosk module: kiosk.js hands it its hooks (show, showTicket, openDialog, …). */
(function () {
  "use strict";

  const TEXT = {
    zh: { tile: "领取办件结果", tile_note: "扫描受理通知书二维码或输入办件编号", title: "领取办件结果",
      prompt: "请将受理通知书上的二维码对准扫描口，或输入办件编号", placeholder: "办件编号（12位数字）",
      submit: "取领取号", clear: "清空", delete: "删除", failed: "未能取号", empty: "请先输入办件编号" },
    en: { tile: "Collect a result", tile_note: "Scan the notice's QR code or type the case number",
      title: "Collect a case result", prompt: "Hold the QR code of your acceptance notice to the scanner, or type the case number",
      placeholder: "Case number (12 digits)", submit: "Take a pickup ticket", clear: "Clear", delete: "Delete",
      failed: "No ticket issued", empty: "Type the case number first" },
  };

  function pickupModule(kiosk) {
    const { element } = PageKit;
    const t = (key) => TEXT[kiosk.lang()][key] || TEXT.zh[key];
    let busy = false;

    const tile = element("button", "tile tile-module", null, element("span", "tile-name", t("tile")),
      element("span", "tile-count", t("tile_note")));
    tile.type = "button";
    tile.id = "pickup-tile";
    const input = element("input", "search-input pickup-input");
    input.id = "pickup-input";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("inputmode", "none");
    const submit = element("button", "issue-button pickup-submit", t("submit"));
    submit.type = "button";
    submit.id = "pickup-submit";
    const pad = element("div", "keyboard pickup-pad");
    const rows = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["clear", "0", "delete"]];
    rows.forEach((keys) => {
      const row = element("div", "key-row");
      keys.forEach((key) => {
        const button = element("button", key.length > 1 ? "key key-wide" : "key", key.length > 1 ? t(key) : key);
        button.type = "button";
        button.dataset.key = key;
        row.append(button);
      });
      pad.append(row);
    });
    const back = element("button", "back", null);
    back.type = "button";
    back.textContent = kiosk.lang() === "en" ? "‹ Back" : "‹ 返回";
    const title = element("h1", null, t("title"));
    const screen = element("section", "screen", null,
      element("div", "screen-head", null, back, title),
      element("p", "pickup-prompt", t("prompt")),
      element("div", "pickup-row", null, input, submit), pad);
    screen.id = "screen-pickup";
    screen.hidden = true;
    document.getElementById("screens").append(screen);
    kiosk.addTile(tile);

    function open() {
      input.value = "";
      input.placeholder = t("placeholder");
      kiosk.show("pickup");
      input.focus();
    }

    async function take() {
      const value = input.value.trim();
      if (busy) return;
      if (!value) return kiosk.openDialog(t("failed"), t("empty"));
      busy = true;
      submit.disabled = true;
      const headers = { "Content-Type": "application/json" };
      if (kiosk.token) headers["X-Kiosk-Token"] = kiosk.token;
      try {
        const response = await fetch(`/api/v1/sites/${encodeURIComponent(kiosk.site)}/pickups`, {
          method: "POST", headers, body: JSON.stringify({ case: value, kiosk: kiosk.kiosk }), cache: "no-store",
        });
        const body = await response.json().catch(() => null);
        if (response.status === 201 && body) {
          kiosk.showTicket(body);
        } else {
          const message = body && body.error ? body.error.message : kiosk.t("network_error");
          kiosk.openDialog(t("failed"), message);
        }
      } catch (error) {
        kiosk.openDialog(t("failed"), kiosk.t("network_error"));
      } finally {
        busy = false;
        submit.disabled = false;
      }
    }

    // The kiosk's language button sets <html lang>: the module's words follow it.
    function applyText() {
      tile.querySelector(".tile-name").textContent = t("tile");
      tile.querySelector(".tile-count").textContent = t("tile_note");
      title.textContent = t("title");
      screen.querySelector(".pickup-prompt").textContent = t("prompt");
      submit.textContent = t("submit");
      input.placeholder = t("placeholder");
      back.textContent = kiosk.lang() === "en" ? "‹ Back" : "‹ 返回";
      pad.querySelectorAll(".key-wide").forEach((key) => { key.textContent = t(key.dataset.key); });
    }
    new MutationObserver(applyText).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

    tile.addEventListener("click", open);
    back.addEventListener("click", kiosk.back);
    submit.addEventListener("click", take);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") take(); // a scanner ends the QR's address with Enter
    });
    pad.addEventListener("click", (event) => {
      const key = event.target.closest("[data-key]");
      if (!key) return;
      if (key.dataset.key === "clear") input.value = "";
      else if (key.dataset.key === "delete") input.value = input.value.slice(0, -1);
      else input.value += key.dataset.key;
      input.focus();
    });
  }

  (window.kioskModules = window.kioskModules || []).push(pickupModule);
})();
