"""Engine and sessions. SQLite gets WAL and ``BEGIN IMMEDIATE`` for writers, so two processes never both
read a counter and then write it; PostgreSQL gets row locks in the statements.

Every wait for the database is bounded (``server.database_limits``). SQLite's own busy wait would sleep
inside C, where gevent cannot switch, freezing every request of the process for as long as another
process holds the write lock; so SQLite never waits (busy_timeout 0) and a writer that finds the lock
taken retries its ``BEGIN IMMEDIATE`` with short cooperative sleeps until the busy timeout, then answers
503 ``database_busy``. PostgreSQL gets connect, statement and lock timeouts, TCP keepalives and a client
side bound on every answer.

``Database(url, prepare=upgrade)`` brings the schema up to date when the database first answers: a
server starts while its database is away, answers 503 ``database_unavailable`` meanwhile, and upgrades
as soon as it can."""

from __future__ import annotations

import logging
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from server.database_limits import (
    DatabaseBusy,
    DatabaseLimits,
    DatabaseUnavailable,
    bounded_psycopg_connection,
)

log = logging.getLogger(__name__)
SCHEMA_RETRY_SECONDS = 2.0  # while the database is away, a request tries to reach it at most this often
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
PING_AFTER_IDLE_SECONDS = 10.0  # a PostgreSQL connection unused this long is pinged before it is used again
POSTGRES_BUSY = {"55P03", "57014"}  # lock_not_available (lock_timeout), query_canceled (statement_timeout)


def cooperative_psycopg_waits() -> bool:
    """Make psycopg wait for PostgreSQL through gevent's hub when gevent has patched ``select``.

    psycopg chooses its wait function when it is first imported: imported after gevent's monkey
    patching (the gunicorn gevent worker) it waits with the patched ``select.poll`` and queries overlap;
    imported before (a preloaded app, a script that patches late) it keeps its C ``wait_c``, which
    blocks the whole process for the length of every query. Either way it is switched to ``gevent_wait``
    (below), which waits on the hub's own watcher: the patched ``select.poll`` builds a poll object and
    its watchers on every round trip, about a fifth of a production server's CPU. Returns True when
    waits cooperate."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return False
    import selectors

    from psycopg import waiting

    if waiting.wait is getattr(waiting, "wait_c", None):
        log.warning("psycopg was imported before gevent patched select; switching it to cooperative waits")
        waiting.DefaultSelector = selectors.DefaultSelector  # used while connecting
    waiting.wait = gevent_wait
    return True


def gevent_wait(gen, fileno: int, interval: float = 0.0, timeout: float | None = None):
    """psycopg's wait function (as ``psycopg.waiting.wait_poll``: same arguments, same answers and
    errors) on gevent's hub: a non-blocking ``select`` first (a write is mostly ready at once), then the
    hub's io watcher for the socket, for at most ``interval`` at a time."""
    Timeout, get_hub, errors, (ready_none, ready_r, ready_w), events = _gevent_parts or _load_gevent_parts()

    def ready_now(mask: int) -> int:
        try:
            readable, writable, _ = _original_select([fileno] if mask & 1 else [], [fileno] if mask & 2 else [],
                                                     [], 0)
        except (OSError, ValueError) as error:
            raise errors.OperationalError("connection socket closed") from error
        return (ready_r if readable else 0) | (ready_w if writable else 0)

    hub = get_hub()
    deadline = time.monotonic() + timeout if timeout is not None else None
    try:
        state = next(gen)
        while True:
            mask = events[state]
            ready = ready_now(mask)
            if not ready:
                pause = max(interval, 0.0) if deadline is None else max(0.0, min(interval, deadline - time.monotonic()))
                watcher = hub.loop.io(fileno, mask)
                try:
                    with Timeout(pause, False):
                        hub.wait(watcher)
                finally:
                    watcher.close()
                ready = ready_now(mask)
            if ready:
                state = gen.send(ready)
            else:
                gen.send(ready_none)
            if deadline is not None and time.monotonic() >= deadline:
                raise errors._WaitTimeout("wait timeout expired")
    except StopIteration as stop:
        return stop.value


_gevent_parts = None


def _load_gevent_parts():
    """What gevent_wait uses, imported once (an import statement on every round trip cost ~2 % of the CPU)."""
    global _gevent_parts
    from gevent import Timeout
    from gevent.hub import get_hub
    from psycopg import errors
    from psycopg.waiting import READY_NONE, READY_R, READY_W, WAIT_R, WAIT_RW, WAIT_W

    _gevent_parts = (Timeout, get_hub, errors, (READY_NONE, READY_R, READY_W),
                     {WAIT_R: 1, WAIT_W: 2, WAIT_RW: 3})  # libev READ, WRITE
    return _gevent_parts


def _original_select(*args):
    global _select_function
    if _select_function is None:
        from gevent import monkey

        _select_function = monkey.get_original("select", "select")
    return _select_function(*args)


_select_function = None


class _BoundedPool(QueuePool):
    """No free connection within the busy timeout: 503 database_busy, not a 30 s wait and a 500."""

    def _do_get(self):
        try:
            return super()._do_get()
        except sa_exc.TimeoutError as error:
            raise DatabaseBusy() from error


def make_engine(url: str, limits: DatabaseLimits | None = None) -> Engine:
    limits = limits or DatabaseLimits()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        pool = {} if ":memory:" in url else {"poolclass": _BoundedPool, "pool_timeout": limits.busy}
        engine = create_engine(url, connect_args={"timeout": 0, "check_same_thread": False}, **pool)
        _configure_sqlite(engine, limits)
    else:
        cooperative_psycopg_waits()
        engine = create_engine(url, poolclass=_BoundedPool, pool_size=10, max_overflow=20,
                               pool_recycle=1800, pool_timeout=limits.busy)
        _configure_postgres(engine, limits)
        _ping_when_idle(engine)
    event.listen(engine, "handle_error", _busy_is_503)
    return engine


def _busy_is_503(context) -> None:
    """A lock or a timeout is "busy, retry", not "the database is gone"."""
    original = context.original_exception
    if getattr(original, "sqlite_errorcode", None) in (SQLITE_BUSY, SQLITE_LOCKED) \
            or getattr(original, "sqlstate", None) in POSTGRES_BUSY:
        raise DatabaseBusy() from context.sqlalchemy_exception


def _configure_postgres(engine: Engine, limits: DatabaseLimits) -> None:
    connection_class = bounded_psycopg_connection(limits.answer_seconds)

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams):
        cparams.update(limits.postgres_parameters(cparams.get("options")))
        return connection_class.connect(*cargs, **cparams)


def _ping_when_idle(engine: Engine) -> None:
    """A pooled connection idle for ``PING_AFTER_IDLE_SECONDS`` is pinged when it is taken, and replaced if the ping
    fails (a server restart, a dropped link); one in steady use is not, which spares a hall's every request
    a round trip (SQLAlchemy's ``pool_pre_ping`` pings on every checkout). A connection lost between two
    uses close together fails its request with 503 ``database_unavailable``, and SQLAlchemy then
    replaces every connection of the pool made before the failure."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa_exc.DisconnectionError(f"idle connection lost: {error}") from error
        if not alive:
            raise sa_exc.DisconnectionError("idle connection lost")


def _configure_sqlite(engine: Engine, limits: DatabaseLimits) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # We issue BEGIN ourselves (below); pysqlite's own implicit BEGIN would be DEFERRED.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0")  # never sleep inside SQLite (see the module's docstring)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode != "IMMEDIATE":
            connection.exec_driver_sql(f"BEGIN {mode}")
            return
        deadline = time.monotonic() + limits.busy
        pause = 0.001
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except DatabaseBusy:
                if time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause * random.uniform(0.5, 1.5))  # gevent's sleep under gevent: the hub goes on
            pause = min(pause * 2, 0.05)


class _SchemaGate:
    """Runs ``prepare(engine)`` (the schema upgrade) once the database answers; until then every session
    asked for answers 503 at once, and one request every SCHEMA_RETRY_SECONDS tries again."""

    def __init__(self, engine: Engine, prepare: Callable[[Engine], None] | None) -> None:
        self._engine, self._prepare = engine, prepare
        self.ready = prepare is None
        self.closed = False  # the Database was disposed of: stop trying
        self._lock = threading.Lock()
        self._next_try = 0.0
        self.last_error: str | None = None

    def ensure(self) -> None:
        if self.ready:
            return
        if time.monotonic() < self._next_try or not self._lock.acquire(blocking=False):
            raise DatabaseUnavailable()
        try:
            if not self.ready:
                self.try_now()
        finally:
            self._lock.release()
        if not self.ready:
            raise DatabaseUnavailable()

    def try_now(self) -> bool:
        try:
            self._prepare(self._engine)
        except (sa_exc.OperationalError, sa_exc.InterfaceError, DatabaseBusy, DatabaseUnavailable) as error:
            self._next_try = time.monotonic() + SCHEMA_RETRY_SECONDS
            first = self.last_error is None
            self.last_error = f"{type(error).__name__}: {error}".splitlines()[0]
            (log.warning if first else log.debug)(
                "database not reachable, answering 503 until it is (the schema upgrade waits): %s",
                self.last_error)
            return False
        if self.last_error is not None:
            log.info("database reachable again; schema up to date")
        self.ready, self.last_error = True, None
        return True


class Database:
    """Owns the engine; hands out write sessions (locking) and read sessions (consistent snapshot)."""

    def __init__(self, url: str, limits: DatabaseLimits | None = None,
                 prepare: Callable[[Engine], None] | None = None) -> None:
        self.url = url
        self.limits = limits or DatabaseLimits()
        self.engine = make_engine(url, self.limits)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        reader_bind = (self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite
                       else self.engine.execution_options(isolation_level="REPEATABLE READ"))
        self._reader = sessionmaker(reader_bind, expire_on_commit=False)
        self.schema = _SchemaGate(self.engine, prepare)

    def writer(self) -> Session:
        """A session for one write transaction (the unit of work owns it)."""
        self.schema.ensure()
        return self._writer()

    @contextmanager
    def write(self) -> Iterator[Session]:
        session = self.writer()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        self.schema.ensure()
        session = self._reader()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.schema.closed = True
        self.engine.dispose()
