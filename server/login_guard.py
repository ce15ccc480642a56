"""Login throttling: failed logins are counted per client address and per account name; past a number of
free failures each further one makes the next attempt wait twice as long (capped). A throttled attempt is
refused with 429 ``login_throttled`` and ``Retry-After`` before any password is checked, so the right
password does not help a guesser. A successful login clears its account's count (not its address's: a
guesser with one valid account must not wipe the count of its spraying).

Counts live in Redis when HALL_REDIS_URL is set, so every process sees the same ones; when Redis does not
answer within a quarter second they are kept in this process until it answers again. Password checks run
at most ``LOGIN_CHECKS_AT_ONCE`` at a time per process (each is ~100 ms of CPU in the threadpool); an attempt
that finds them busy waits briefly, and when too many already wait it is refused at once with 503
``login_busy``, so a burst of guesses never takes the CPU the hall's calls need."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from server.domain.errors import AuthError
from server.message_queue import quick_failing_options

log = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.25
REDIS_PAUSE_SECONDS = 5.0  # after a Redis failure, count in memory for this long before trying again
MEMORY_SUBJECTS_MAX = 50_000  # in-process entries kept (oldest dropped first): guessers cannot grow it forever
KEY_PREFIX = "yichuang:login:"
CHECK_NICENESS = 10  # password-check threads yield the CPU to the hall's work (Linux: per thread)


@dataclass(frozen=True)
class Policy:
    free_failures: int  # failures allowed before any wait
    base_seconds: float  # the wait after the first failure past the free ones; doubles with each further one
    max_seconds: float
    window_seconds: float  # failures are forgotten this long after the last one

    def locked_until(self, failures: int, last_failure: float) -> float:
        if failures < self.free_failures:
            return 0.0
        exponent = min(failures - self.free_failures, 60)
        return last_failure + min(self.max_seconds, self.base_seconds * 2 ** exponent)


DEFAULTS = {
    "LOGIN_ACCOUNT_FAILURES": 5, "LOGIN_ACCOUNT_MAX_SECONDS": 900.0,
    "LOGIN_ADDRESS_FAILURES": 20, "LOGIN_ADDRESS_MAX_SECONDS": 300.0,
    "LOGIN_BACKOFF_SECONDS": 1.0, "LOGIN_FAILURE_WINDOW_SECONDS": 86_400.0,
    "LOGIN_CHECKS_AT_ONCE": 2, "LOGIN_CHECKS_WAITING": 8, "LOGIN_CHECK_WAIT_SECONDS": 2.0,
}


class LoginThrottled(AuthError):
    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__("login_throttled", f"登录失败次数过多，请 {seconds} 秒后再试 / too many failed logins, "
                                            f"retry in {seconds} s", status=429)
        self.headers = {"Retry-After": str(seconds)}


class LoginBusy(AuthError):
    def __init__(self) -> None:
        super().__init__("login_busy", "登录人数较多，请稍后再试 / too many logins at once, retry in a moment",
                         status=503)
        self.headers = {"Retry-After": "1"}


_thread = threading.local()


def _niced(function: Callable, *args):
    """Run ``function`` in a thread whose scheduling priority is lowered once (it cannot be raised again
    without privileges: these threads are the login checks' own)."""
    if not getattr(_thread, "niced", False):
        _thread.niced = True
        thread = threading.get_native_id()
        if thread != os.getpid():  # never the main thread: it runs the hub and every request
            with contextlib.suppress(OSError):  # not allowed: plain priority
                if os.getpriority(os.PRIO_PROCESS, thread) < CHECK_NICENESS:
                    os.setpriority(os.PRIO_PROCESS, thread, CHECK_NICENESS)
    return function(*args)


def _subject(kind: str, value: str) -> str:
    return KEY_PREFIX + kind + ":" + hashlib.sha256(value.encode("utf-8", "backslashreplace")).hexdigest()[:32]


class MemoryCounts:
    """Failures per subject in this process: (count, time of the last failure)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, subjects: list[str]) -> list[tuple[int, float]]:
        with self._lock:
            return [self._entries.get(subject, (0, 0.0)) for subject in subjects]

    def fail(self, subjects: list[str], now: float, window: float) -> None:
        with self._lock:
            for subject in subjects:
                count, last = self._entries.pop(subject, (0, 0.0))
                self._entries[subject] = (1 if now - last > window else count + 1, now)
            while len(self._entries) > MEMORY_SUBJECTS_MAX:
                self._entries.popitem(last=False)

    def clear(self, subject: str) -> None:
        with self._lock:
            self._entries.pop(subject, None)


class RedisCounts:
    """The same counts in Redis: a hash per subject {n, last} that expires ``window`` after its last failure."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, **quick_failing_options(REDIS_TIMEOUT_SECONDS))

    def read(self, subjects: list[str]) -> list[tuple[int, float]]:
        pipeline = self._client.pipeline(transaction=False)
        for subject in subjects:
            pipeline.hmget(subject, "n", "last")
        return [(int(n or 0), float(last or 0.0)) for n, last in pipeline.execute()]

    def fail(self, subjects: list[str], now: float, window: float) -> None:
        # Counted whatever the stored age: a key older than the window has expired in Redis already.
        pipeline = self._client.pipeline(transaction=True)
        for subject in subjects:
            pipeline.hincrby(subject, "n", 1)
            pipeline.hset(subject, "last", repr(now))
            pipeline.expire(subject, max(1, math.ceil(window)))
        pipeline.execute()

    def clear(self, subject: str) -> None:
        self._client.delete(subject)


class LoginGuard:
    def __init__(self, config: dict, clock: Callable[[], float]) -> None:
        setting = {name: config.get(name, default) for name, default in DEFAULTS.items()}
        base, window = float(setting["LOGIN_BACKOFF_SECONDS"]), float(setting["LOGIN_FAILURE_WINDOW_SECONDS"])
        self.account = Policy(int(setting["LOGIN_ACCOUNT_FAILURES"]), base,
                              float(setting["LOGIN_ACCOUNT_MAX_SECONDS"]), window)
        self.address = Policy(int(setting["LOGIN_ADDRESS_FAILURES"]), base,
                              float(setting["LOGIN_ADDRESS_MAX_SECONDS"]), window)
        self._clock = clock
        self._memory = MemoryCounts()
        self._redis = RedisCounts(config["REDIS_URL"]) if config.get("REDIS_URL") else None
        self._redis_paused_until = 0.0
        self._slots_count = max(1, int(setting["LOGIN_CHECKS_AT_ONCE"]))
        self._slots = threading.BoundedSemaphore(self._slots_count)
        self._waiting_max = int(setting["LOGIN_CHECKS_WAITING"])
        self._wait_seconds = float(setting["LOGIN_CHECK_WAIT_SECONDS"])
        self._waiting = 0
        self._waiting_lock = threading.Lock()
        self._gevent = config.get("ASYNC_MODE") == "gevent"
        self._pool = None

    def run_check(self, function: Callable, *args):
        """Run a password check (inside ``password_check``): under gevent in a threadpool of the checks' own,
        whose threads run at a lowered priority, so the hub's requests keep the CPU they need."""
        if not self._gevent:
            return function(*args)
        if self._pool is None:
            from gevent.threadpool import ThreadPool

            self._pool = ThreadPool(self._slots_count)
        return self._pool.apply(_niced, (function, *args))

    def _store(self, action: str, *args):
        if self._redis is not None and time.monotonic() >= self._redis_paused_until:
            try:
                return getattr(self._redis, action)(*args)
            except Exception as exc:  # any Redis failure: count here until it answers again
                self._redis_paused_until = time.monotonic() + REDIS_PAUSE_SECONDS
                log.error("login counts: Redis unavailable (%s); counting in this process for %.0f s",
                          exc, REDIS_PAUSE_SECONDS)
        return getattr(self._memory, action)(*args)

    def _subjects(self, address: str, username: str) -> list[str]:
        return [_subject("account", username), _subject("address", address)]

    def check(self, address: str, username: str) -> None:
        """Raise LoginThrottled while the account or the address must wait."""
        now = self._clock()
        (account_n, account_last), (address_n, address_last) = self._store("read", self._subjects(address, username))
        waits = [policy.locked_until(n, last) - now
                 for policy, n, last in ((self.account, account_n, account_last),
                                         (self.address, address_n, address_last))
                 if now - last <= policy.window_seconds]
        if waits and max(waits) > 0:
            raise LoginThrottled(max(waits))

    def failed(self, address: str, username: str) -> None:
        self._store("fail", self._subjects(address, username), self._clock(), self.account.window_seconds)

    def succeeded(self, username: str) -> None:
        self._store("clear", _subject("account", username))

    @contextmanager
    def password_check(self) -> Iterator[None]:
        """Hold one of the password-check slots; LoginBusy when they stay taken or too many already wait."""
        if not self._slots.acquire(blocking=False):
            with self._waiting_lock:
                if self._waiting >= self._waiting_max:
                    raise LoginBusy()
                self._waiting += 1
            try:
                acquired = self._slots.acquire(timeout=self._wait_seconds)
            finally:
                with self._waiting_lock:
                    self._waiting -= 1
            if not acquired:
                raise LoginBusy()
        try:
            yield
        finally:
            self._slots.release()
