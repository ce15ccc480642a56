"""The acknowledgement deadlines of print jobs: due keys expire once, cancelled ones never."""

from __future__ import annotations

import threading

from kiosk.deadlines import Deadlines
from tests.support.live_server import wait_until


def start_thread(function) -> threading.Thread:
    thread = threading.Thread(target=function, daemon=True)
    thread.start()
    return thread


def test_due_keys_expire_in_deadline_order_and_cancelled_ones_never():
    expired: list[str] = []
    deadlines = Deadlines(expired.append, start_thread)
    try:
        deadlines.schedule("late", 0.3)
        deadlines.schedule("early", 0.05)
        deadlines.schedule("cancelled", 0.1)
        deadlines.cancel("cancelled")
        wait_until(lambda: len(expired) == 2, 5, message="both deadlines to pass")
        assert expired == ["early", "late"]
        assert deadlines.pending() == 0
    finally:
        deadlines.stop()


def test_scheduling_a_key_again_moves_its_deadline():
    expired: list[str] = []
    deadlines = Deadlines(expired.append, start_thread)
    try:
        deadlines.schedule("job", 60)
        deadlines.schedule("job", 0.05)
        wait_until(lambda: expired == ["job"], 5, message="the moved deadline")
    finally:
        deadlines.stop()


def test_a_failing_handler_does_not_stop_the_loop():
    expired: list[str] = []

    def expire(key: str) -> None:
        if key == "bad":
            raise RuntimeError("database away")
        expired.append(key)

    deadlines = Deadlines(expire, start_thread)
    try:
        deadlines.schedule("bad", 0.01)
        deadlines.schedule("good", 0.05)
        wait_until(lambda: expired == ["good"], 5, message="the next deadline after a failure")
    finally:
        deadlines.stop()


def test_nothing_runs_until_something_is_scheduled():
    started: list[object] = []
    deadlines = Deadlines(lambda key: None, lambda function: started.append(function))
    assert started == []
    deadlines.schedule("job", 10)
    deadlines.schedule("other", 10)
    assert len(started) == 1, "one loop for all deadlines"
    deadlines.stop()
