"""Which screens are connected now, and whether their sound plays.

One entry per Socket.IO connection. Screens showing the same display (two TVs on the lobby
display) are summed up per display: it is connected while one of them is, and its audio is the
worst of theirs, so staff hear of a muted TV even when its twin plays.

Reports are throttled, so that no screen can flood the counters with ``screen`` events: each connection
may report a few times per second (``REPORTS``), and each display may change state a few times per second
(``CHANGES``, whatever the number of connections). A report over either is refused with
``ScreenThrottled`` (429 ``too_many_reports``, with ``retry_after`` seconds) and changes nothing. A
disconnect is never refused; it can only undo what an accepted report did.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Flask, current_app

from server.domain.errors import DomainError

EXTENSION = "yichuang.screens"
AUDIO_STATES = ("ok", "blocked", "no_voice")
SCREEN_KINDS = ("lobby", "window")
_SEVERITY = {"ok": 0, "no_voice": 1, "blocked": 2}


@dataclass(frozen=True)
class Rate:
    """``burst`` at once, then ``per_second``."""

    burst: int
    per_second: float


REPORTS = Rate(burst=5, per_second=2.0)  # per connection: a screen reports after each (re)connect and change
CHANGES = Rate(burst=3, per_second=1.0)  # per display: connected, muted, playing again are rare events


class ScreenThrottled(DomainError):
    code = "too_many_reports"
    status = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"屏幕状态上报过于频繁，请 {self.retry_after} 秒后再报 / too many screen reports: "
                         f"report again in {self.retry_after} s")

    def payload(self) -> dict:
        payload = super().payload()
        payload["error"]["retry_after"] = self.retry_after
        return payload


class TokenBuckets:
    """One token bucket per key; not thread-safe (the registry's lock guards it)."""

    def __init__(self, rate: Rate, clock: Callable[[], float]) -> None:
        self.rate, self.clock = rate, clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, at)

    def _level(self, key: Hashable) -> float:
        tokens, at = self._buckets.get(key, (float(self.rate.burst), self.clock()))
        return min(float(self.rate.burst), tokens + (self.clock() - at) * self.rate.per_second)

    def wait(self, key: Hashable) -> float:
        """Seconds until ``key`` may take one (0 when it may now)."""
        return max(0.0, (1.0 - self._level(key)) / self.rate.per_second)

    def take(self, key: Hashable) -> None:
        self._buckets[key] = (self._level(key) - 1.0, self.clock())

    def forget(self, key: Hashable) -> None:
        self._buckets.pop(key, None)


@dataclass(frozen=True)
class ScreenKey:
    site: str
    kind: str  # lobby | window
    display: str  # a display id, or a window id for a window screen


@dataclass(frozen=True)
class Screen:
    """One connected browser."""

    sid: str
    key: ScreenKey
    audio: str
    since: str  # ISO UTC
    address: str | None = None

    def view(self) -> dict:
        return {"sid": self.sid, "site": self.key.site, "kind": self.key.kind, "display": self.key.display,
                "audio": self.audio, "since": self.since, "address": self.address}


@dataclass(frozen=True)
class ScreenState:
    """What a display as a whole is doing: the payload of a ``screen`` event."""

    key: ScreenKey
    audio: str
    connected: bool

    def payload(self) -> dict:
        return {"site": self.key.site, "display": self.key.display, "kind": self.key.kind,
                "audio": self.audio, "connected": self.connected}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class ScreenRegistry:
    """Thread-safe; ``report`` and ``drop`` return the display states that changed (to announce)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, reports: Rate = REPORTS,
                 changes: Rate = CHANGES) -> None:
        self._lock = threading.Lock()
        self._screens: dict[str, Screen] = {}
        self._announced: dict[ScreenKey, ScreenState] = {}
        self._reports = TokenBuckets(reports, clock)
        self._changes_of = TokenBuckets(changes, clock)

    def report(self, sid: str, key: ScreenKey, audio: str, address: str | None = None) -> list[ScreenState]:
        """Record a screen's report; returns the display states that changed. Raises ScreenThrottled."""
        if audio not in AUDIO_STATES:
            raise ValueError(f"audio must be one of {', '.join(AUDIO_STATES)}")
        if key.kind not in SCREEN_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SCREEN_KINDS)}")
        with self._lock:
            wait = self._reports.wait(sid)
            if wait:
                raise ScreenThrottled(wait)
            self._reports.take(sid)
            previous = self._screens.get(sid)
            since = previous.since if previous is not None and previous.key == key else _now()
            self._screens[sid] = Screen(sid=sid, key=key, audio=audio, since=since, address=address)
            touched = [key] if previous is None or previous.key == key else [previous.key, key]
            if any(self._announced.get(each) != self._summary(each) for each in touched):
                wait = max(self._changes_of.wait(each) for each in touched)
                if wait:
                    self._undo(sid, previous)
                    raise ScreenThrottled(wait)
                for each in touched:
                    self._changes_of.take(each)
            return self._changes(touched)

    def _undo(self, sid: str, previous: Screen | None) -> None:
        if previous is None:
            del self._screens[sid]
        else:
            self._screens[sid] = previous

    def drop(self, sid: str) -> list[ScreenState]:
        with self._lock:
            self._reports.forget(sid)
            screen = self._screens.pop(sid, None)
            return [] if screen is None else self._changes([screen.key])

    def forget(self, state: ScreenState) -> None:
        """The announcement of ``state`` failed: announce the display again at its next report."""
        with self._lock:
            if self._announced.get(state.key) == state:
                del self._announced[state.key]

    def screens(self, site: str | None = None) -> list[dict]:
        with self._lock:
            chosen = [s for s in self._screens.values() if site is None or s.key.site == site]
        return [screen.view() for screen in sorted(chosen, key=lambda s: (s.key.site, s.key.kind, s.key.display,
                                                                           s.since))]

    def _changes(self, keys: list[ScreenKey]) -> list[ScreenState]:
        changed = []
        for key in keys:
            state = self._summary(key)
            if self._announced.get(key) != state:
                self._announced[key] = state
                changed.append(state)
        return changed

    def _summary(self, key: ScreenKey) -> ScreenState:
        audios = [screen.audio for screen in self._screens.values() if screen.key == key]
        if audios:
            return ScreenState(key, max(audios, key=_SEVERITY.__getitem__), True)
        last = self._announced.get(key)
        return ScreenState(key, last.audio if last is not None else "ok", False)


def screen_registry(app: Flask | None = None) -> ScreenRegistry:
    """The registry of ``app`` (default: the running app), as the composition root made it."""
    return (app or current_app).extensions[EXTENSION]
