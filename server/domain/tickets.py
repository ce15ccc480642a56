"""The life of a ticket: which action may follow which, and how a service ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from server.domain.errors import BadRequest, IllegalTransition, InvalidOutcome, ReasonRequired

WAITING = "waiting"
CALLED = "called"
SERVING = "serving"
DONE = "done"
NO_SHOW = "no_show"
TRANSFERRED = "transferred"
CANCELLED = "cancelled"

STATUSES: tuple[str, ...] = (WAITING, CALLED, SERVING, DONE, NO_SHOW, TRANSFERRED, CANCELLED)
STATUS_NAMES: dict[str, str] = {
    WAITING: "等候中",
    CALLED: "已叫号",
    SERVING: "办理中",
    DONE: "已办结",
    NO_SHOW: "已过号",
    TRANSFERRED: "已转办",
    CANCELLED: "已取消",
}
# A ticket in one of these states never moves again (a transfer continues as a new waiting ticket), but
# for a missed ticket that a clerk puts back in line soon after (过号重排, "requeue").
FINAL_STATUSES: frozenset[str] = frozenset({DONE, NO_SHOW, TRANSFERRED, CANCELLED})

ACTIONS: tuple[str, ...] = ("call", "recall", "start", "finish", "no_show", "transfer", "cancel", "requeue")
ACTION_NAMES: dict[str, str] = {
    "call": "叫号",
    "recall": "重呼",
    "start": "开始办理",
    "finish": "办结",
    "no_show": "标记过号",
    "transfer": "转办",
    "cancel": "取消",
    "requeue": "过号重排",
}

TRANSITIONS: dict[tuple[str, str], str] = {
    (WAITING, "call"): CALLED,
    (CALLED, "recall"): CALLED,
    (CALLED, "start"): SERVING,
    # Starting is optional at the counter, so a called ticket may be finished, missed or transferred directly.
    (CALLED, "finish"): DONE,
    (SERVING, "finish"): DONE,
    (CALLED, "no_show"): NO_SHOW,
    (CALLED, "transfer"): TRANSFERRED,
    (SERVING, "transfer"): TRANSFERRED,
    (WAITING, "cancel"): CANCELLED,
    (NO_SHOW, "requeue"): WAITING,
}
# Tickets still in the hall's hands when the local day ends; they are cancelled as "day_closed".
OPEN_STATUSES: tuple[str, ...] = (WAITING, CALLED, SERVING)

DAY_CLOSED = "day_closed"
CANCEL_REASONS: dict[str, str] = {
    DAY_CLOSED: "当日未办理，号票已作废",
    "citizen": "已由本人取消",
    "staff": "已由工作人员取消",
}

OUTCOMES: tuple[str, ...] = ("accepted", "notified", "rejected", "handled")
OUTCOME_NAMES: dict[str, str] = {
    "accepted": "受理通知书",
    "notified": "一次性告知书",
    "rejected": "不予受理凭证",
    "handled": "即办",
}


def next_status(status: str, action: str) -> str:
    """The status a ticket moves to when ``action`` is applied, or IllegalTransition."""
    if status not in STATUSES:
        raise ValueError(f"unknown ticket status {status!r}; expected one of {', '.join(STATUSES)}")
    if action not in ACTIONS:
        raise ValueError(f"unknown ticket action {action!r}; expected one of {', '.join(ACTIONS)}")
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(
            f"号票{STATUS_NAMES[status]}，不能{ACTION_NAMES[action]} / cannot {action} a ticket that is {status}"
        ) from None


def allowed_actions(status: str) -> tuple[str, ...]:
    """Actions that may be applied in ``status``, in the order of ACTIONS (for buttons on the counter)."""
    return tuple(action for action in ACTIONS if (status, action) in TRANSITIONS)


def check_outcome(outcome: object) -> str:
    """Return ``outcome`` when it is one of OUTCOMES, else raise InvalidOutcome listing the choices."""
    if isinstance(outcome, str) and outcome in OUTCOMES:
        return outcome
    choices = "、".join(f"{key}（{name}）" for key, name in OUTCOME_NAMES.items())
    raise InvalidOutcome(
        f"办理结果无效：{outcome!r}，应为 {choices} / outcome must be one of {', '.join(OUTCOMES)}"
    )


def effective_status(status: str, cancel_reason: str | None, day: dt.date, today: dt.date) -> tuple[str, str | None]:
    """(status, cancel_reason) as of ``today``: a ticket left open on an earlier day is closed with that
    day, whether or not the sweep that writes it down has run yet."""
    if day < today and status in OPEN_STATUSES:
        return CANCELLED, DAY_CLOSED
    return status, cancel_reason


MISSING_MAX = 50  # a one-time notice lists what is missing; no checklist is longer


def finish_record(outcome: str, reason: str | None, missing: Sequence[str] | None,
                  checklist: Sequence[str]) -> tuple[str | None, list[str] | None]:
    """What a finish keeps besides its outcome: the reason of a rejection (不予受理, required) and the
    entries of the item's checklist (受理审查标准) a one-time notice (一次性告知) lists as missing.

    Only the checklist's own entries may be listed: the reform's "清单之外无材料" means nothing beyond the
    published standard is asked of a citizen, and entries named the same way can be counted later."""
    reason = reason.strip() if isinstance(reason, str) else None
    if outcome == "rejected" and not reason:
        raise ReasonRequired()
    if reason and outcome != "rejected":
        raise BadRequest("invalid_field", "只有不予受理需要填写理由 / a reason goes with outcome 'rejected' only")
    if missing is None:
        return reason or None, None
    if outcome != "notified":
        raise BadRequest("invalid_field", "只有一次性告知需要列出缺少的材料 / missing goes with outcome 'notified' only")
    if isinstance(missing, str) or not isinstance(missing, Sequence) or len(missing) > MISSING_MAX:
        raise BadRequest("invalid_field", f"missing 应为不超过 {MISSING_MAX} 项的材料列表 / "
                                          f"missing must be a list of at most {MISSING_MAX} checklist entries")
    kept: list[str] = []
    known = {item.strip() for item in checklist}
    for entry in missing:
        if not isinstance(entry, str) or entry.strip() not in known:
            raise BadRequest("invalid_field", f"“{entry}”不在本事项的受理审查标准中 / {entry!r} is not an entry "
                                              "of the item's checklist")
        if entry.strip() in kept:
            raise BadRequest("invalid_field", f"“{entry}”重复 / {entry!r} is listed twice")
        kept.append(entry.strip())
    return None, kept
