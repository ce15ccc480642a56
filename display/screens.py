"""Which screens are connected now, and whether their sound plays.

One entry per Socket.IO connection. Screens showing the same display (two TVs on the lobby
display) are summed up per display: it is connected while one of them is, and its audio is the
worst of theirs, so staff hear of a muted TV even when its twin plays.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION = "yichuang.screens"
AUDIO_STATES = ("ok", "blocked", "no_voice")
SCREEN_KINDS = ("lobby", "window")
_SEVERITY = {"ok": 0, "no_voice": 1, "blocked": 2}


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

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._screens: dict[str, Screen] = {}
        self._announced: dict[ScreenKey, ScreenState] = {}

    def report(self, sid: str, key: ScreenKey, audio: str, address: str | None = None) -> list[ScreenState]:
        if audio not in AUDIO_STATES:
            raise ValueError(f"audio must be one of {', '.join(AUDIO_STATES)}")
        if key.kind not in SCREEN_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SCREEN_KINDS)}")
        with self._lock:
            previous = self._screens.get(sid)
            since = previous.since if previous is not None and previous.key == key else _now()
            self._screens[sid] = Screen(sid=sid, key=key, audio=audio, since=since, address=address)
            touched = [key] if previous is None or previous.key == key else [previous.key, key]
            return self._changes(touched)

    def drop(self, sid: str) -> list[ScreenState]:
        with self._lock:
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
