"""Each subscriber hears its stream in seq order, whichever process committed the events.

With several server processes an event reaches a process by two roads: its own commits are emitted at
once, the other processes' come through Redis a few milliseconds later, so seq 12 committed here may
overtake seq 11 committed next door. Every process therefore passes the events of the numbered rooms
(``staff:<site>`` with ``seq``, ``site:<site>`` with the public ``seq``; both gapless per site) through a
``RoomSequencer`` before its local clients get them: an event ahead of a missing seq is held, and released
the moment the missing one arrives, or after ``hold_seconds`` (the missing one was lost, e.g. Redis was
down) — then with a gap, which makes the screens subscribe again for a snapshot. An event that arrives
after its room has moved past it is dropped: delivering it would break the order, and every subscriber
that lacks it sees the gap. The first event a process sees in a room is held too, since the process
cannot know yet whether an earlier one is on its way."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_HOLD_SECONDS = 0.5
# This many late events in a row, and nothing else: the numbers went back (a database restored under a
# running process), so the room follows the new numbers instead of dropping everything from now on.
RESTART_AFTER_LATE = 20


@dataclass
class _Room:
    next: int | None = None  # the seq this room waits for; None until the first event
    held: dict[int, Any] = field(default_factory=dict)
    deadline: float | None = None  # when the oldest hold ends
    timer: bool = False
    late_in_a_row: int = 0


@dataclass
class SequencerCounts:
    held: int = 0  # events that arrived ahead of a missing one
    released_after_gap: int = 0  # times the hold ended with seqs still missing
    dropped_late: int = 0  # events that came after their room had moved on


class RoomSequencer:
    """``offer(room, seq, message)``; ``release(message)`` is called for each message in seq order per room,
    under the sequencer's lock (so two callers never interleave their releases). ``schedule(delay, fn)``
    runs ``fn`` after ``delay`` seconds in a background task."""

    def __init__(self, release: Callable[[Any], None], schedule: Callable[[float, Callable[[], None]], None],
                 hold_seconds: float = DEFAULT_HOLD_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._release, self._schedule, self._clock = release, schedule, clock
        self.hold_seconds = hold_seconds
        self._rooms: dict[str, _Room] = {}
        self._lock = threading.Lock()
        self.counts = SequencerCounts()

    def offer(self, room: str, seq: int, message: Any, span: int = 1) -> None:
        """``span``: how many seqs the message carries from ``seq`` on (a batch of one commit's events)."""
        with self._lock:
            state = self._rooms.setdefault(room, _Room())
            if state.next is not None and seq < state.next:
                self.counts.dropped_late += 1
                state.late_in_a_row += 1
                log.debug("dropped seq %d of %s: the room is at %d", seq, room, state.next)
                if state.late_in_a_row < RESTART_AFTER_LATE:
                    return
                log.warning("%s went back from seq %d to %d; following the new numbers", room, state.next,
                            seq)
                state.next, state.held, state.deadline = None, {}, None
            state.late_in_a_row = 0
            if seq in state.held:
                return
            state.held[seq] = (message, max(1, span))
            self._drain(state)
            if state.held:
                self.counts.held += 1
                if state.deadline is None:
                    state.deadline = self._clock() + self.hold_seconds
                if not state.timer:
                    state.timer = True
                    self._schedule(max(0.0, state.deadline - self._clock()), lambda: self._expire(room))

    def _drain(self, state: _Room) -> None:
        """Release what follows ``next`` without a hole; the hold restarts for whatever is left."""
        released = False
        while state.next is not None and state.next in state.held:
            message, span = state.held.pop(state.next)
            state.next += span
            released = True
            self._safe_release(message)
        if released:
            state.deadline = None if not state.held else self._clock() + self.hold_seconds

    def _expire(self, room: str) -> None:
        with self._lock:
            state = self._rooms[room]
            state.timer = False
            if not state.held:
                state.deadline = None
                return
            remaining = (state.deadline or 0.0) - self._clock()
            if remaining <= 0:
                if state.next is not None:
                    self.counts.released_after_gap += 1
                    log.info("seq %d..%d of %s never arrived within %.2f s; releasing seq %d on",
                             state.next, min(state.held) - 1, room, self.hold_seconds, min(state.held))
                state.next = min(state.held)
                state.deadline = None
                self._drain(state)
                if not state.held:
                    return
                remaining = (state.deadline or self._clock()) - self._clock()
            state.timer = True
        self._schedule(max(0.0, remaining), lambda: self._expire(room))

    def _safe_release(self, message: Any) -> None:
        try:
            self._release(message)
        except Exception:  # one client's failure must not stop the room
            log.exception("emitting a sequenced event failed")
