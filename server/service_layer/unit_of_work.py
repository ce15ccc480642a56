"""The unit of work owns one write transaction: its session, the seq reservation of the events it
records (its outbox), and their storage. A use case records events; they are numbered just before the
commit and handed to the message bus only after it.

The serial section of a site is only the numbering, the commit and the announcement: the events get
their seqs under the site's sequence row lock and the process's site lock, which both stay held until
the bus has announced them, so screens of this process hear them in seq order. (SQLite takes its write
lock at BEGIN, so there the process's lock covers the whole transaction, and no two greenlets of a
process ever wait for each other inside SQLite.)"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from server import store
from server.alert_store import SqlAlertStore
from server.case_store import SqlCaseStore
from server.db import Database
from server.domain.events import Event
from server.repository import Repository, SqlRepository


class UnitOfWork:
    """What a handler sees: ``repository`` and ``record``. Subclasses make it real or fake."""

    repository: Repository
    alerts: SqlAlertStore  # alerts and the state their rules read (the handler tests use a fake)
    cases: SqlCaseStore  # cases (办件) by number or id, their history

    def __init__(self) -> None:
        self.outbox: list[Event] = []
        self.committed: list[Event] = []

    def record(self, event: Event) -> Event:
        """Add an event to this transaction; it is numbered at the commit and announced after it."""
        self.outbox.append(event)
        return event

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, *exc) -> None:
        self.rollback()

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def number(self, first_seq: int, first_public: int) -> None:
        """Give the outbox's wire events their seqs, in order; complete what is read at the commit."""
        seq, public_seq = first_seq, first_public
        for event in self.outbox:
            if event.kind is None:
                continue
            event.complete(self.repository)
            event.seq, seq = seq, seq + 1
            if event.public:
                event.public_seq, public_seq = public_seq, public_seq + 1

    def collect(self) -> list[Event]:
        events, self.committed = self.committed, []
        return events


class SqlUnitOfWork(UnitOfWork):
    def __init__(self, db: Database, site: str, lock: threading.Lock, clock: Callable[[], dt.datetime]) -> None:
        super().__init__()
        self._db, self._site, self._lock, self._clock = db, site, lock, clock
        self._held = False
        self.session = None

    def __enter__(self) -> SqlUnitOfWork:
        self._held = self._db.is_sqlite and self._lock.acquire()
        self.session = self._db.writer()
        self.repository = SqlRepository(self.session)
        self.alerts = SqlAlertStore(self.session)
        self.cases = SqlCaseStore(self.session)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.session.rollback()
            self.session.close()
        finally:
            if self._held:
                self._held = False
                self._lock.release()

    def commit(self) -> None:
        wire = [event for event in self.outbox if event.kind is not None]
        if wire:
            self.session.flush()  # the use case's own writes, before the serial section begins
            if not self._held:
                self._held = self._lock.acquire()
            first, first_public = store.reserve_seqs(self.session, self._site, len(wire),
                                                     sum(1 for event in wire if event.public))
            self.number(first, first_public)
            store.insert_events(self.session, self._site,
                                [(event.kind, event.payload(), event.public_seq) for event in wire], self._clock())
        self.session.commit()
        self.committed, self.outbox = self.outbox, []

    def rollback(self) -> None:
        self.session.rollback()
        self.outbox = []


class SiteLocks:
    """One lock per site and process (see the module's docstring)."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, site: str) -> threading.Lock:
        lock = self._locks.get(site)
        if lock is None:
            with self._guard:
                lock = self._locks.setdefault(site, threading.Lock())
        return lock
