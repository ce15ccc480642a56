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
from server.psycopg_gevent import cooperative_psycopg_waits

log = logging.getLogger(__name__)
SCHEMA_RETRY_SECONDS = 2.0  # while the database is away, a request tries to reach it at most this often
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
PING_AFTER_IDLE_SECONDS = 10.0  # a PostgreSQL connection unused this long is pinged before it is used again
POSTGRES_BUSY = {"55P03", "57014"}  # lock_not_available (lock_timeout), query_canceled (statement_timeout)


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
        engine = create_engine(url, connect_args={"timeout": 0, "check_same_thread": False}, hide_parameters=True,
                               **pool)
        _configure_sqlite(engine, limits)
    else:
        cooperative_psycopg_waits()
        engine = create_engine(url, poolclass=_BoundedPool, pool_size=10, max_overflow=20,
                               pool_recycle=1800, pool_timeout=limits.busy, hide_parameters=True)
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
