"""How long the hall waits for its database, and what it answers when that runs out.

A database that is locked by another process, frozen, or cut off by the network must never hold a
request (or, under gevent, the whole process) for long: every wait has a bound, and past it the answer
is 503 JSON — ``database_busy`` (locked or slow: retry in a moment) or ``database_unavailable``
(unreachable). Settings, in seconds, from the environment:

- ``HALL_DATABASE_BUSY_TIMEOUT`` (5): a write waits this long for its turn — SQLite's write lock held by
  another process, the site's turn inside this process, a free pooled connection.
- ``HALL_DATABASE_CONNECT_TIMEOUT`` (3, at least 2): PostgreSQL connection set-up.
- ``HALL_DATABASE_LOCK_TIMEOUT`` (3): PostgreSQL gives up waiting for a row lock (``lock_timeout``). Calls
  never wait for another window's ticket (SKIP LOCKED); they wait for their own window's row and for the
  site's sequence row, which are held for milliseconds.
- ``HALL_DATABASE_STATEMENT_TIMEOUT`` (5): PostgreSQL cancels a statement running longer.
- ``HALL_DATABASE_ANSWER_TIMEOUT`` (statement + 2): the client gives up on a PostgreSQL that does not
  answer at all (frozen, or a network that swallows packets), closes that connection and answers 503.
- ``HALL_DATABASE_KEEPALIVE_IDLE`` (10): TCP keepalives find a vanished server on idle connections
  (probes every 5 s, 3 lost probes); unacknowledged writes end the connection after the answer timeout.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from server.domain.errors import DomainError


class DatabaseBusy(DomainError):
    code = "database_busy"
    status = 503
    default_message = "系统繁忙，数据库暂时无法写入，请稍后再试 / database busy, please retry in a moment"


class DatabaseUnavailable(DomainError):
    code = "database_unavailable"
    status = 503
    default_message = "系统暂时无法访问数据库，请稍后再试 / database unavailable"


@dataclass(frozen=True)
class DatabaseLimits:
    busy: float = 5.0
    connect: float = 3.0
    lock: float = 3.0
    statement: float = 5.0
    answer: float | None = None  # None: statement + 2
    keepalive_idle: int = 10

    @property
    def answer_seconds(self) -> float:
        return self.answer if self.answer is not None else self.statement + 2.0

    def postgres_parameters(self, options: str | None) -> dict:
        """libpq connection parameters; ``options`` (e.g. a search_path from the URL) is kept."""
        limits = f"-c statement_timeout={int(self.statement * 1000)} -c lock_timeout={int(self.lock * 1000)}"
        return {"connect_timeout": max(2, round(self.connect)), "keepalives": 1,
                "keepalives_idle": self.keepalive_idle, "keepalives_interval": 5, "keepalives_count": 3,
                "tcp_user_timeout": int(self.answer_seconds * 1000),
                "options": f"{options} {limits}" if options else limits}


_SETTINGS = {"busy": "HALL_DATABASE_BUSY_TIMEOUT", "connect": "HALL_DATABASE_CONNECT_TIMEOUT",
             "lock": "HALL_DATABASE_LOCK_TIMEOUT", "statement": "HALL_DATABASE_STATEMENT_TIMEOUT",
             "answer": "HALL_DATABASE_ANSWER_TIMEOUT", "keepalive_idle": "HALL_DATABASE_KEEPALIVE_IDLE"}


def limits_from_environment() -> DatabaseLimits:
    values = {}
    for name, variable in _SETTINGS.items():
        raw = os.environ.get(variable, "").strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if value <= 0:
            raise ValueError(f"{variable} 应为正数（秒）/ {variable} must be a positive number of seconds, "
                             f"not {raw!r}")
        values[name] = int(value) if name == "keepalive_idle" else value
    return DatabaseLimits(**values)


class TimedLock:
    """The site's lock of this process, waited for at most ``seconds``: then 503 database_busy."""

    def __init__(self, lock: threading.Lock, seconds: float) -> None:
        self._lock, self._seconds = lock, seconds

    def acquire(self) -> bool:
        if not self._lock.acquire(timeout=self._seconds):
            raise DatabaseBusy()
        return True

    def release(self) -> None:
        self._lock.release()


def bounded_psycopg_connection(answer_seconds: float):
    """A psycopg Connection class whose every wait for the server ends after ``answer_seconds``; the
    connection is then closed (it is mid-protocol) and OperationalError raised, so the pool drops it."""
    import psycopg
    from psycopg import errors

    class BoundedConnection(psycopg.Connection):
        answer_timeout: float | None = answer_seconds

        def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
            limit = timeout if timeout is not None else self.answer_timeout
            try:
                return super().wait(gen, interval=interval, timeout=limit)
            except errors._WaitTimeout:
                if timeout is not None:
                    raise
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"PostgreSQL did not answer within {limit:g} s; connection closed") from None

    return BoundedConnection
