"""Engine and sessions. SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` for writers, so two
processes never both read a counter and then write it; PostgreSQL gets row locks in the statements."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
log = logging.getLogger(__name__)


def cooperative_psycopg_waits() -> bool:
    """Make psycopg wait for PostgreSQL through gevent's hub when gevent has patched ``select``.

    psycopg chooses its wait function when it is first imported: imported after gevent's monkey
    patching (the gunicorn gevent worker) it waits with the patched ``select.poll`` and queries overlap;
    imported before (a preloaded app, a script that patches late) it keeps its C ``wait_c``, which
    blocks the whole process for the length of every query. Returns True when waits cooperate."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return False
    import selectors

    from psycopg import waiting

    if waiting.wait is getattr(waiting, "wait_c", None):
        log.warning("psycopg was imported before gevent patched select; switching it to cooperative waits")
        waiting.wait = waiting.wait_poll
        waiting.DefaultSelector = selectors.DefaultSelector  # used while connecting
    return True


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                                  "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    cooperative_psycopg_waits()
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, pool_recycle=1800)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # We issue BEGIN ourselves (below); pysqlite's own implicit BEGIN would be DEFERRED.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """Owns the engine; hands out write sessions (locking) and read sessions (consistent snapshot)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        reader_bind = (self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite
                       else self.engine.execution_options(isolation_level="REPEATABLE READ"))
        self._reader = sessionmaker(reader_bind, expire_on_commit=False)

    def writer(self) -> Session:
        """A session for one write transaction (the unit of work owns it)."""
        return self._writer()

    @contextmanager
    def write(self) -> Iterator[Session]:
        session = self._writer()
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
        session = self._reader()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
