"""Tables. Times are stored as naive UTC; the local day of a ticket is stored beside it so that
numbering and daily counts never depend on the database's time zone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# Every column the statistics read, after the site and local day they select by: a year of a site is one
# range of this index, read without visiting the table; ix_tickets_wait_s and ix_tickets_service_s hold each
# duration in order, for the percentiles over all keys of a long range (server/service_layer/statistics.py).
STATISTICS_COLUMNS = ("site", "day", "queue", "service", "window", "clerk_id", "issued_at", "status", "outcome",
                      "origin_id", "called_at", "wait_s", "service_s")


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # 128+ random bits, url-safe
    site: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(16))
    day: Mapped[dt.date] = mapped_column(Date)
    service: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(64))
    priority_class: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    kiosk: Mapped[str | None] = mapped_column(String(64))
    window: Mapped[str | None] = mapped_column(String(64))
    clerk_id: Mapped[int | None] = mapped_column(Integer)
    called_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(16))
    origin_id: Mapped[str | None] = mapped_column(String(40))  # the ticket this one was transferred from
    transferred_to: Mapped[str | None] = mapped_column(String(40))
    cancel_reason: Mapped[str | None] = mapped_column(String(32))  # e.g. "day_closed", "citizen", "staff"
    reason: Mapped[str | None] = mapped_column(Text)  # why an item was rejected (不予受理)
    missing: Mapped[str | None] = mapped_column(Text)  # JSON list: checklist entries missing (一次性告知)
    requeued_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # a missed ticket put back in line (过号重排)
    wait_s: Mapped[float | None] = mapped_column(Float)  # first call − issue, seconds (server/durations.py)
    service_s: Mapped[float | None] = mapped_column(Float)  # finish − call of a served ticket, seconds

    __table_args__ = (
        Index("ix_tickets_waiting", "site", "status", "queue", "issued_at"),
        Index("ix_tickets_site_day", "site", "day"),
        Index("ix_tickets_site_day_number", "site", "day", "number"),
        Index("ix_tickets_statistics", *STATISTICS_COLUMNS),
        *(Index(f"ix_tickets_{duration}", "site", duration, "day", "window",
                sqlite_where=text(f"{duration} IS NOT NULL"), postgresql_where=text(f"{duration} IS NOT NULL"))
          for duration in ("wait_s", "service_s")),
        Index("ix_tickets_recent_service", "site", "queue", "day", "status", "finished_at"),  # the ETA's last 20
    )


class Counter(Base):
    """Last number handed out per (site, scope, local day); scope is "queue:<id>" or "service:<id>"."""

    __tablename__ = "counters"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class WindowState(Base):
    __tablename__ = "window_states"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="closed")  # closed | open | paused
    day: Mapped[dt.date | None] = mapped_column(Date)  # the local day the state was set; another day = closed
    reason: Mapped[str | None] = mapped_column(String(64))
    clerk_id: Mapped[int | None] = mapped_column(Integer)
    current_ticket: Mapped[str | None] = mapped_column(String(40))
    interleave_position: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SiteSequence(Base):
    __tablename__ = "site_sequences"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)  # the staff stream: every event
    public_seq: Mapped[int] = mapped_column(Integer, default=0)  # the public stream: what a lobby may see


class SiteEvent(Base):
    """Every event of a site, in seq order: what screens replay and what the snapshot reads. The payload is
    the staff one; the public stream's copy is derived from it (``server.domain.events.public_payload``)."""

    __tablename__ = "site_events"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_seq: Mapped[int | None] = mapped_column(Integer)  # None: staff only
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_site_events_kind", "site", "kind", "seq"),
                      Index("ix_site_events_public", "site", "kind", "public_seq"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # clerk | manager | backoffice | admin
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sites: Mapped[str | None] = mapped_column(Text)  # JSON list of site ids; None: every site
    department: Mapped[str | None] = mapped_column(String(64))  # a backoffice account's department
    token_version: Mapped[int] = mapped_column(Integer, default=0)  # raised on disable / new password


class IdempotencyKey(Base):
    """A client's retry key and the ticket its first request made (``Idempotency-Key`` on POST /tickets)."""

    __tablename__ = "idempotency_keys"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Alert(Base):
    """An alert's life: opened once per (site, kind, subject) while its cause holds, then cleared; acknowledged
    by a manager meanwhile. The partial unique index keeps one open alert per cause across processes."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acked_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_alerts_open_cause", "site", "kind", "subject", unique=True,
              sqlite_where=text("cleared_at IS NULL"), postgresql_where=text("cleared_at IS NULL")),
        Index("ix_alerts_site_opened", "site", "opened_at"),
    )


class PrintJob(Base):
    __tablename__ = "print_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(64))
    kiosk: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(40), ForeignKey("tickets.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | printed | failed
    reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_print_jobs_kiosk_status", "site", "kiosk", "status"),)
