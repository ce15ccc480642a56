"""弹性窗口: when a queue's oldest ticket has waited past the hall's promise, which open window could help
it — one that may serve that queue (``may_serve`` in the layout) and has little of its own to do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SHORT_QUEUE = 2  # a window with at most this many waiting in its own queues can spare its clerk


@dataclass(frozen=True)
class QueueLoad:
    id: str
    name: str
    waiting: int
    oldest_wait_s: int  # 0 when nobody waits
    target_minutes: int

    @property
    def over_target(self) -> bool:
        return self.waiting > 0 and self.oldest_wait_s > self.target_minutes * 60


@dataclass(frozen=True)
class WindowLoad:
    id: str
    number: str
    state: str  # open | paused | closed
    serving: tuple[str, ...]  # the queues it calls now
    may_serve: tuple[str, ...]
    own_waiting: int  # tickets waiting in the queues it serves now


@dataclass(frozen=True)
class Suggestion:
    window: str
    queue: str
    reason: str


def suggestions(queues: Iterable[QueueLoad], windows: Iterable[WindowLoad]) -> list[Suggestion]:
    """For each queue past its target, the open windows that may help it, least busy first."""
    windows = [window for window in windows if window.state == "open"]
    result = []
    for queue in sorted((q for q in queues if q.over_target), key=lambda q: -q.oldest_wait_s):
        helpers = sorted((w for w in windows if queue.id in w.may_serve and queue.id not in w.serving
                          and w.own_waiting <= SHORT_QUEUE), key=lambda w: (w.own_waiting, w.number))
        minutes = -(-queue.oldest_wait_s // 60)  # rounded up: past a 30-minute promise reads "31"
        for window in helpers:
            result.append(Suggestion(window.id, queue.id, (
                f"{queue.name}最久已等候 {minutes} 分钟（承诺 {queue.target_minutes} 分钟），{window.number}号窗口"
                f"自身仅 {window.own_waiting} 人等候，可协助 / {queue.id} has waited {minutes} min (target "
                f"{queue.target_minutes}); window {window.number} has {window.own_waiting} waiting")))
    return result
