/*
 * ScreenSound: the voice of a screen. Builds the Announcer (announcer.js) from the screen's voice
 * config, shows the "点击开启声音" button while the browser blocks sound, and reports the audio
 * state to the server (`screen_status`) after every (re)connect and every change, so the clerks
 * hear of a muted TV. Only a screen opened with its device token (`#token=…` in its address) reports:
 * the server refuses reports without it; a screen told to slow down reports again after `retry_after`.
 *
 *   const sound = new ScreenSound(config, {button, stream, token});
 *   sound.announce(call);     // a `called` event
 *   sound.report();           // after the stream is live again
 */
(function (root) {
  "use strict";

  const KEPT_ANNOUNCED = 200; // a TV runs for weeks: the newest calls handed to the announcer are enough

  class ScreenSound {
    constructor(config, { button, stream, onProblem, token }) {
      this.config = config;
      this.button = button;
      this.stream = stream || null;
      this.token = token || null;
      this._retryTimer = null;
      this.onProblem = onProblem || ((message) => console.error(message));
      this.announcer = null;
      this.status = null; // ok | blocked | no_voice; null while the voice pack loads
      this.announced = []; // {seq, ticket, window}: the calls handed to the announcer, in order (the newest 200)
      const voice = config.voice || {};
      if (!voice.enabled) {
        this.status = "no_voice";
        return;
      }
      if (typeof root.Announcer !== "function") {
        this.status = "no_voice";
        this.onProblem("语音模块未加载，无法播报 / announcer.js is not loaded");
        return;
      }
      try {
        this.announcer = new root.Announcer({
          packUrl: voice.pack_url,
          repeat: voice.repeat,
          template: voice.template,
          mode: voice.mode,
          onStatus: (status) => this._setStatus(status),
        });
      } catch (error) {
        this.status = "no_voice";
        this.onProblem(`语音播报无法启动：${error.message}`);
        return;
      }
      if (button) {
        button.addEventListener("click", () => this.announcer.unlock());
      }
      // The announcer says "ok" again only once a call has played; sound that is allowed again
      // (the button, or any touch on the screen) is good news to pass on at once.
      const context = this.announcer.context;
      if (context) {
        context.addEventListener("statechange", () => {
          if (context.state === "running" && this.status === "blocked") this._setStatus("ok");
        });
      }
    }

    attach(stream) {
      this.stream = stream;
      if (stream.socket) stream.socket.on("screen_status_error", (payload) => this._refused(payload));
    }

    announce(call) {
      if (!this.announcer) return;
      this.announced.push({ seq: call.seq, ticket: call.ticket, window: call.window_number });
      if (this.announced.length > KEPT_ANNOUNCED) this.announced.splice(0, this.announced.length - KEPT_ANNOUNCED);
      try {
        this.announcer.announce({ ticket: call.ticket, window: call.window_number });
      } catch (error) {
        this.onProblem(`无法播报 ${call.ticket}：${error.message}`); // a malformed number is refused at once
      }
    }

    report() {
      // Without a token this is a viewer, not the hall's screen: it shows the calls and says nothing.
      if (!this.stream || this.status === null || !this.token) return;
      clearTimeout(this._retryTimer);
      this.stream.emit("screen_status", {
        site: this.config.site,
        display: this.config.display,
        kind: this.config.kind,
        audio: this.status,
        token: this.token,
      });
    }

    _refused(payload) {
      const error = (payload && payload.error) || {};
      if (error.code === "too_many_reports") {
        clearTimeout(this._retryTimer);
        this._retryTimer = setTimeout(() => this.report(), (error.retry_after || 1) * 1000);
      } else {
        this.onProblem(`${error.message}（${error.code}）`); // a wrong token: the installer sees why at once
      }
    }

    _setStatus(status) {
      this.status = status;
      if (this.button) this.button.hidden = status !== "blocked";
      this.report();
    }
  }

  root.ScreenSound = ScreenSound;
})(typeof window !== "undefined" ? window : globalThis);
