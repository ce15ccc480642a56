/*
 * SiteStream: a site's events, in seq order, with nothing missed and nothing twice — for every page
 * that follows the hall live (lobby display, window screen, counter, kiosk, phone status page).
 *
 * The protocol (see server/realtime.py):
 *   - on every connect, emit `subscribe {site, display?, token?, ticket?, kiosk?, after?}`; the server
 *     answers a `snapshot` and then streams the events of the subscriber's audience, each with that
 *     stream's next `seq`: without a token the public stream (what a lobby may show: no ticket ids,
 *     no clerks), with a staff token the staff stream (everything); each counts its own seq;
 *   - `ticket` adds that ticket's `ticket` events, `kiosk` that kiosk's `printer` and `print_job`
 *     events; they carry no seq and go straight to onEvent (so does anything else without one);
 *   - `batch: true` (the hall's screens) asks for one `events {seq, last, events: [[kind, payload], …]}`
 *     frame per commit instead of one frame per event; each is taken apart here, so the handlers below
 *     see the same events either way;
 *   - each subscribe carries `request` (its count), which the snapshot echoes: only the answer to the
 *     latest subscribe is taken;
 *   - events that arrive before the snapshot are buffered, then replayed; any with seq <= the
 *     snapshot's are dropped (the snapshot already holds them);
 *   - an event ahead of a missing seq is held up to HOLD_MS (events of two server processes may
 *     cross on the way); if the gap is still there, subscribe again for a fresh snapshot;
 *   - after a snapshot, its calls with seq > the last seq seen that were not shown yet are handed
 *     to onCall (shown and announced: no call lost); calls seen before are not (no call twice);
 *   - a new token (login, logout) changes the audience, and with it the seq count: the stream
 *     subscribes again and takes the next snapshot as a first one.
 *
 *   const stream = new SiteStream({
 *     site: "county", display: "lobby",            // display only for a configured display
 *     token, ticket, kiosk, batch,                  // optional, see above
 *     onSnapshot(snapshot, {first}) {...},          // rebuild; snapshot.calls holds only calls
 *                                                   // already seen (newest first)
 *     onCall(call, {live}) {...},                   // a call not shown before, oldest first
 *     onEvent(kind, payload) {...},                 // every other event (waiting, window, ticket, ...)
 *     onConnection(state) {...},                    // connecting | syncing | live | offline
 *     onError(error) {...},                         // {code, message} from the server
 *   });
 *   stream.setToken(token);                         // after a login or logout
 *   stream.setTicket(ticketId);                     // the phone page following a transfer
 */
(function (root) {
  "use strict";

  const HOLD_MS = 1000; // how long an early event waits for the missing ones before we resubscribe
  const SNAPSHOT_TIMEOUT_MS = 5000; // a subscribe left unanswered this long is sent again
  const REMEMBERED_CALLS = 500; // seqs of shown calls kept to refuse a second showing
  const NOT_SITE_EVENTS = new Set(["snapshot", "subscribe_error", "screen_status_error"]);

  class SiteStream {
    constructor(options) {
      if (!options || !options.site) throw new Error("SiteStream 需要 site / SiteStream needs a site");
      this.site = options.site;
      this.display = options.display || null;
      this.token = options.token || null;
      this.ticket = options.ticket || null;
      this.kiosk = options.kiosk || null;
      this.batch = Boolean(options.batch);
      this.handlers = {
        onSnapshot: options.onSnapshot || (() => {}),
        onCall: options.onCall || (() => {}),
        onEvent: options.onEvent || (() => {}),
        onConnection: options.onConnection || (() => {}),
        onError: options.onError || ((error) => console.error("site stream:", error)),
      };
      this.lastSeq = null; // null until the first snapshot (of this audience)
      this.audience = null; // "public" or "staff", as the last snapshot said
      this._switching = false; // the token changed: what arrives before the next snapshot may be the old stream's
      this.synced = false; // false while a snapshot is awaited: events are buffered meanwhile
      this.buffer = [];
      this.held = new Map(); // seq -> [kind, payload], ahead of a missing seq
      this.shownCalls = new Set();
      this.subscriptions = 0; // how many times we subscribed (tests and diagnostics read it)
      this.state = "connecting";
      this._holdTimer = null;
      this._snapshotTimer = null;

      const io = options.io || root.io;
      if (typeof io !== "function") {
        throw new Error("未加载 Socket.IO 客户端 / the Socket.IO client (/vendor/socket.io.min.js) is not loaded");
      }
      // Retry fast: a hall screen must be back within seconds of a server restart.
      this.socket = io(options.url, {
        reconnectionDelay: 500,
        reconnectionDelayMax: 2000,
        timeout: 5000,
      });
      this.socket.on("connect", () => this.subscribe("connect"));
      this.socket.on("disconnect", (reason) => this._offline(reason));
      this.socket.on("connect_error", () => this._setState("offline"));
      this.socket.on("snapshot", (snapshot) => this._onSnapshot(snapshot));
      this.socket.on("subscribe_error", (payload) => this._onSubscribeError(payload));
      this.socket.onAny((kind, payload) => {
        if (!NOT_SITE_EVENTS.has(kind)) this._receive(kind, payload);
      });
    }

    // Ask for a fresh snapshot; events keep arriving and are buffered until it comes.
    subscribe(reason) {
      this.synced = false;
      this.buffer = [];
      this.subscriptions += 1;
      this._setState("syncing");
      const message = { site: this.site };
      if (this.display) message.display = this.display;
      if (this.token) message.token = this.token;
      if (this.ticket) message.ticket = this.ticket;
      if (this.kiosk) message.kiosk = this.kiosk;
      if (this.batch) message.batch = true;
      message.request = this.subscriptions; // echoed in the snapshot: the answer to this subscribe, not an earlier one
      // The server then also returns every call after the last one we saw, however long we were away.
      if (this.lastSeq !== null) message.after = this.lastSeq;
      this.socket.emit("subscribe", message);
      clearTimeout(this._snapshotTimer);
      this._snapshotTimer = setTimeout(() => {
        if (!this.synced && this.socket.connected) this.subscribe("snapshot timeout");
      }, SNAPSHOT_TIMEOUT_MS);
      if (reason && reason !== "connect") console.info("site stream: subscribing again:", reason);
    }

    // A login or logout: the other audience's stream, with its own seq count, from a fresh snapshot.
    setToken(token) {
      const next = token || null;
      if (next === this.token) return;
      this.token = next;
      this._forget();
      this._switching = true;
      if (this.socket.connected) this.subscribe("token changed");
    }

    // Follow another ticket (a transferred ticket continues as its successor); same audience, same seq.
    setTicket(ticketId) {
      const next = ticketId || null;
      if (next === this.ticket) return;
      this.ticket = next;
      if (this.socket.connected) this.subscribe("ticket changed");
    }

    _forget() {
      this.lastSeq = null;
      this.audience = null;
      this.held.clear();
      this.shownCalls.clear();
      clearTimeout(this._holdTimer);
      this._holdTimer = null;
    }

    emit(kind, payload) {
      if (this.socket.connected) this.socket.emit(kind, payload);
    }

    _offline(reason) {
      this.synced = false;
      clearTimeout(this._snapshotTimer);
      clearTimeout(this._holdTimer);
      this._holdTimer = null;
      this._setState("offline");
      if (reason) console.info("site stream: disconnected:", reason);
    }

    _setState(state) {
      if (state === this.state) return;
      this.state = state;
      this._call("onConnection", state);
    }

    _call(name, ...args) {
      try {
        this.handlers[name](...args);
      } catch (error) {
        console.error(`site stream: ${name} failed`, error); // a screen's bug must not stop the stream
      }
    }

    _onSubscribeError(payload) {
      clearTimeout(this._snapshotTimer);
      const error = (payload && payload.error) || { code: "subscribe_error", message: "订阅失败 / subscribe failed" };
      this._call("onError", error);
    }

    _receive(kind, payload) {
      if (kind === "events" && payload && Array.isArray(payload.events)) {
        for (const entry of payload.events) {
          if (Array.isArray(entry) && entry.length === 2) this._receive(entry[0], entry[1]);
        }
        return;
      }
      if (!payload || typeof payload.seq !== "number") {
        this._call("onEvent", kind, payload); // not part of the site's sequence
        return;
      }
      if (!this.synced) {
        this.buffer.push([kind, payload]);
        return;
      }
      this._accept(kind, payload);
    }

    _accept(kind, payload) {
      const seq = payload.seq;
      if (seq <= this.lastSeq || this.held.has(seq)) return; // seen already
      if (seq > this.lastSeq + 1) {
        this.held.set(seq, [kind, payload]);
        this._armHold();
        return;
      }
      this._apply(kind, payload);
      this._drainHeld();
    }

    _apply(kind, payload) {
      this.lastSeq = payload.seq;
      if (kind === "called") this._showCall(payload, true);
      else this._call("onEvent", kind, payload);
    }

    _drainHeld() {
      while (this.held.has(this.lastSeq + 1)) {
        const [kind, payload] = this.held.get(this.lastSeq + 1);
        this.held.delete(this.lastSeq + 1);
        this._apply(kind, payload);
      }
      if (this.held.size === 0) {
        clearTimeout(this._holdTimer);
        this._holdTimer = null;
      } else {
        this._armHold();
      }
    }

    _armHold() {
      if (this._holdTimer !== null) return;
      this._holdTimer = setTimeout(() => {
        this._holdTimer = null;
        if (this.held.size > 0 && this.synced) this.subscribe(`seq gap after ${this.lastSeq}`);
      }, HOLD_MS);
    }

    _showCall(call, live) {
      if (this.shownCalls.has(call.seq)) return;
      this._remember(call.seq);
      this._call("onCall", call, { live });
    }

    _remember(seq) {
      this.shownCalls.add(seq);
      if (this.shownCalls.size > REMEMBERED_CALLS) {
        this.shownCalls.delete(this.shownCalls.values().next().value);
      }
    }

    _onSnapshot(snapshot) {
      if (this.synced) return; // the answer to an earlier subscribe; we are in step already
      // The late answer to a subscribe sent before the latest one (a resend after a timeout, a gap's resync):
      // taken for the latest, its older seq would look like a reset of the site's history and roll the page back.
      if (snapshot && typeof snapshot.request === "number" && snapshot.request !== this.subscriptions) return;
      if (!snapshot || typeof snapshot.seq !== "number" || (snapshot.site && snapshot.site !== this.site)) {
        console.warn("site stream: ignoring a snapshot that is not ours", snapshot);
        return;
      }
      if (snapshot.audience && snapshot.audience !== (this.token ? "staff" : "public")) {
        return; // the answer to a subscribe sent before the token changed
      }
      clearTimeout(this._snapshotTimer);
      if (this._switching) {
        this._switching = false;
        if (this.buffer.length) {
          // Some of these may be the old audience's, numbered by its count: ask once more, from the new one.
          this.subscribe("events of the previous audience before the snapshot");
          return;
        }
      }
      // Start again from a snapshot behind what we saw (the site's history was reset) or of another
      // audience (it counts its own seq).
      const audience = snapshot.audience || null;
      const first = this.lastSeq === null || snapshot.seq < this.lastSeq || audience !== this.audience;
      if (first) {
        this.shownCalls.clear();
        this.held.clear();
      }
      this.audience = audience;
      const seen = first ? snapshot.seq : this.lastSeq;
      const calls = (snapshot.calls || []).slice().sort((a, b) => a.seq - b.seq);
      const missed = calls.filter((call) => call.seq > seen && !this.shownCalls.has(call.seq));
      const known = calls.filter((call) => !missed.includes(call));
      known.forEach((call) => this._remember(call.seq));
      this.lastSeq = snapshot.seq;
      this.synced = true;
      for (const seq of [...this.held.keys()]) if (seq <= this.lastSeq) this.held.delete(seq);

      this._call("onSnapshot", Object.assign({}, snapshot, { calls: known.reverse() }), { first });
      missed.forEach((call) => this._showCall(call, false));
      const buffered = this.buffer;
      this.buffer = [];
      buffered.forEach(([kind, payload]) => this._accept(kind, payload));
      this._drainHeld();
      this._setState("live");
    }
  }

  root.SiteStream = SiteStream;
})(typeof window !== "undefined" ? window : globalThis);
