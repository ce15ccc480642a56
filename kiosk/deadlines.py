"""One background loop that calls ``expire(key)`` when a key's deadline passes, unless it was
cancelled. A print job gets a deadline when it is created; the loop sleeps until the nearest one,
so a hall with no open jobs costs nothing."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Hashable

log = logging.getLogger(__name__)


class Deadlines:
    def __init__(self, expire: Callable[[Hashable], None],
                 start_task: Callable[[Callable[[], None]], object]) -> None:
        """``start_task(function)`` runs the loop in the background (a thread, or a greenlet under gevent)."""
        self._expire = expire
        self._start_task = start_task
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Hashable]] = []
        self._active: dict[Hashable, int] = {}  # key → ticket of its live entry in the heap
        self._counter = itertools.count()
        self._running = False
        self._stopped = False

    def schedule(self, key: Hashable, after_seconds: float) -> None:
        with self._condition:
            if self._stopped:
                return
            entry = next(self._counter)
            self._active[key] = entry
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, after_seconds), entry, key))
            if not self._running:
                self._running = True
                self._start_task(self._run)
            self._condition.notify()

    def cancel(self, key: Hashable) -> None:
        with self._condition:
            self._active.pop(key, None)

    def pending(self) -> int:
        with self._condition:
            return len(self._active)

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._heap.clear()
            self._active.clear()
            self._condition.notify()

    def _next_due(self) -> Hashable | None:
        """Wait for the nearest deadline; the key that is due, or None once stopped."""
        with self._condition:
            while not self._stopped:
                while self._heap and self._active.get(self._heap[0][2]) != self._heap[0][1]:
                    heapq.heappop(self._heap)  # cancelled or rescheduled
                if not self._heap:
                    self._condition.wait()
                    continue
                due, entry, key = self._heap[0]
                remaining = due - time.monotonic()
                if remaining <= 0:
                    heapq.heappop(self._heap)
                    del self._active[key]
                    return key
                self._condition.wait(remaining)
            return None

    def _run(self) -> None:
        while (key := self._next_due()) is not None:
            try:
                self._expire(key)
            except Exception:
                log.exception("deadline handler failed for %r", key)
