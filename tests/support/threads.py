"""Many clients at the same instant, for the tests of what must hold under concurrency."""

from __future__ import annotations

import threading


def at_once(count: int, target) -> list:
    """``target(index)`` in ``count`` threads released together; their results in index order."""
    barrier, results, errors = threading.Barrier(count), [None] * count, []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = target(index)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a client still running after two minutes"
    return results
