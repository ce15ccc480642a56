"""Requests to change the hall, named as verbs. The service layer handles each one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    pass


@dataclass(frozen=True)
class IssueTicket(Command):
    site: str
    service: str
    priority: str | None = None  # a priority class id
    kiosk: str | None = None


@dataclass(frozen=True)
class WindowCommand(Command):
    """A clerk acting at a window; the ticket concerned is the window's current one."""

    site: str
    window: str
    clerk: str


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


@dataclass(frozen=True)
class Transfer(WindowCommand):
    service: str  # the item whose queue the ticket joins, keeping its original issue time


@dataclass(frozen=True)
class OpenWindow(WindowCommand):
    pass


@dataclass(frozen=True)
class PauseWindow(WindowCommand):
    reason: str = ""


@dataclass(frozen=True)
class CloseWindow(WindowCommand):
    pass
