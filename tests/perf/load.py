"""The benchmark's load processes. Each runs in a process of its own (spawned), so no single Python process
holds dozens of Socket.IO clients under one GIL: display processes hold a few screens each, clerk processes
a share of the windows, one process the kiosks. They follow a shared schedule of steps
``(start, seconds, calls_per_second)`` on the host's one clock (time.time()) and send back what they saw."""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
import time
from dataclasses import dataclass

import requests

LOAD_NICENESS = int(os.environ.get("HALL_BENCH_LOAD_NICENESS", "10"))
Schedule = list[tuple[float, float, float]]  # (start time, seconds, calls per second over the whole hall)


@dataclass
class Share:
    """One load process's part of the hall."""

    urls: list[str]
    site: str
    names: list[str]  # windows, kiosks or display ids this process plays
    total: int  # how many of that role the whole hall has (the rate is split between them)
    batch: bool = True  # screens subscribe for one frame per commit, as the hall's own screens do


def call_key(number: str, window: str) -> str:
    """How a lobby screen (the public stream: no ticket ids) tells one call from another."""
    return f"{number}@{window}"


def lower_priority() -> None:
    """Load processes yield the CPU to the server: in a hall the screens and counters are other machines,
    here they share two cores with it, and an equal share would measure the load generator instead."""
    os.nice(LOAD_NICENESS)


def display_worker(share: Share, ready, stop, results) -> None:
    lower_priority()
    screens = []
    for index, display in enumerate(share.names):
        url = share.urls[index % len(share.urls)]
        screens.append(RawScreen(url, share.site, display, share.batch).start(timeout=30))
    ready.put(len(screens))
    stop.wait()
    results.put({"role": "display", "arrivals": [dict(screen.arrivals) for screen in screens],
                 "connects": [screen.connects for screen in screens],
                 "snapshots": [screen.snapshots for screen in screens]})
    for screen in screens:
        screen.stop()


def _paced(schedule: Schedule, share_of_rate: float, action, stop_at: float) -> None:
    """Call ``action(step)`` at ``rate * share_of_rate`` per second in each step, from a random phase.
    A late action is not made up for: the achieved rate shows when the server cannot keep up."""
    for step, (start, seconds, rate) in enumerate(schedule):
        period = 1.0 / (rate * share_of_rate)
        next_at = start + random.uniform(0, period)
        end = min(start + seconds, stop_at)
        while next_at < end:
            delay = next_at - time.time()
            if delay > 0:
                time.sleep(delay)  # pacing the simulated clerk, not waiting for a result
            action(step)
            next_at += period
            now = time.time()
            if next_at < now - period:
                next_at = now


def clerk_worker(share: Share, headers: dict, schedule: Schedule, results) -> None:
    lower_priority()
    calls: list[dict] = []
    answers: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = schedule[-1][0] + schedule[-1][1]

    def window_loop(window: str, url: str) -> None:
        session = requests.Session()
        base = f"{url}/api/v1/sites/{share.site}/windows/{window}"
        session.post(f"{base}/open", headers=headers, timeout=10).raise_for_status()

        def call(step: int) -> None:
            sent = time.time()
            response = session.post(f"{base}/call-next", headers=headers, timeout=10)
            answered = time.time()
            with lock:
                answers[str(response.status_code)] = answers.get(str(response.status_code), 0) + 1
            if response.status_code == 200:
                with lock:
                    ticket = response.json()
                    calls.append({"ticket_id": ticket["id"], "key": call_key(ticket["number"], ticket["window"]),
                                  "step": step, "sent": sent, "answered": answered})
                finished = session.post(f"{base}/finish", json={"outcome": "handled"}, headers=headers, timeout=10)
                with lock:
                    key = f"finish {finished.status_code}"
                    answers[key] = answers.get(key, 0) + 1

        _paced(schedule, 1.0 / share.total, call, stop_at)

    threads = [threading.Thread(target=window_loop, args=(window, share.urls[index % len(share.urls)]))
               for index, window in enumerate(share.names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"role": "clerk", "calls": calls, "answers": answers})


def kiosk_worker(share: Share, services: list[str], schedule: Schedule, surplus: float, results) -> None:
    """Issue tickets at ``surplus`` times the call rate, so the windows always find someone waiting."""
    lower_priority()
    issued: list[dict] = []
    lock = threading.Lock()
    stop_at = schedule[-1][0] + schedule[-1][1]

    def kiosk_loop(kiosk: str, url: str) -> None:
        session = requests.Session()
        counter = [0]

        def issue(step: int) -> None:
            counter[0] += 1
            service = services[(counter[0] + hash(kiosk)) % len(services)]
            sent = time.time()
            response = session.post(f"{url}/api/v1/sites/{share.site}/tickets",
                                    json={"service": service, "kiosk": kiosk}, timeout=10)
            with lock:
                issued.append({"step": step, "status": response.status_code, "seconds": time.time() - sent})

        _paced(schedule, surplus / share.total, issue, stop_at)

    threads = [threading.Thread(target=kiosk_loop, args=(kiosk, share.urls[index % len(share.urls)]))
               for index, kiosk in enumerate(share.names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"role": "kiosk", "issued": issued})


class RawScreen:
    """A screen for the benchmark, speaking Engine.IO 4 / Socket.IO 5 over a plain WebSocket in one thread:
    the arrival time is taken the moment the frame is read, before any parsing. (python-socketio's client
    runs each event handler in a thread of its own; dozens of them in one process measure the GIL.)"""

    def __init__(self, url: str, site: str, display: str, batch: bool = True) -> None:
        self.url, self.site, self.display, self.batch = url, site, display, batch
        self.arrivals: dict[str, float] = {}
        self.connects = 0
        self.snapshots = 0
        self.closed = threading.Event()
        self.socket = None

    def start(self, timeout: float = 30) -> RawScreen:
        import websocket

        self.socket = websocket.create_connection(
            self.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=timeout)
        if not self.socket.recv().startswith("0"):
            raise RuntimeError("no Engine.IO open packet")
        self.socket.send("40")
        if not self.socket.recv().startswith("40"):
            raise RuntimeError("no Socket.IO connect packet")
        self.connects += 1
        self.socket.send("42" + json.dumps(["subscribe", {"site": self.site, "display": self.display,
                                                          "batch": self.batch}]))
        self.socket.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not self.snapshots:
            if time.monotonic() > deadline:
                raise TimeoutError("no snapshot")
            time.sleep(0.01)
        return self

    def _read(self) -> None:
        while not self.closed.is_set():
            try:
                frame = self.socket.recv()
            except Exception:  # closed by stop() or by the server
                return
            now = time.time()
            if frame == "2":
                self.socket.send("3")  # Engine.IO pong
            elif frame.startswith('42["called"'):
                event = json.loads(frame[2:])[1]
                self.arrivals.setdefault(call_key(event["ticket"], event["window"]), now)
            elif frame.startswith('42["events"'):  # one commit's events (server/publisher.py)
                for kind, event in json.loads(frame[2:])[1]["events"]:
                    if kind == "called":
                        self.arrivals.setdefault(call_key(event["ticket"], event["window"]), now)
            elif frame.startswith('42["snapshot"'):
                self.snapshots += 1

    def stop(self) -> None:
        self.closed.set()
        with contextlib.suppress(Exception):
            self.socket.close()
