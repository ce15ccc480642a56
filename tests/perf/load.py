"""The benchmark's load processes. Each runs in a process of its own (spawned), so no single Python process
holds dozens of Socket.IO clients under one GIL: display processes hold a few screens each, clerk processes
a share of the windows, one process the kiosks. They follow a shared schedule of steps
``(start, seconds, calls_per_second)`` on the host's one clock (time.time()) and send back what they saw."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

import requests

from tests.perf.clients import DisplayClient

Schedule = list[tuple[float, float, float]]  # (start time, seconds, calls per second over the whole hall)


@dataclass
class Share:
    """One load process's part of the hall."""

    urls: list[str]
    site: str
    names: list[str]  # windows, kiosks or display ids this process plays
    total: int  # how many of that role the whole hall has (the rate is split between them)


def display_worker(share: Share, ready, stop, results) -> None:
    screens = []
    for index, display in enumerate(share.names):
        url = share.urls[index % len(share.urls)]
        screens.append(DisplayClient(url, share.site, display).start(timeout=30))
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
                    calls.append({"ticket_id": response.json()["id"], "step": step, "sent": sent,
                                  "answered": answered})
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
