"""Cases (办件), from 受理 to 出件: the reform's 前台综合受理、后台分类审批、综合窗口出件.

A window accepts an item (受理通知书) and a case begins: its department decides within the promised working
days (承诺时限: ``services[].promised_days``, counted by ``server.domain.workdays``), the result is made
ready at the 综合出件 window or mailed, and the citizen follows it on the phone (同步跟踪). Every step is kept
as a history entry with who and when; nothing is ever rewritten.

Plain rules: the life of a case, who may move it, its readable number, and the commands and events."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import ClassVar

from server.domain.alerts import Finding
from server.domain.commands import Actor, Command
from server.domain.errors import AuthError, BadRequest, DomainError, NotFound, ReasonRequired
from server.domain.events import Event

ACCEPTED, APPROVED, REJECTED, READY, DELIVERED, MAILED = "accepted", "approved", "rejected", "ready", "delivered", "mailed"
STATUSES = (ACCEPTED, APPROVED, REJECTED, READY, DELIVERED, MAILED)
STATUS_NAMES = {ACCEPTED: "已受理", APPROVED: "审批通过", REJECTED: "不予许可", READY: "可领取",
                DELIVERED: "已领取", MAILED: "已寄出"}
STATUS_NAMES_EN = {ACCEPTED: "accepted", APPROVED: "approved", REJECTED: "not approved", READY: "ready for pickup",
                   DELIVERED: "collected", MAILED: "mailed"}
DECISIONS = (APPROVED, REJECTED)
DECIDED = (APPROVED, REJECTED)
FINAL = (DELIVERED, MAILED)
OPEN = (ACCEPTED, APPROVED, REJECTED, READY)  # what the back office still works on
DELIVERED_OUTCOME = "delivered"  # the finish of a pickup ticket (出件)

DECIDE_ROLES = frozenset({"backoffice", "admin"})
HANDOUT_ROLES = frozenset({"backoffice", "manager", "admin"})  # ready, mailed
NOTE_MAX = 500
TRACKING_MAX = 64
NAME_MAX = 64

NOT_FOUND = ("没有找到这个办件", "No such case")


class CaseNotFound(NotFound):
    def __init__(self, ident: object) -> None:
        super().__init__("case", ident)
        self.chinese, self.english = NOT_FOUND
        self.message = f"{NOT_FOUND[0]}：{str(ident)[:40]} / {NOT_FOUND[1]}".encode("utf-8", "backslashreplace") \
            .decode("utf-8")
        self.args = (self.message,)


class CaseNotReady(DomainError):
    code = "case_not_ready"
    default_message = "办件结果尚未可领取 / the case's result is not ready for pickup"


class CaseDecided(DomainError):
    code = "case_decided"
    default_message = "该办件已作出审批决定 / the case has been decided already"


class CaseState(DomainError):
    code = "illegal_transition"
    default_message = "办件当前状态不允许此操作 / not allowed in the case's current state"


class PickupIssued(DomainError):
    code = "pickup_issued"
    default_message = "该办件已取过领取号，请等候叫号 / a pickup ticket for this case is waiting already"


class NoPickupQueue(DomainError):
    code = "no_pickup_queue"
    default_message = "本大厅没有综合出件窗口 / this hall has no document collection queue"


class DeliveryNotOffered(DomainError):
    code = "delivery_not_offered"
    default_message = "该事项不提供此出件方式 / this item is not delivered that way"


def check_department(actor: Actor, department: str) -> None:
    """A backoffice account works the cases of its own department only (403 ``forbidden_department``)."""
    if actor.role == "backoffice" and actor.department != department:
        raise AuthError("forbidden_department", f"该账号不能办理其他部门的办件 / this account serves department "
                                                f"{actor.department!r}, not {department!r}", status=403)


def case_number(day: dt.date, sequence: int) -> str:
    """The readable number: the local day of acceptance and its sequence, 12 digits (202612010007)."""
    return f"{day:%Y%m%d}{sequence:04d}"


_URL_ID = re.compile(r"/c/([A-Za-z0-9_-]{16,40})/?$")


def parse_case_reference(raw: str) -> tuple[str, str]:
    """What a kiosk scanned or a citizen typed: ("id", id) for a tracking address (the 受理通知书's QR), else
    ("number", digits) for a case number (spaces and dashes dropped)."""
    text = raw.strip()
    match = _URL_ID.search(text)
    if match:
        return "id", match.group(1)
    digits = re.sub(r"[\s-]", "", text)
    if not digits.isdigit() or not 4 <= len(digits) <= 32:
        raise BadRequest("invalid_case_number", "办件编号应为数字 / a case number is made of digits")
    return "number", digits


def check_applicant_name(name: str | None) -> str | None:
    if name is None or not name.strip():
        return None
    if len(name.strip()) > NAME_MAX:
        raise BadRequest("invalid_field", f"申请人姓名不超过 {NAME_MAX} 字 / applicant_name is too long")
    return name.strip()


def check_decision(status: str, decision: object, note: str | None) -> tuple[str, str | None]:
    if decision not in DECISIONS:
        raise BadRequest("invalid_field", "decision 应为 approved（审批通过）或 rejected（不予许可）/ decision must be "
                                          "approved or rejected")
    if status != ACCEPTED:
        raise CaseDecided(f"该办件已{STATUS_NAMES.get(status, status)}，不能再次审批 / the case is {status} already")
    note = note.strip() if isinstance(note, str) and note.strip() else None
    if decision == REJECTED and note is None:
        raise ReasonRequired("不予许可须说明理由 / a rejection needs a reason in note")
    if note is not None and len(note) > NOTE_MAX:
        raise BadRequest("invalid_field", f"note 不超过 {NOTE_MAX} 字 / note is too long")
    return decision, note


def check_ready(status: str, delivery: tuple[str, ...]) -> None:
    if "pickup" not in delivery:
        raise DeliveryNotOffered("该事项只邮寄送达，不在窗口领取 / this item is mailed, not collected")
    if status == ACCEPTED:
        raise CaseState("尚未审批，不能通知领取 / decide the case before it is made ready")
    if status not in DECIDED:
        raise CaseState(f"该办件{STATUS_NAMES.get(status, status)}，不能再通知领取 / the case is {status}")


def check_mail(status: str, delivery: tuple[str, ...], tracking: str | None) -> str:
    if "mail" not in delivery:
        raise DeliveryNotOffered("该事项不提供邮寄送达 / this item is not mailed")
    tracking = tracking.strip() if isinstance(tracking, str) else ""
    if not tracking or len(tracking) > TRACKING_MAX:
        raise BadRequest("tracking_required", "请填写邮件运单号 / the mail's tracking number is required")
    if status == ACCEPTED:
        raise CaseState("尚未审批，不能寄出 / decide the case before it is mailed")
    if status not in (*DECIDED, READY):
        raise CaseState(f"该办件{STATUS_NAMES.get(status, status)}，不能寄出 / the case is {status}")
    return tracking


def check_pickup(status: str) -> None:
    if status == DELIVERED:
        raise CaseNotReady("该办件结果已领取 / the result of this case has been collected already")
    if status == MAILED:
        raise CaseNotReady("该办件结果已邮寄送达 / the result of this case was mailed")
    if status != READY:
        raise CaseNotReady(f"办件{STATUS_NAMES.get(status, status)}，结果尚未可领取 / the case is {status}, "
                           "not ready for pickup")


def is_overdue(status: str, today: dt.date, deadline: dt.date) -> bool:
    """Undecided after its deadline day (承诺时限 passed)."""
    return status == ACCEPTED and today > deadline


OVERDUE_KIND = "case_overdue"


def overdue_findings(cases: list[tuple[str, str, str, dt.date]]) -> list[Finding]:
    """case_overdue for each (number, item name, department name, deadline) not decided by its deadline."""
    return [Finding(OVERDUE_KIND, number, f"办件{number}（{service}，{department}）已超过承诺时限 {deadline.isoformat()}"
                                          f"仍未办结 / case {number} is past its deadline {deadline.isoformat()}")
            for number, service, department, deadline in cases]


def delivery_from_column(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split(",") if part)


@dataclass(frozen=True)
class DecideCase(Command):
    number: str
    decision: str
    note: str | None
    actor: Actor


@dataclass(frozen=True)
class MarkReady(Command):
    number: str
    actor: Actor


@dataclass(frozen=True)
class MarkMailed(Command):
    number: str
    tracking: str
    actor: Actor


@dataclass(frozen=True)
class IssuePickup(Command):
    """领取办件结果: a ticket of the site's pickup queue for a ready case (its number, or its tracking address)."""

    case: str
    kiosk: str | None = None


@dataclass
class CaseChanged(Event):
    """A case moved: the staff stream hears it (the back office, the board). No case id, name or phone."""

    kind: ClassVar[str] = "case"
    number: str
    service: str
    department: str
    status: str
    at: str
    by: str | None = None


@dataclass
class CaseMoved(Event):
    """The same move for this process's reactions (the holder's tracking page, the notifier): never stored,
    never sent as it is."""

    case_id: str
    number: str
    status: str
