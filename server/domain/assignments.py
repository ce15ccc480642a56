"""弹性窗口 assignments: a manager sends a window to serve given queues, in a given order, until a time of the
site's local day (or the day's end), or until the assignment is undone. Pure rules: which queues a window
may be given, what an "HH:MM" means today, and whether an assignment still holds."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from layout.model import Window
from server.domain.commands import Actor, Command
from server.domain.days import next_day_start
from server.domain.errors import BadRequest, DomainError

REASON_MAX = 200
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
# Why an assignment ended: a manager undid it, another replaced it, its time came, or its day ended.
UNDONE, REPLACED, EXPIRED, DAY_END = "undone", "replaced", "expired", "day_end"


class QueueNotAllowed(DomainError):
    code = "queue_not_allowed"
    default_message = "该窗口不能安排办理此队列（不在窗口的队列或可协助队列中）/ the window may not serve this queue"


class WindowClosedForAssignment(DomainError):
    code = "window_closed"
    default_message = "窗口未开放，不能安排协助；请先请窗口人员开窗 / the window is closed: it cannot be assigned"


@dataclass(frozen=True)
class AssignWindow(Command):
    """``queues`` None undoes the window's assignment; ``until`` "HH:MM" local, None: the day's end."""

    window: str
    actor: Actor
    queues: tuple[str, ...] | None
    until: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ExpireAssignments(Command):
    """End the assignments whose time or day is over (any process may run it: each ends once)."""


@dataclass(frozen=True)
class Assignment:
    """An assignment as the rules see it; times naive UTC, as stored."""

    id: int | None
    window: str
    queues: tuple[str, ...]
    day: dt.date
    until: dt.datetime | None  # None: the local day's end
    reason: str | None = None
    by: str | None = None
    at: dt.datetime | None = None

    def holds(self, today: dt.date, now: dt.datetime) -> bool:
        return self.day == today and (self.until is None or now < self.until)


def allowed_queues(window: Window) -> tuple[str, ...]:
    """What a manager may give the window: its own queues, then those it may serve (``may_serve``)."""
    return window.queues + tuple(queue for queue in window.may_serve if queue not in window.queues)


def check_queues(window: Window, queues: tuple[str, ...]) -> tuple[str, ...]:
    if not queues:
        raise BadRequest("invalid_field", "字段 queues 不能为空（撤销请传 null）/ field 'queues' is empty "
                                          "(null undoes the assignment)")
    if len(set(queues)) != len(queues):
        raise BadRequest("invalid_field", "字段 queues 有重复的队列 / field 'queues' names a queue twice")
    allowed = allowed_queues(window)
    refused = [queue for queue in queues if queue not in allowed]
    if refused:
        raise QueueNotAllowed(f"{window.number}号窗口不能安排办理队列 {'、'.join(refused)}（可安排："
                              f"{'、'.join(allowed)}）/ window {window.id} may not serve {', '.join(refused)}")
    return queues


def until_moment(until: str | None, timezone: str, now: dt.datetime) -> dt.datetime | None:
    """"HH:MM" of the site's local day of ``now`` (naive UTC) as naive UTC; None stays None (the day's end).
    A time not written HH:MM, or not after now, is a 400."""
    if until is None:
        return None
    match = _CLOCK.fullmatch(until) if isinstance(until, str) else None
    if match is None:
        raise BadRequest("invalid_until", "字段 until 应为当日时刻 HH:MM（如 16:30）或 null / field 'until' must be "
                                          "HH:MM (site local time) or null")
    zone = ZoneInfo(timezone)
    local_now = now.replace(tzinfo=dt.UTC).astimezone(zone)
    local = dt.datetime.combine(local_now.date(), dt.time(int(match[1]), int(match[2])), zone)
    moment = local.astimezone(dt.UTC).replace(tzinfo=None)
    if moment <= now:
        raise BadRequest("invalid_until", f"时刻 {until} 已过，请选择今天稍后的时刻 / {until} has passed today")
    return moment


def ends_at(assignment: Assignment, timezone: str) -> dt.datetime:
    """When it ends by itself (naive UTC): its time, else the local day's end."""
    if assignment.until is not None:
        return assignment.until
    start = dt.datetime.combine(assignment.day, dt.time(12), ZoneInfo(timezone)).astimezone(dt.UTC)
    return next_day_start(start.replace(tzinfo=None), timezone)


def local_clock(moment: dt.datetime | None, timezone: str) -> str | None:
    """A naive UTC moment as the site's "HH:MM"."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def check_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    reason = reason.strip()
    return reason[:REASON_MAX] or None


# What only staff see of an assignment (the public stream and view drop them).
STAFF_FIELDS = ("id", "reason", "by", "at")
