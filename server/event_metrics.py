"""Events this process has published, by kind: a reaction of the bus, read by /metrics."""

from __future__ import annotations

import threading
from collections import Counter

from server.domain.events import Event


class EventCounter:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._counts[type(event).__name__] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)
