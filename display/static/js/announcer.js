/*
 * Announcer: says calls aloud in Mandarin on a hall screen — "请A012号到5号窗口办理".
 *
 * Calls are queued and played one after another, never overlapping and never cut off:
 * the chime, then the call's clips from the voice pack (decoded once, scheduled back to back
 * on one AudioContext), repeated as configured. Mode "speech" uses the browser's zh-CN voice
 * when it has one and falls back to the clips.
 *
 * The text of a call is worked out exactly as display/voice/speech.py does it; keep the two
 * in step (tests/e2e/test_announcer.py compares them).
 *
 *   const announcer = new Announcer({packUrl: "/static/display/voice/default/", repeat: 2,
 *                                    onStatus: (status) => report(status)});
 *   announcer.announce({ticket: "A012", window: "5"});
 *   button.onclick = () => announcer.unlock();   // when onStatus said "blocked"
 */
(function (root) {
  "use strict";

  const DIGITS = "零一二三四五六七八九";
  const PLACES = ["", "十", "百", "千"];
  const SLOTS = ["ticket", "window"];
  const CHIME = "chime";
  const DEFAULT_TEMPLATE = "请{ticket}号到{window}号窗口办理";
  const DEFAULT_PAUSES_MS = { between_clips: 20, after_chime: 250, between_repeats: 800 };
  const RESUME_WAIT_MS = 400; // how long an AudioContext may take to resume before we call it blocked
  const SKIP_COST = 1000; // in lenient cutting, leaving a character unsaid costs more than any clip

  // ---- what a call says (mirror of display/voice/speech.py) ----

  function readDigits(digits) {
    return Array.from(digits, (digit) => DIGITS[Number(digit)]).join("");
  }

  // Runs with a leading zero or more than four digits are labels: read digit by digit.
  function readInteger(digits) {
    if (digits.length > 4 || (digits.length > 1 && digits[0] === "0")) return readDigits(digits);
    const value = Number(digits);
    if (value === 0) return DIGITS[0];
    const spoken = [];
    let zeroPending = false;
    for (let place = digits.length - 1; place >= 0; place -= 1) {
      const digit = Math.floor(value / 10 ** place) % 10;
      if (digit === 0) {
        zeroPending = spoken.length > 0;
        continue;
      }
      if (zeroPending) {
        spoken.push(DIGITS[0]);
        zeroPending = false;
      }
      spoken.push(DIGITS[digit] + PLACES[place]);
    }
    const text = spoken.join("");
    return text.startsWith("一十") ? text.slice(1) : text; // 十二, not 一十二
  }

  const isLetter = (character) => character >= "A" && character <= "Z";
  const isDigit = (character) => character >= "0" && character <= "9";
  const isIdeograph = (character) => character >= "\u4e00" && character <= "\u9fff";

  function ticketReading(number) {
    const cleaned = String(number ?? "").trim().toUpperCase();
    if (!cleaned) throw new Error("号票号码为空 / empty ticket number");
    return Array.from(cleaned, (character) => {
      if (isLetter(character)) return character;
      if (isDigit(character)) return DIGITS[Number(character)];
      throw new Error(`号票号码只能含字母和数字: ${number} / ticket number may hold only letters and digits`);
    }).join("");
  }

  function windowReading(number) {
    const cleaned = String(number ?? "").trim().toUpperCase();
    if (!cleaned) throw new Error("窗口号为空 / empty window number");
    const spoken = [];
    let digits = "";
    for (const character of cleaned) {
      if (isDigit(character)) {
        digits += character;
        continue;
      }
      if (digits) {
        spoken.push(readInteger(digits));
        digits = "";
      }
      if (!isLetter(character) && !isIdeograph(character)) {
        throw new Error(
          `窗口号只能含字母、数字和汉字: ${number} / window number may hold only letters, digits and Chinese characters`,
        );
      }
      spoken.push(character);
    }
    if (digits) spoken.push(readInteger(digits));
    return spoken.join("");
  }

  // Split "请{ticket}号到{window}号窗口办理" into [{text}, {slot}, ...]; {{ and }} are literal braces.
  function parseTemplate(template) {
    if (!template || !template.trim()) throw new Error("叫号模板为空 / empty call template");
    const parts = [];
    let literal = "";
    for (let index = 0; index < template.length; index += 1) {
      const character = template[index];
      if ((character === "{" || character === "}") && template[index + 1] === character) {
        literal += character;
        index += 1;
      } else if (character === "{") {
        const close = template.indexOf("}", index);
        if (close < 0) throw new Error(`叫号模板括号不成对: ${template} / unbalanced braces`);
        const slot = template.slice(index + 1, close);
        if (!SLOTS.includes(slot)) {
          throw new Error(`叫号模板只能使用 {ticket} 和 {window}: ${template} / unknown placeholder {${slot}}`);
        }
        if (literal) parts.push({ text: literal });
        literal = "";
        parts.push({ slot });
        index = close;
      } else if (character === "}") {
        throw new Error(`叫号模板括号不成对: ${template} / unbalanced braces`);
      } else {
        literal += character;
      }
    }
    if (literal) parts.push({ text: literal });
    if (!parts.some((part) => part.slot === "ticket")) {
      throw new Error(`叫号模板缺少 {ticket}: ${template} / the template must say the ticket`);
    }
    return parts;
  }

  function fill(parts, ticket, window) {
    return parts.map((part) => {
      if (part.slot === "ticket") return ticketReading(ticket);
      if (part.slot === "window") return windowReading(window);
      return part.text;
    });
  }

  function callText(template, ticket, window) {
    return fill(parseTemplate(template), ticket, window).join("");
  }

  function clipIndex(manifest) {
    const byText = new Map();
    for (const [name, clip] of Object.entries(manifest.clips)) byText.set(clip.text, name);
    const lengths = [...new Set([...byText.keys()].map((text) => text.length))].sort((a, b) => b - a);
    return { byText, lengths };
  }

  // Cut text into the fewest clips (longer phrases sound more natural). Strict: throw on a
  // character no clip can say. Lenient: leave such characters out and list them in `missing`.
  function clipsForText(text, manifest, lenient = false, missing = []) {
    const { byText, lengths } = clipIndex(manifest);
    const fewest = new Array(text.length + 1).fill(null);
    const choice = new Array(text.length).fill(0);
    fewest[text.length] = 0;
    for (let start = text.length - 1; start >= 0; start -= 1) {
      for (const length of lengths) {
        const rest = start + length <= text.length ? fewest[start + length] : null;
        if (rest === null || !byText.has(text.slice(start, start + length))) continue;
        if (fewest[start] === null || rest + 1 < fewest[start]) {
          fewest[start] = rest + 1;
          choice[start] = length;
        }
      }
      const skipping = fewest[start + 1] === null ? null : fewest[start + 1] + SKIP_COST;
      if (lenient && skipping !== null && (fewest[start] === null || skipping < fewest[start])) {
        fewest[start] = skipping;
        choice[start] = -1; // skip this character
      }
    }
    if (fewest[0] === null) {
      throw new Error(`语音包“${manifest.name}”缺少“${text}”中某个字的录音 / voice pack has no clip for part of ${text}`);
    }
    const names = [];
    for (let position = 0; position < text.length; ) {
      if (choice[position] === -1) {
        missing.push(text[position]);
        position += 1;
        continue;
      }
      names.push(byText.get(text.slice(position, position + choice[position])));
      position += choice[position];
    }
    return names;
  }

  function callClips(template, ticket, window, manifest, lenient = false, missing = []) {
    const names = manifest.chime ? [CHIME] : [];
    for (const text of fill(parseTemplate(template), ticket, window)) {
      names.push(...clipsForText(text, manifest, lenient, missing));
    }
    return names;
  }

  // ---- playing calls ----

  const delay = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

  class Announcer {
    constructor(options = {}) {
      this.packUrl = String(options.packUrl || "/static/display/voice/default/").replace(/\/?$/, "/");
      this.template = options.template || DEFAULT_TEMPLATE;
      parseTemplate(this.template); // a bad template fails here, not at the first call
      this.mode = options.mode === "speech" ? "speech" : "clips";
      this.repeat = Math.max(1, Math.floor(Number(options.repeat) || 1));
      this.onStatus = typeof options.onStatus === "function" ? options.onStatus : () => {};
      // a call still waiting this long (sound blocked for minutes) is stale: it is set aside in
      // `skipped` instead of being shouted into a hall that has moved on; null keeps every call
      this.maxAgeMs = options.maxAgeMs === undefined ? 180000 : options.maxAgeMs;
      this.speechRate = options.speechRate || 0.9;
      // a lobby TV runs for weeks: keep the latest entries of history and skipped, not all of them
      this.keep = options.keep || 500;

      this.queue = []; // pending: {ticket, window, queuedAt}
      this.history = []; // started or played: {ticket, window, clips, text, mode, repeat, at, startedAt, endedAt}
      this.skipped = []; // never played: {ticket, window, reason}
      this.state = "loading"; // loading | idle | playing | blocked | no_voice
      this.status = null; // last status reported: ok | blocked | no_voice
      this.manifest = null;
      this.buffers = new Map(); // clip name -> decoded AudioBuffer
      this.voice = null; // speechSynthesis voice for mode "speech"

      const AudioContextClass = root.AudioContext || root.webkitAudioContext;
      this.context = options.audioContext || (AudioContextClass ? new AudioContextClass() : null);
      this._running = false;
      this._unlockWaiters = [];
      this._idleWaiters = [];
      if (this.context) {
        this.context.addEventListener("statechange", () => {
          if (this.context.state === "running") this._releaseUnlockWaiters();
        });
      }
      if (options.unlockOnGesture !== false && root.document) {
        // any touch or key on the screen counts as the click a browser wants before it plays sound
        const unlock = () => this.unlock();
        for (const type of ["pointerdown", "keydown", "touchend"]) {
          root.document.addEventListener(type, unlock, { capture: true, passive: true });
        }
      }
      this.ready = this._load();
    }

    // Queue a call; resolves with its history entry when it has been played (or null if skipped).
    announce({ ticket, window }) {
      callText(this.template, ticket, window); // refuse a malformed call now, while the caller can see why
      return new Promise((resolve) => {
        this.queue.push({ ticket: String(ticket), window: String(window ?? ""), queuedAt: Date.now(), resolve });
        this._pump();
      });
    }

    // Resume sound after the browser blocked it; call from a click or key handler.
    async unlock() {
      if (this.mode === "speech" && root.speechSynthesis) {
        // a silent utterance inside the gesture grants speech the same permission
        root.speechSynthesis.speak(new root.SpeechSynthesisUtterance(""));
      }
      if (this.context && this.context.state === "suspended") {
        try {
          await this.context.resume();
        } catch (error) {
          console.warn("announcer: resume failed", error);
        }
      }
      if (this.status === "blocked" && (!this.context || this.context.state === "running")) {
        if (this.state === "blocked" && this._unlockWaiters.length === 0) this._setState("idle");
        this._report("ok"); // sound plays now, even with no call waiting to prove it
      }
      // a waiting call tries again; if sound is still blocked it simply waits for the next unlock()
      this._releaseUnlockWaiters();
    }

    // Resolves once nothing is queued or playing.
    idle() {
      if (!this._running && this.queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => this._idleWaiters.push(resolve));
    }

    clipsFor(ticket, window, missing = []) {
      return callClips(this.template, ticket, window, this.manifest, true, missing);
    }

    async _load() {
      try {
        await Promise.all([this._loadPack(), this.mode === "speech" ? this._findVoice() : null]);
      } catch (error) {
        console.error("announcer: no voice found", error);
      }
      if (!this.manifest && !this.voice) {
        this._setState("no_voice");
        return;
      }
      this._setState("idle");
      if (this.context && this.manifest && !this.voice && !(await this._resumeContext())) {
        this._setState("blocked"); // tell the page at once, so staff can enable sound before the first call
      } else {
        this._report("ok");
      }
    }

    async _loadPack() {
      if (!this.context) return;
      try {
        const response = await fetch(this.packUrl + "manifest.json", { cache: "no-cache" });
        if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
        const manifest = await response.json();
        if (!manifest || typeof manifest.clips !== "object") throw new Error("manifest.json has no clips");
        manifest.pauses_ms = Object.assign({}, DEFAULT_PAUSES_MS, manifest.pauses_ms);
        const files = Object.entries(manifest.clips).map(([name, clip]) => [name, clip.file]);
        if (manifest.chime) files.push([CHIME, manifest.chime]);
        await Promise.all(files.map(async ([name, file]) => this.buffers.set(name, await this._decode(file))));
        this.manifest = manifest;
      } catch (error) {
        console.error("announcer: voice pack not loaded from " + this.packUrl, error);
        this.buffers.clear();
      }
    }

    async _decode(file) {
      const response = await fetch(this.packUrl + file);
      if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
      const data = await response.arrayBuffer();
      // the callback form also works in older Safari, which has no promise-returning decodeAudioData
      return new Promise((resolve, reject) => this.context.decodeAudioData(data, resolve, reject));
    }

    async _findVoice() {
      const synthesis = root.speechSynthesis;
      if (!synthesis) return;
      let voices = synthesis.getVoices();
      if (voices.length === 0) {
        // voices arrive asynchronously in Chrome; give them a moment
        await Promise.race([
          new Promise((resolve) => synthesis.addEventListener("voiceschanged", resolve, { once: true })),
          delay(1000),
        ]);
        voices = synthesis.getVoices();
      }
      const chinese = voices.filter((voice) => /^(zh|cmn)([-_](CN|Hans))?/i.test(voice.lang));
      this.voice = chinese.find((voice) => /^zh[-_]CN$/i.test(voice.lang)) || chinese[0] || null;
    }

    async _resumeContext() {
      if (this.context.state === "running") return true;
      if (this.context.state === "closed") return false;
      // resume() stays pending for ever when autoplay is not allowed; do not wait on it alone
      await Promise.race([this.context.resume().catch(() => {}), delay(RESUME_WAIT_MS)]);
      return this.context.state === "running";
    }

    _releaseUnlockWaiters() {
      const waiters = this._unlockWaiters.splice(0);
      waiters.forEach((resolve) => resolve());
    }

    _waitForUnlock() {
      this._setState("blocked");
      return new Promise((resolve) => this._unlockWaiters.push(resolve));
    }

    _report(status) {
      if (status === this.status) return;
      this.status = status;
      try {
        this.onStatus(status);
      } catch (error) {
        console.error("announcer: onStatus failed", error);
      }
    }

    _setState(state) {
      this.state = state;
      if (state === "blocked" || state === "no_voice") this._report(state);
    }

    async _pump() {
      if (this._running) return;
      this._running = true;
      try {
        await this.ready;
        while (this.queue.length > 0) {
          let done;
          try {
            done = await this._playItem(this.queue[0]);
          } catch (error) {
            console.error("announcer: call not played", error);
            this._skip(this.queue[0], "error");
            done = true;
          }
          if (done) this.queue.shift(); // a blocked call stays first in line until sound is allowed
        }
      } finally {
        this._running = false;
        if (this.state === "playing") this._setState("idle");
        this._idleWaiters.splice(0).forEach((resolve) => resolve());
      }
    }

    _skip(item, reason) {
      this._remember(this.skipped, { ticket: item.ticket, window: item.window, reason, at: new Date().toISOString() });
      item.resolve(null);
    }

    _remember(list, entry) {
      list.push(entry);
      if (list.length > this.keep) list.splice(0, list.length - this.keep);
    }

    // Play (or set aside) one call: true when it is done with, false when sound turned out to be
    // blocked and the call must wait for unlock() and be tried again.
    async _playItem(item) {
      if (!this.manifest && !this.voice) {
        this._skip(item, "no_voice");
        return true;
      }
      const missing = [];
      const text = callText(this.template, item.ticket, item.window);
      const clips = this.manifest ? this.clipsFor(item.ticket, item.window, missing) : [];
      const useSpeech = Boolean(this.voice && (this.mode === "speech" || !this.manifest || missing.length > 0));
      if (!useSpeech && !(await this._resumeContext())) {
        await this._waitForUnlock();
        return false;
      }
      // checked once sound is allowed: the wait for a click may have taken minutes
      if (this.maxAgeMs !== null && Date.now() - item.queuedAt > this.maxAgeMs) {
        this._skip(item, "stale");
        return true;
      }
      const entry = {
        ticket: item.ticket,
        window: item.window,
        clips,
        text,
        mode: useSpeech ? "speech" : "clips",
        repeat: this.repeat,
        at: new Date().toISOString(),
        startedAt: performance.now(),
        endedAt: null,
      };
      if (missing.length > 0) entry.missing = missing;
      this._remember(this.history, entry);
      this._setState("playing");
      const finished = useSpeech ? await this._speak(text, clips) : await this._playClips(clips);
      if (!finished) {
        const index = this.history.indexOf(entry);
        if (index >= 0) this.history.splice(index, 1); // it never got to play
        await this._waitForUnlock();
        return false;
      }
      entry.endedAt = performance.now();
      this._report("ok");
      item.resolve(entry);
      return true;
    }

    // Schedule the chime and every repetition on the audio clock and wait for the last one to end.
    _playClips(clips) {
      const pauses = this.manifest.pauses_ms;
      const call = clips.filter((name) => name !== CHIME);
      let when = this.context.currentTime + 0.05;
      let last = null;
      const play = (name) => {
        const source = this.context.createBufferSource();
        source.buffer = this.buffers.get(name);
        source.connect(this.context.destination);
        source.start(when);
        when += source.buffer.duration;
        last = source;
      };
      if (clips[0] === CHIME) {
        play(CHIME);
        when += pauses.after_chime / 1000;
      }
      for (let round = 0; round < this.repeat; round += 1) {
        if (round > 0) when += pauses.between_repeats / 1000;
        call.forEach((name, index) => {
          if (index > 0) when += pauses.between_clips / 1000;
          play(name);
        });
      }
      if (!last) return Promise.resolve(true);
      return new Promise((resolve) => {
        last.onended = () => resolve(true);
      });
    }

    async _speak(text, clips) {
      if (clips[0] === CHIME && this.context && (await this._resumeContext())) {
        await this._playClips([CHIME]);
        await delay(this.manifest.pauses_ms.after_chime);
      }
      for (let round = 0; round < this.repeat; round += 1) {
        if (round > 0) await delay(this.manifest ? this.manifest.pauses_ms.between_repeats : 800);
        const outcome = await new Promise((resolve) => {
          const utterance = new root.SpeechSynthesisUtterance(text);
          utterance.lang = this.voice.lang;
          utterance.voice = this.voice;
          utterance.rate = this.speechRate;
          utterance.onend = () => resolve("ended");
          utterance.onerror = (event) => resolve(event.error || "error");
          root.speechSynthesis.speak(utterance);
        });
        if (outcome === "not-allowed") return false;
        if (outcome !== "ended") console.warn("announcer: speech ended with", outcome);
      }
      return true;
    }
  }

  Announcer.speech = { ticketReading, windowReading, parseTemplate, callText, callClips, clipsForText };
  root.Announcer = Announcer;
})(typeof window !== "undefined" ? window : globalThis);
