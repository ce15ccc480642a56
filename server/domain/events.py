"""Things that happened in the hall, named in the past tense; screens are told about them after commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Event:
    pass


@dataclass(frozen=True)
class TicketIssued(Event):
    site: str
    ticket_id: str
    number: str
    service: str
    queue: str
    priority: str | None
    issued_at: datetime
    kiosk: str | None = None


@dataclass(frozen=True)
class TicketCalled(Event):
    site: str
    ticket_id: str
    number: str
    window: str
    recall: bool
    at: datetime


@dataclass(frozen=True)
class TicketFinished(Event):
    site: str
    ticket_id: str
    number: str
    window: str
    outcome: str
    at: datetime


@dataclass(frozen=True)
class TicketMissed(Event):
    """The citizen did not come when called (过号)."""

    site: str
    ticket_id: str
    number: str
    window: str
    at: datetime


@dataclass(frozen=True)
class TicketTransferred(Event):
    site: str
    ticket_id: str  # the ticket that left the window
    number: str
    window: str
    service: str  # the item it now waits for
    queue: str
    at: datetime


@dataclass(frozen=True)
class WindowStateChanged(Event):
    site: str
    window: str
    state: str  # "open", "paused" or "closed"
    reason: str = ""


@dataclass(frozen=True)
class WaitingChanged(Event):
    site: str
    waiting: dict[str, int] = field(default_factory=dict)  # queue id -> tickets waiting
