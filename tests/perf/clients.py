"""Load clients shared by the benchmark and the crash tests: a screen that follows the Socket.IO contract
(snapshot, then events in seq order, resubscribe on a gap or a reconnect), and HTTP clients for kiosks and
clerks that fail over to another server process when one does not answer.

Times are ``time.time()``: the one clock that processes on the same host share."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

import requests
import socketio

GAP_HOLD_SECONDS = 1.0  # events of two processes may arrive out of order; wait this long for the missing ones


class DisplayClient:
    """A lobby screen. ``calls`` maps ticket_id → the first ``called`` event seen for it (live or from a
    snapshot); ``arrivals`` maps ticket_id → time.time() when it first arrived live."""

    def __init__(self, url: str, site: str, display: str | None = None, transports: tuple[str, ...] = ("websocket",),
                 record_arrivals: bool = True, gap_hold: float = GAP_HOLD_SECONDS, token: str | None = None) -> None:
        # With a staff token the screen hears the staff stream, whose calls carry the ticket ids the tests
        # and the benchmark match against the clerks' answers (the public stream carries numbers only).
        self.url, self.site, self.display, self.transports = url, site, display, list(transports)
        self.token = token
        self.record_arrivals, self.gap_hold = record_arrivals, gap_hold
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1.0,
                                   randomization_factor=0.2, request_timeout=5)
        self.lock = threading.Lock()
        self.calls: dict[str, dict] = {}
        self.arrivals: dict[str, float] = {}
        self.last_seq: int | None = None  # None until the first snapshot of a subscription arrives
        self.pending: dict[int, tuple[str, dict, float]] = {}
        self.gap_since: float | None = None
        self.snapshots = 0
        self.connects = 0
        self.resubscribes_for_gaps = 0
        self.errors: list[dict] = []
        self._stop = threading.Event()
        self.sio.on("connect", self._on_connect)
        self.sio.on("snapshot", self._on_snapshot)
        self.sio.on("subscribe_error", lambda payload: self.errors.append(payload))
        for kind in ("called", "waiting", "window", "screen", "printer", "print_job"):
            self.sio.on(kind, self._handler(kind))
        self._watchdog = threading.Thread(target=self._watch_gaps, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, timeout: float = 10) -> DisplayClient:
        self.sio.connect(self.url, transports=self.transports, wait_timeout=timeout)
        self._watchdog.start()
        deadline = time.monotonic() + timeout
        while self.snapshots == 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no snapshot from {self.url} within {timeout}s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.sio.disconnect()

    # -- protocol --------------------------------------------------------------------------------
    def _subscribe(self) -> None:
        with self.lock:
            self.last_seq = None
            self.pending.clear()
            self.gap_since = None
        message = {"site": self.site, **({"display": self.display} if self.display else {}),
                   **({"token": self.token} if self.token else {})}
        # Disconnected meanwhile? The reconnect subscribes again.
        with contextlib.suppress(socketio.exceptions.SocketIOError):
            self.sio.emit("subscribe", message)

    def _on_connect(self) -> None:
        self.connects += 1
        self._subscribe()

    def _on_snapshot(self, snapshot: dict) -> None:
        with self.lock:
            self.snapshots += 1
            for call in snapshot.get("calls", []):
                self.calls.setdefault(call["ticket_id"], call)
            self.last_seq = snapshot["seq"]
            self._drain()

    def _handler(self, kind: str):
        def handle(payload: dict) -> None:
            now = time.time()
            with self.lock:
                if kind == "called" and self.record_arrivals:
                    self.arrivals.setdefault(payload["ticket_id"], now)
                self.pending[payload["seq"]] = (kind, payload, now)
                if self.last_seq is not None:
                    self._drain()
        return handle

    def _drain(self) -> None:
        """Apply pending events in seq order; note when a gap starts (the watchdog resubscribes)."""
        for seq in [seq for seq in self.pending if seq <= self.last_seq]:
            del self.pending[seq]
        while self.last_seq + 1 in self.pending:
            kind, payload, _ = self.pending.pop(self.last_seq + 1)
            self.last_seq += 1
            if kind == "called":
                self.calls.setdefault(payload["ticket_id"], payload)
        self.gap_since = (self.gap_since or time.monotonic()) if self.pending else None

    def _watch_gaps(self) -> None:
        while not self._stop.wait(0.1):
            with self.lock:
                stale = self.gap_since is not None and time.monotonic() - self.gap_since > self.gap_hold
            if stale and self.sio.connected:
                self.resubscribes_for_gaps += 1
                self._subscribe()

    def seen(self, ticket_ids) -> bool:
        with self.lock:
            return all(ticket_id in self.calls for ticket_id in ticket_ids)


def staff_token(headers: dict) -> str:
    """The bearer token of a login's headers, for a staff subscription."""
    return headers["Authorization"].removeprefix("Bearer ")


@dataclass
class FailoverSession:
    """requests against several server processes; a connection failure moves to the next one."""

    urls: list[str]
    timeout: float = 5.0
    index: int = 0
    session: requests.Session = field(default_factory=requests.Session)

    def request(self, method: str, path: str, attempts: int = 40, **kwargs) -> requests.Response:
        last_error: Exception | None = None
        for attempt in range(attempts):
            url = self.urls[self.index % len(self.urls)]
            try:
                return self.session.request(method, url + path, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:  # refused or reset: that process is down
                last_error = exc
                self.index += 1
                self.session.close()
                self.session = requests.Session()
                time.sleep(min(0.05 * (attempt + 1), 0.5))
        raise RuntimeError(f"no server answered {method} {path}: {last_error}")

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)


@dataclass
class LoadRecord:
    """What the load clients were told: every 201 ticket, every 200 call with its timing, other answers."""

    issued: list[dict] = field(default_factory=list)
    issue_latencies: list[float] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)  # {"ticket_id", "window", "sent", "answered"}
    answers: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.answers[what] = self.answers.get(what, 0) + 1


def _code(response: requests.Response) -> str:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return str(response.status_code)


def kiosk_loop(session: FailoverSession, site: str, services: list[str], kiosk: str, record: LoadRecord,
               stop: threading.Event, pause: float = 0.0) -> None:
    """Issue tickets until ``stop``; ``pause`` seconds between tickets (a citizen at the screen)."""
    index = 0
    while not stop.is_set():
        service = services[index % len(services)]
        index += 1
        sent = time.time()
        response = session.post(f"/api/v1/sites/{site}/tickets", json={"service": service, "kiosk": kiosk})
        answered = time.time()
        if response.status_code == 201:
            with record.lock:
                record.issued.append(response.json())
                record.issue_latencies.append(answered - sent)
        else:
            record.count(f"issue {response.status_code} {_code(response)}")
        if pause:
            stop.wait(pause)


def clerk_loop(session: FailoverSession, site: str, window: str, headers: dict, record: LoadRecord,
               stop: threading.Event, service_seconds: float = 0.0, idle_seconds: float = 0.05) -> None:
    """Open the window, then call and finish until ``stop``. A call whose answer was lost (the process
    died) shows up as current_ticket_open: it is finished like any other."""
    base = f"/api/v1/sites/{site}/windows/{window}"

    def finish() -> None:
        while not stop.is_set():
            response = session.post(f"{base}/finish", json={"outcome": "handled"}, headers=headers)
            if response.status_code == 200 or _code(response) == "no_current_ticket":
                return
            record.count(f"finish {response.status_code} {_code(response)}")
            stop.wait(0.05)

    opened = False
    while not stop.is_set():
        if not opened:
            response = session.post(f"{base}/open", headers=headers)
            opened = response.status_code == 200
            if not opened:
                record.count(f"open {response.status_code} {_code(response)}")
                stop.wait(0.1)
            continue
        sent = time.time()
        response = session.post(f"{base}/call-next", headers=headers)
        answered = time.time()
        if response.status_code == 200:
            with record.lock:
                record.calls.append({"ticket_id": response.json()["id"], "window": window, "sent": sent,
                                     "answered": answered})
            if service_seconds:
                stop.wait(service_seconds)
            finish()
        elif response.status_code == 204:
            stop.wait(idle_seconds)
        else:
            code = _code(response)
            record.count(f"call {response.status_code} {code}")
            if code == "current_ticket_open":
                finish()
            elif code == "window_not_open":
                opened = False
            else:
                stop.wait(0.05)
