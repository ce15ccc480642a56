/*
 * PageKit: what every page of the hall (kiosk, phone, counter, screens) does the same way — reading
 * its config, building DOM nodes, filling texts, the hall's clock, the names of the server's codes.
 *
 *   const { $, element } = PageKit;
 *   const config = PageKit.readConfig("counter-config");
 *   PageKit.fill("前面还有 {ahead} 人", { ahead: 3 });        // "前面还有 3 人"
 *   const clock = PageKit.hallClock(config.timezone);        // clock.time(date) "09:05"
 *   PageKit.term(config.vocabulary, "outcome", "accepted");  // {zh: "受理通知书", en: …}
 */
(function (root) {
  "use strict";

  const CONNECTION_TEXT = {
    connecting: "正在连接…",
    syncing: "正在同步…",
    live: "已连接",
    offline: "连接中断，正在重新连接…",
  };

  function $(id) {
    return document.getElementById(id);
  }

  // <tag class="className">text</tag>; children (nodes or strings) appended in order.
  function element(tag, className, text, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    if (children.length) node.append(...children);
    return node;
  }

  // The JSON a page's template puts in <script type="application/json" id="...">.
  function readConfig(id) {
    return JSON.parse($(id).textContent);
  }

  // "{name}" in text replaced by vars.name, every time it occurs.
  function fill(text, vars) {
    let result = String(text);
    Object.entries(vars || {}).forEach(([name, value]) => { result = result.split(`{${name}}`).join(value); });
    return result;
  }

  // The hall's time, whatever the time zone of the PC or phone showing it.
  function hallClock(timezone) {
    const zone = timezone || undefined;
    const time = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false });
    const seconds = new Intl.DateTimeFormat("zh-CN", {
      timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
    });
    const date = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, month: "long", day: "numeric", weekday: "long" });
    const at = (value) => (value instanceof Date ? value : new Date(value));
    return {
      time: (value = new Date()) => time.format(at(value)), // 09:05
      seconds: (value) => (value ? seconds.format(at(value)) : "—"), // 09:05:31; "—" for no time
      date: (value = new Date()) => date.format(at(value)), // 3月2日星期一
    };
  }

  // The entry of a code in one of the vocabularies the server sends (server/vocabulary.py), or a
  // stand-in naming the code itself, so a code the page does not know yet still shows.
  function term(vocabulary, group, code) {
    const found = vocabulary && vocabulary[group] && vocabulary[group][code];
    return found || { zh: String(code), en: String(code), unknown: true };
  }

  // The codes of a vocabulary whose entry satisfies test(entry).
  function codes(vocabulary, group, test) {
    return Object.entries((vocabulary && vocabulary[group]) || {})
      .filter(([, entry]) => !test || test(entry))
      .map(([code]) => code);
  }

  // Window numbers of window ids, as people read them on the signs ("17"); an unknown id shows as is.
  function windowNumbers(ids, windowsById) {
    return (ids || []).map((id) => ((windowsById && windowsById[id]) || { number: id }).number);
  }

  // "17号窗口": a window's number as people read it on the sign.
  function windowLabel(number) {
    return `${number}号窗口`;
  }

  // A staff page's login form (counter, board, back office): on submit, POST /auth/login with the name and
  // password, set api.token, then onLogin(); a refusal is said with say(message, "error"). The form is
  // rendered with method="post" and its button disabled, and the button is enabled only here, once the
  // handler is attached: a click before the script runs never submits the password in a URL.
  function staffLogin(api, { onLogin, say }) {
    const form = $("login-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const answer = await api.request("POST", "/auth/login", {
          username: $("login-username").value.trim(), password: $("login-password").value,
        });
        api.token = answer.token;
        $("login-password").value = "";
        await onLogin(answer);
      } catch (error) {
        say(error.message, "error", error);
      }
    });
    form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = false; });
  }

  // A signed-in staff page (board, back office): its login form (staffLogin), its "log out" button, and the
  // switch between #login-view and the page's own view. show() asks the server who the token is and then
  // runs onShow(me); a refused token goes back to the login, saying why. hideUser keeps #user-box hidden
  // (the read-only wall view).
  function staffPage(api, { view, say, onShow, hideUser = false }) {
    function showLogin(message) {
      api.token = null;
      $(view).hidden = true;
      $("user-box").hidden = true;
      $("login-view").hidden = false;
      if (message) say(message, "error");
    }
    async function show() {
      let me;
      try {
        me = await api.request("GET", "/auth/me");
      } catch (error) {
        return showLogin(error.message);
      }
      $("user-name").textContent = me.username;
      $("user-box").hidden = hideUser;
      $("login-view").hidden = true;
      $(view).hidden = false;
      await onShow(me);
    }
    staffLogin(api, {
      async onLogin() {
        say("");
        await show();
      },
      say,
    });
    $("logout").addEventListener("click", () => showLogin(""));
    return {
      showLogin,
      show,
      start: () => (api.token ? show() : showLogin("")),
      // a stream error that ends the login (the token is no longer good for this site)
      endsLogin: (error) => ["invalid_token", "token_expired", "forbidden_site"].includes(error.code),
    };
  }

  function connectionText(state, overrides) {
    const texts = Object.assign({}, CONNECTION_TEXT, overrides || {});
    return texts[state] ?? state;
  }

  root.PageKit = {
    $, element, readConfig, fill, hallClock, term, codes, windowNumbers, windowLabel, connectionText, staffLogin,
    staffPage,
  };
})(typeof window !== "undefined" ? window : globalThis);
