/*
 * What the lobby display and the window screen share: their config from the page, the stream of
 * the site, the sound, the connection badge and the problem line.
 *
 *   const screen = ScreenCommon.start({onSnapshot, onCall, onEvent});
 *   screen.config, screen.stream, screen.sound
 */
(function (root) {
  "use strict";

  const CONNECTION_TEXT = {
    connecting: "正在连接…",
    syncing: "正在同步…",
    live: "",
    offline: "连接中断，正在重新连接…",
  };

  function readConfig() {
    return JSON.parse(document.getElementById("screen-config").textContent);
  }

  function showConnection(state) {
    const badge = document.getElementById("connection");
    badge.dataset.state = state;
    badge.textContent = CONNECTION_TEXT[state] ?? state;
  }

  function showProblem(message) {
    const line = document.getElementById("problem");
    line.textContent = message;
    line.hidden = !message;
  }

  function start(handlers) {
    const config = readConfig();
    const sound = new root.ScreenSound(config, {
      button: document.getElementById("sound-button"),
      onProblem: showProblem,
    });
    const stream = new root.SiteStream({
      site: config.site,
      display: config.kind === "lobby" ? config.display : null,
      onSnapshot: handlers.onSnapshot,
      onCall: handlers.onCall,
      onEvent: handlers.onEvent,
      onConnection(state) {
        showConnection(state);
        if (state === "live") sound.report(); // a new connection is a new screen to the server
      },
      onError(error) {
        showProblem(`${error.message}（${error.code}）`);
      },
    });
    sound.attach(stream);
    window.announcer = sound.announcer;
    return { config, stream, sound };
  }

  // "17号窗口": a window's number as people read it on the sign.
  function windowLabel(number) {
    return `${number}号窗口`;
  }

  root.ScreenCommon = { start, readConfig, showProblem, windowLabel };
})(typeof window !== "undefined" ? window : globalThis);
