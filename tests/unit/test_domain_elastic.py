"""Elastic-window suggestions: a queue past its target, helped by an open window allowed to serve it
that has little of its own waiting."""

from __future__ import annotations

from server.domain.elastic import QueueLoad, WindowLoad, suggestions


def queue(id: str, waiting: int, oldest_minutes: float, target: int = 30) -> QueueLoad:
    return QueueLoad(id, f"队列{id}", waiting, int(oldest_minutes * 60), target)


def window(id: str, serving: tuple[str, ...], may_serve: tuple[str, ...], own_waiting: int,
           state: str = "open") -> WindowLoad:
    return WindowLoad(id, id.removeprefix("w"), state, serving, may_serve, own_waiting)


def test_a_queue_past_its_target_is_offered_the_least_busy_window_that_may_serve_it():
    found = suggestions([queue("biz", 12, 41), queue("general", 1, 3)],
                        [window("w5", ("general",), ("biz",), 1), window("w6", ("general",), ("biz",), 0),
                         window("w7", ("general",), (), 0)])
    assert [(s.window, s.queue) for s in found] == [("w6", "biz"), ("w5", "biz")]
    assert "41 分钟" in found[0].reason and "承诺 30 分钟" in found[0].reason


def test_no_suggestion_within_the_target_or_from_a_busy_closed_or_already_helping_window():
    assert suggestions([queue("biz", 12, 29)], [window("w5", ("general",), ("biz",), 0)]) == []
    assert suggestions([queue("biz", 0, 0)], [window("w5", ("general",), ("biz",), 0)]) == []
    over = [queue("biz", 12, 45)]
    assert suggestions(over, [window("w5", ("general",), ("biz",), 3)]) == []
    assert suggestions(over, [window("w5", ("general",), ("biz",), 0, state="paused")]) == []
    assert suggestions(over, [window("w5", ("general", "biz"), ("biz",), 0)]) == []


def test_the_longest_wait_is_offered_help_first():
    found = suggestions([queue("a", 3, 35), queue("b", 3, 50, target=20)],
                        [window("w1", (), ("a", "b"), 0)])
    assert [s.queue for s in found] == ["b", "a"]
