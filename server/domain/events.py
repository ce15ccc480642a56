"""Things that happened in the hall, named in the past tense.

An event with a wire ``kind`` is numbered at the commit (``seq``, the staff stream's counter; and
``public_seq`` when the lobby may see it), stored, and sent to its audiences after the commit:

- the public room of the site (anyone; what a lobby shows: numbers, windows, zones, services, counts);
- the staff room (a staff token: everything, ids and names included);
- a ticket's own room (its holder's phone) and a kiosk's room (its printer and print jobs), unnumbered.

An event without a kind (``TicketIssued``, ``TicketChanged``) is never stored: it tells the handlers
subscribed to it (printing, metrics, the ticket's room) what the commit did.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field, fields, is_dataclass
from typing import ClassVar

from server.domain.assignments import STAFF_FIELDS as ASSIGNMENT_STAFF_FIELDS

# What an anonymous subscriber must not see, per wire kind (the contract v1.1: ids, names, addresses).
_PRIVATE_FIELDS: dict[str, tuple[str, ...]] = {"called": ("ticket_id",), "window": ("clerk",), "waiting": ()}
# The fields of a ticket that its holder's room is told of.
TICKET_FIELDS = ("id", "number", "status", "window", "window_number", "window_name", "zone", "called_at",
                 "finished_at", "outcome", "transferred_to", "recall", "cancel_reason")


def public_payload(kind: str, payload: dict) -> dict | None:
    """The lobby's copy of a stored payload, or None when the kind is for staff only."""
    if kind not in _PRIVATE_FIELDS:
        return None
    public = {key: value for key, value in payload.items() if key not in _PRIVATE_FIELDS[kind]}
    if kind == "window" and isinstance(public.get("current"), dict):
        public["current"] = {key: value for key, value in public["current"].items() if key != "ticket_id"}
    if kind == "window" and isinstance(public.get("assignment"), dict):  # who assigned it, and why: staff only
        public["assignment"] = {key: value for key, value in public["assignment"].items()
                                if key not in ASSIGNMENT_STAFF_FIELDS}
    return public


def _field_names(cls) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(item.name for item in fields(cls))
    return names


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value):
    """What ``dataclasses.asdict`` makes of a field's value, for the values events hold (JSON-like data),
    at a fraction of its cost: it deep-copies every value it meets."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    return value


@dataclass
class Event:
    site: str
    seq: int | None = field(default=None, kw_only=True, compare=False)
    public_seq: int | None = field(default=None, kw_only=True, compare=False)
    kind: ClassVar[str | None] = None  # the Socket.IO event name; None: not sent, not numbered

    @property
    def public(self) -> bool:
        return self.kind in _PRIVATE_FIELDS

    def body(self) -> dict:
        """The staff payload without its seq (a copy: nested dicts and lists are new ones)."""
        values = {name: _plain(getattr(self, name)) for name in _field_names(type(self))}
        values.pop("seq"), values.pop("public_seq")
        return values

    def payload(self) -> dict:
        """What the staff room receives (the seq first, as the v1 events always had it)."""
        return {"seq": self.seq, **self.body()}

    def public_view(self) -> dict | None:
        if not self.public:
            return None
        return {**public_payload(self.kind, self.body()), "seq": self.public_seq}

    def complete(self, repository) -> None:
        """Fill in what must be read at the commit, in seq order (see WaitingChanged)."""


@dataclass
class TicketIssued(Event):
    ticket: dict  # the ticket's view, as its holder gets it
    kiosk: str | None = None
    print_job: int | None = None


@dataclass
class TicketChanged(Event):
    """A ticket moved (called, recalled, started, finished, missed, transferred, cancelled, requeued): its
    holder is told."""

    ticket: dict  # TICKET_FIELDS
    action: str = ""
    service: str = ""  # the ticket's item, for what reacts to a finish (the 好差评 pad's form); not sent


@dataclass
class TicketCalled(Event):
    kind: ClassVar[str] = "called"
    ticket: str  # the printed number
    ticket_id: str
    window: str
    window_number: str
    window_name: str
    zone: str | None
    service: str
    service_name: str
    queue: str
    at: str
    recall: bool
    # Where the screens are: the calling window's floor, and the zones of the windows that serve the
    # ticket's queue as their own (where its ticket sent the holder to wait), so that a floor's display
    # also shows a call of its tickets by a window elsewhere (overflow).
    floor: str | None = None
    floor_name: str | None = None
    queue_zones: list[str] = field(default_factory=list)


@dataclass
class WaitingChanged(Event):
    kind: ClassVar[str] = "waiting"
    day: dt.date | None = None  # the site's local day counted (not sent)
    waiting: dict[str, int] = field(default_factory=dict)  # queue id -> tickets waiting, read at the commit

    def body(self) -> dict:
        values = super().body()
        del values["day"]
        return values

    def complete(self, repository) -> None:
        # Two kiosks issuing at once must not each announce a count without the other's ticket.
        self.waiting = repository.waiting_counts(self.site, self.day)


@dataclass
class WindowChanged(Event):
    kind: ClassVar[str] = "window"
    window: str
    window_number: str
    window_name: str
    zone: str | None
    state: str  # open | paused | closed
    reason: str | None
    clerk: int | None
    current: dict | None  # {"ticket", "ticket_id", "status", "service", "called_at"}
    assignment: dict | None = None  # what a manager assigned it to serve now (弹性窗口), see assignment_views

    @classmethod
    def of(cls, view: dict) -> WindowChanged:
        return cls(**copy.deepcopy(view))


@dataclass
class PrintJobChanged(Event):
    kind: ClassVar[str] = "print_job"
    kiosk: str
    job: int
    ticket_id: str
    ticket: str | None
    status: str
    reason: str | None
    printer_state: str | None = None

    def body(self) -> dict:
        values = super().body()
        if values["printer_state"] is None:
            del values["printer_state"]
        return values


@dataclass
class PrinterStateChanged(Event):
    kind: ClassVar[str] = "printer"
    kiosk: str
    state: str
    detail: str
    at: str


@dataclass
class ScreenStateChanged(Event):
    kind: ClassVar[str] = "screen"
    display: str
    screen_kind: str  # lobby | window
    audio: str
    connected: bool

    def body(self) -> dict:
        values = super().body()
        values["kind"] = values.pop("screen_kind")
        return values
