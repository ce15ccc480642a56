"""Requests to change the hall, named as verbs. The message bus hands each one to its handler."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in account; ``sites`` None serves every site (see ``server.domain.access``)."""

    id: int
    username: str
    role: str
    sites: tuple[str, ...] | None = None
    department: str | None = None  # a backoffice account's department


@dataclass(frozen=True)
class Command:
    site: str


@dataclass(frozen=True)
class IssueTicket(Command):
    service: str
    priority: str | None = None  # a priority class id
    kiosk: str | None = None
    idempotency_key: str | None = None  # a retry with the same key gets the first request's ticket


@dataclass(frozen=True)
class WindowCommand(Command):
    """A clerk acting at a window; the ticket concerned is the window's current one."""

    window: str
    actor: Actor


@dataclass(frozen=True)
class OpenWindow(WindowCommand):
    pass


@dataclass(frozen=True)
class PauseWindow(WindowCommand):
    reason: str | None = None


@dataclass(frozen=True)
class CloseWindow(WindowCommand):
    pass


@dataclass(frozen=True)
class CallNext(WindowCommand):
    pass


@dataclass(frozen=True)
class Recall(WindowCommand):
    pass


@dataclass(frozen=True)
class NoShow(WindowCommand):
    pass


@dataclass(frozen=True)
class Start(WindowCommand):
    pass


@dataclass(frozen=True)
class Finish(WindowCommand):
    outcome: str
    reason: str | None = None  # why the item is rejected (不予受理): required with "rejected"
    missing: tuple[str, ...] | None = None  # checklist entries missing (一次性告知), with "notified"
    applicant_name: str | None = None  # with "accepted": the case's applicant (办件), if the clerk enters it
    applicant_phone: str | None = None  # a mainland mobile number (400 invalid_phone otherwise)


@dataclass(frozen=True)
class Transfer(WindowCommand):
    service: str  # the item whose queue the ticket joins, keeping its original issue time


@dataclass(frozen=True)
class CancelTicket(Command):
    """A waiting ticket leaves the line: its holder goes (no actor), or staff cancel it."""

    ticket_id: str
    actor: Actor | None = None


@dataclass(frozen=True)
class RequeueTicket(Command):
    """过号重排: a clerk puts a missed ticket back in line, behind the tickets waiting now."""

    ticket_id: str
    actor: Actor


@dataclass(frozen=True)
class CloseDay(Command):
    """Cancel what an earlier local day left open (tickets waiting, called or being served) and close
    the windows left open across midnight. Idempotent: a second run, in any process, changes nothing."""


@dataclass(frozen=True)
class AddPrintJob(Command):
    """Print a ticket (again) at a kiosk."""

    kiosk: str
    ticket_id: str


@dataclass(frozen=True)
class ChangePrintJob(Command):
    """A print job's outcome; applied only while the job is in one of ``only_from`` (None: any)."""

    job: int
    status: str
    reason: str | None = None
    only_from: tuple[str, ...] | None = None
    attempt: bool = False
    printer_state: str | None = None


@dataclass(frozen=True)
class RecordPrinterState(Command):
    kiosk: str
    state: str
    detail: str
    at: str  # ISO UTC


@dataclass(frozen=True)
class RecordScreenState(Command):
    display: str
    kind: str  # lobby | window
    audio: str
    connected: bool
