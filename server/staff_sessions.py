"""Staff subscriptions, checked again while they last. A token is checked at ``subscribe``; an account disabled,
given a new password or taken off the site afterwards would otherwise go on receiving the staff stream (ticket
ids, clerks, alerts) on its open socket. Every ``interval`` seconds (``HALL_STAFF_RECHECK_SECONDS``, default 30)
each staff subscriber's token is checked as a request's would be; one no longer good leaves the staff rooms and
gets ``subscribe_error`` with the reason, which makes the page log out."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from server.auth import actor_from_token
from server.domain.access import check_site
from server.domain.errors import DomainError
from server.extensions import socketio

log = logging.getLogger(__name__)
EXTENSION = "yichuang.staff_sessions"
NAMESPACE = "/"


@dataclass(frozen=True)
class StaffSession:
    site: str
    token: str
    rooms: tuple[str, ...]


class StaffSessions:
    def __init__(self, app: Flask, interval: float, spawn: Callable, sleep: Callable[[float], None]) -> None:
        self._app, self._interval, self._spawn, self._sleep = app, interval, spawn, sleep
        self._sessions: dict[str, StaffSession] = {}
        self._lock = threading.Lock()
        self._running = False

    def add(self, sid: str, site: str, token: str, rooms: tuple[str, ...]) -> None:
        with self._lock:
            self._sessions[sid] = StaffSession(site, token, rooms)

    def drop(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def recheck(self) -> list[str]:
        """Check every staff subscriber's token now; returns the sids whose staff stream ended."""
        with self._lock:
            sessions = dict(self._sessions)
        ended = []
        with self._app.app_context():
            for sid, session in sessions.items():
                if not socketio.server.manager.is_connected(sid, NAMESPACE):
                    self.drop(sid)
                    continue
                try:
                    check_site(actor_from_token(session.token), session.site)
                except DomainError as error:
                    self._end(sid, session, error)
                    ended.append(sid)
        return ended

    def _end(self, sid: str, session: StaffSession, error: DomainError) -> None:
        with self._lock:
            if self._sessions.get(sid) is not session:
                return  # it subscribed again meanwhile
            del self._sessions[sid]
        for room in session.rooms:
            socketio.server.leave_room(sid, room, namespace=NAMESPACE)
        socketio.emit("subscribe_error", error.payload(), to=sid)
        log.info("a staff subscription of %s ended: %s", session.site, error.code)

    def start(self) -> None:
        if self._interval and not self._running:
            self._running = True
            self._spawn(self._run)

    def stop(self) -> None:
        self._running = False

    def _run(self) -> None:
        while self._running:
            self._sleep(self._interval)
            if not self._running:
                return
            try:
                self.recheck()
            except Exception:  # the next round tries again; the stream itself is not touched
                log.exception("checking the staff subscriptions failed")


def staff_sessions(app: Flask) -> StaffSessions:
    return app.extensions[EXTENSION]
