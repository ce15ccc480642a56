"""整改 of a bad rating (好差评): opened with it, due ``rating.rectify_working_days`` working days later, handled by
whoever served (谁办理、谁负责) — a call-back (回访), the rectification itself, an appeal (申诉复核) against a mistaken or
malicious rating — and closed; the alerts an open one holds (``bad_rating``, ``rectification_overdue``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from layout.model import Site
from server.domain.commands import Actor, Command
from server.domain.errors import BadRequest, DomainError
from server.domain.events import Event
from server.domain.ratings import encodable
from server.domain.workdays import add_working_days

NOTE_MAX = 500


class RectificationClosed(DomainError):
    code = "rectification_closed"
    default_message = "该整改已办结 / this rectification is closed"


class IllegalRectificationAction(DomainError):
    code = "illegal_action"
    default_message = "该整改当前状态不能进行此操作 / not possible in the rectification's state"


def rectify_deadline(site: Site, rated_on: dt.date) -> dt.date:
    """``rating.rectify_working_days`` (default 5) of the site's working days after the rating's local day."""
    return add_working_days(site, rated_on, site.rating.rectify_working_days)


# 整改: what each action does to a rectification's status. Closed is final.
RECTIFICATION_STATUSES = ("open", "contacted", "resolved", "appealed", "closed")
RECTIFICATION_ACTIONS = ("contact", "resolve", "appeal", "close")
ACTION_NAMES = {"contact": "回访/联系", "resolve": "整改完成", "appeal": "申诉复核", "close": "办结"}
STATUS_NAMES = {"open": "待整改", "contacted": "已回访", "resolved": "已整改", "appealed": "申诉中", "closed": "已办结"}
_AFTER = {"contact": None, "resolve": "resolved", "appeal": "appealed", "close": "closed"}


def next_rectification_status(status: str, action: str) -> str:
    """The status after ``action``: contact keeps a resolved or appealed one as it is (a note of the call)."""
    if action not in RECTIFICATION_ACTIONS:
        raise BadRequest("invalid_action", "action 应为 contact、resolve、appeal 或 close / action must be "
                                           "contact, resolve, appeal or close")
    if status == "closed":
        raise RectificationClosed()
    if action == "appeal" and status == "appealed":
        raise IllegalRectificationAction("已在申诉复核中 / an appeal is under review already")
    after = _AFTER[action]
    if after is None:
        return "contacted" if status == "open" else status
    return after


def check_note(note: object) -> str:
    if not isinstance(note, str) or not note.strip():
        raise BadRequest("note_required", "请填写处理说明 / a note is needed")
    text = note.strip()
    if len(text) > NOTE_MAX or "\x00" in text or not encodable(text):
        raise BadRequest("invalid_field", f"说明最多 {NOTE_MAX} 字，且不含无效字符 / at most {NOTE_MAX} characters")
    return text


def overdue(status: str, deadline: dt.date, today: dt.date) -> bool:
    """Past its deadline and neither rectified, under appeal nor closed."""
    return status in ("open", "contacted") and today > deadline


@dataclass(frozen=True)
class RectificationSeen:
    """An open rectification as the alert rules read it."""

    id: int
    window: str | None
    window_name: str
    level_name: str
    reason_names: tuple[str, ...]
    status: str
    deadline: dt.date


def rectification_subject(rectification_id: int, window: str | None) -> str:
    """An alert's subject: the window (whose counter shows it) and the rectification."""
    return f"{window or '-'}/{rectification_id}"


def window_of_subject(subject: str) -> str | None:
    window, _, rest = subject.partition("/")
    return window if rest and window != "-" else None


def rectification_message(seen: RectificationSeen) -> str:
    reasons = "、".join(seen.reason_names) or "见意见"
    return (f"{seen.window_name}收到差评（{seen.level_name}）：{reasons}；整改期限 {seen.deadline.isoformat()} / "
            f"bad rating at {seen.window or '-'}, rectify by {seen.deadline.isoformat()}")


def rectification_findings(rectifications: Iterable[RectificationSeen], today: dt.date) -> list[tuple[str, str, str]]:
    """(kind, subject, message) of every alert an open rectification holds: ``bad_rating`` until it is
    closed, ``rectification_overdue`` while it is past its deadline unresolved."""
    found = []
    for seen in rectifications:
        if seen.status == "closed":
            continue
        subject = rectification_subject(seen.id, seen.window)
        found.append(("bad_rating", subject, rectification_message(seen)))
        if overdue(seen.status, seen.deadline, today):
            found.append(("rectification_overdue", subject,
                          f"{seen.window_name}的差评整改已超期（期限 {seen.deadline.isoformat()}）/ rectification "
                          f"{seen.id} overdue since {seen.deadline.isoformat()}"))
    return found


@dataclass(frozen=True)
class ActOnRectification(Command):
    rectification: int
    action: str
    note: object
    actor: Actor
    appeal: object = None  # with close of an appealed one: "upheld" (the rating is set aside) or "rejected"


APPEAL_VERDICTS = ("upheld", "rejected")


def check_appeal_verdict(status: str, action: str, verdict: object) -> str | None:
    """The verdict of an appeal, given when an appealed rectification is closed (rejected when none is given)."""
    if verdict is None:
        return "rejected" if action == "close" and status == "appealed" else None
    if verdict not in APPEAL_VERDICTS:
        raise BadRequest("invalid_field", "appeal 应为 upheld 或 rejected / appeal must be upheld or rejected")
    if action != "close" or status != "appealed":
        raise IllegalRectificationAction("只有申诉中的整改办结时才能给出复核结论 / a verdict closes an appealed one only")
    return verdict


@dataclass
class RectificationChanged(Event):
    """A rectification opened or moved: staff hear of it (the manager's board)."""

    kind: ClassVar[str] = "rectification"
    id: int
    window: str | None
    status: str
    deadline: str
    action: str | None = None
