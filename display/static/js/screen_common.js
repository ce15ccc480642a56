/*
 * What the lobby display and the window screen share: their config from the page, the site's public
 * stream (anonymous: numbers and windows, no ticket ids), the sound, the connection badge and the
 * problem line.
 *
 *   const screen = ScreenCommon.start({onSnapshot, onCall, onEvent});
 *   screen.config, screen.stream, screen.sound
 *   ScreenCommon.stillCalled(snapshot.windows, call)   // announce a call missed while away?
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

  // A call made while the screen was away (handed over after the snapshot with live: false) is announced only
  // while its ticket is still being called at its window, as the snapshot's windows (the hall now) say: a
  // number served or gone meanwhile, read out late, would only send someone to the wrong place — and after a
  // long outage every missed call would be read out before the next live one.
  function stillCalled(windows, call) {
    const now = (windows || {})[call.window];
    return Boolean(now && now.current && now.current.ticket === call.ticket && now.current.status === "called");
  }

  root.ScreenCommon = { start, readConfig, showProblem, deviceToken, stillCalled };
})(typeof window !== "undefined" ? window : globalThis);
