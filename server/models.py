"""Tables. Times are stored as naive UTC; the local day of a ticket is stored beside it so that
numbering and daily counts never depend on the database's time zone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# Every column the statistics read, after the site and local day they select by (the 好差评 level included): a
# year of a site is one range of this index, read without visiting the table; ix_tickets_wait_s and ix_tickets_service_s hold each
# duration in order, for the percentiles over all keys of a long range (server/service_layer/statistics.py).
STATISTICS_COLUMNS = ("site", "day", "queue", "service", "window", "clerk_id", "issued_at", "status", "outcome",
                      "origin_id", "called_at", "wait_s", "service_s", "rating_level")


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
    appointment_id: Mapped[str | None] = mapped_column(String(40))  # checked in on time: called before walk-ins
    case_id: Mapped[str | None] = mapped_column(String(40))  # a pickup ticket's case (领取办件结果)
    wait_s: Mapped[float | None] = mapped_column(Float)  # first call − issue, seconds (server/durations.py)
    service_s: Mapped[float | None] = mapped_column(Float)  # finish − call of a served ticket, seconds
    rating_level: Mapped[int | None] = mapped_column(Integer)  # its counted 好差评 level (server/rating_store.py)

    __table_args__ = (
        Index("ix_tickets_waiting", "site", "status", "queue", "issued_at"),
        Index("ix_tickets_site_day", "site", "day"),
        Index("ix_tickets_site_day_number", "site", "day", "number"),
        Index("ix_tickets_case", "case_id"),
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


class WindowAssignment(Base):
    """弹性窗口: a manager sent a window to serve ``queues`` (a JSON list, in order) on ``day`` until ``until_at``
    (None: the local day's end), for ``reason``. Kept as a log once ended (undone, replaced, expired, day_end);
    the partial unique index keeps one assignment in force per window across processes."""

    __tablename__ = "window_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(64))
    window: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    queues: Mapped[str] = mapped_column(Text)
    until_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_by: Mapped[str | None] = mapped_column(String(64))
    end_reason: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_window_assignments_in_force", "site", "window", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        Index("ix_window_assignments_site_day", "site", "day"),
    )


class Appointment(Base):
    """预约: a citizen's booking of one slot of an item. The id is its holder's secret (the phone page), the
    code what the kiosk's check-in takes. The ID number is kept only as a keyed hash (``person_key``, for the
    per-person rule) and in its masked form; the phone is shown masked."""

    __tablename__ = "appointments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # 128 random bits
    site: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)  # the slot's local day
    start_at: Mapped[dt.datetime] = mapped_column(DateTime)  # naive UTC
    end_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | checked_in | cancelled | missed
    name: Mapped[str] = mapped_column(String(64))
    person_key: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 of the ID number
    id_number_masked: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(16))
    booked_at: Mapped[dt.datetime] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    missed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ticket_id: Mapped[str | None] = mapped_column(String(40))  # the ticket of its check-in (or of a late walk-in)

    __table_args__ = (
        Index("ix_appointments_site_code", "site", "code", unique=True),
        Index("ix_appointments_open", "site", "status", "start_at"),
        Index("ix_appointments_site_day", "site", "day"),
    )


class AppointmentSlot(Base):
    """How many bookings a slot holds: raised only while it is below the slot's capacity, in one statement."""

    __tablename__ = "appointment_slots"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    start_at: Mapped[dt.datetime] = mapped_column(DateTime, primary_key=True)  # naive UTC
    booked: Mapped[int] = mapped_column(Integer, default=0)


class AppointmentPersonDay(Base):
    """How many bookings one person (the keyed hash of the ID number) holds on one local day of a site."""

    __tablename__ = "appointment_person_days"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class RatingForm(Base):
    """A 好差评 form as it was offered (levels and reasons, JSON), kept under its version so that a rating
    keeps the words it was given on after the layout changes its form."""

    __tablename__ = "rating_forms"

    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    content: Mapped[str] = mapped_column(Text)  # JSON {"levels": [...], "reasons": [...]}
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Rating(Base):
    """One rating per ticket (一次一评, the unique ticket id), whichever channel comes first. Who served and
    what is copied from the ticket at the rating, as statistics read it; a phone only for a call-back."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(40), ForeignKey("tickets.id"), unique=True)
    window: Mapped[str | None] = mapped_column(String(64))
    clerk_id: Mapped[int | None] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)  # 5 非常满意 … 1 非常不满意
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of reason ids of the form
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))  # pad | phone | kiosk
    form_version: Mapped[str] = mapped_column(String(32), ForeignKey("rating_forms.version"))
    phone: Mapped[str | None] = mapped_column(String(16))  # for a call-back (回访) only; masked in every view
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    set_aside: Mapped[bool] = mapped_column(default=False)  # an appeal (申诉复核) upheld: kept, out of the figures

    __table_args__ = (Index("ix_ratings_site_created", "site", "created_at"),)


class Rectification(Base):
    """整改 of a bad rating: opened with it, due ``rating.rectify_working_days`` working days later."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(64))
    rating_id: Mapped[int] = mapped_column(Integer, ForeignKey("ratings.id"), unique=True)
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|contacted|resolved|appealed|closed
    appeal: Mapped[str | None] = mapped_column(String(16))  # the review's verdict: upheld | rejected
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_rectifications_site_status", "site", "status"),)


class RectificationAction(Base):
    """What was done on a rectification (contact, resolve, appeal, close), with its note, who and when."""

    __tablename__ = "rectification_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rectification_id: Mapped[int] = mapped_column(Integer, ForeignKey("rectifications.id"))
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_rectification_actions_of", "rectification_id", "id"),)


class Case(Base):
    """A case (办件): an item accepted at a window (受理), decided by its department within the promised
    working days (承诺时限), then handed out at the 综合出件 window or mailed. ``id`` is the holder's secret
    (the tracking page); ``number`` is what people read and type. Its history is ``case_events``."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # 128 random bits, url-safe
    site: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(32))  # unique per site
    service: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # accepted | approved | rejected | ready | delivered | mailed
    ticket_id: Mapped[str | None] = mapped_column(String(40))  # the ticket it was accepted on
    window: Mapped[str | None] = mapped_column(String(64))
    applicant_name: Mapped[str | None] = mapped_column(String(64))
    applicant_phone: Mapped[str | None] = mapped_column(String(16))  # personal data: masked in every view
    delivery: Mapped[str] = mapped_column(String(32))  # "pickup", "mail" or "pickup,mail"
    accepted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    accepted_day: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)  # the department's decision note
    tracking: Mapped[str | None] = mapped_column(String(64))  # the mail's tracking number
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_cases_site_number", "site", "number", unique=True),
        Index("ix_cases_site_department_status", "site", "department", "status"),
    )


class CaseEvent(Base):
    """One step of a case: its new status, who and when (never changed or deleted)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(40), ForeignKey("cases.id"))
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str | None] = mapped_column(String(64))  # the account's name; None: the hall itself
    note: Mapped[str | None] = mapped_column(Text)
    tracking: Mapped[str | None] = mapped_column(String(64))
    ticket_id: Mapped[str | None] = mapped_column(String(40))  # the ticket it happened on (accept, pickup)

    __table_args__ = (Index("ix_case_events_case", "case_id", "id"),)
