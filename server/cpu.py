"""CPU-heavy work (password hashing, image rendering) leaves the gevent hub for its threadpool, so one
94 ms scrypt check does not stall every connected screen. Under threads it simply runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_mode = {"async": "threading"}


def set_async_mode(mode: str) -> None:
    _mode["async"] = mode


def run_cpu_bound(function: Callable[..., T], *args) -> T:
    if _mode["async"] == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)
