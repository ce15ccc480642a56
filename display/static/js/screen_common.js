/*
 * What the lobby display and the window screen share: their config from the page, the site's public
 * stream (anonymous: numbers and windows, no ticket ids), the sound, the connection badge and the
 * problem line.
 *
 *   const screen = ScreenCommon.start({onSnapshot, onCall, onEvent});
 *   screen.config, screen.stream, screen.sound
 */
(function (root) {
  "use strict";

  const { $ } = root.PageKit;

  function readConfig() {
    return root.PageKit.readConfig("screen-config");
  }

  function showConnection(state) {
    const badge = $("connection");
    badge.dataset.state = state;
    badge.textContent = root.PageKit.connectionText(state, { live: "" }); // a screen in step says nothing
  }

  function showProblem(message) {
    const line = $("problem");
    line.textContent = message;
    line.hidden = !message;
  }

  // The screen's device token, from its address (…/display/<site>/<display>#token=…): never sent to the
  // server with the page request, only in its screen_status reports.
  function deviceToken() {
    return new URLSearchParams(root.location.hash.slice(1)).get("token");
  }

  function start(handlers) {
    const config = readConfig();
    const sound = new root.ScreenSound(config, {
      button: $("sound-button"),
      onProblem: showProblem,
      token: deviceToken(),
    });
    const stream = new root.SiteStream({
      site: config.site,
      display: config.kind === "lobby" ? config.display : null,
      batch: true, // one frame per commit (server/publisher.py)
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

  root.ScreenCommon = { start, readConfig, showProblem, deviceToken };
})(typeof window !== "undefined" ? window : globalThis);
