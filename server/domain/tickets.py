"""The life of a ticket: which action may follow which, and how a service ends."""

from __future__ import annotations

from server.domain.errors import IllegalTransition, InvalidOutcome

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
# A ticket in one of these states never moves again; a transfer continues as a new waiting ticket.
FINAL_STATUSES: frozenset[str] = frozenset({DONE, NO_SHOW, TRANSFERRED, CANCELLED})

ACTIONS: tuple[str, ...] = ("call", "recall", "start", "finish", "no_show", "transfer", "cancel")
ACTION_NAMES: dict[str, str] = {
    "call": "叫号",
    "recall": "重呼",
    "start": "开始办理",
    "finish": "办结",
    "no_show": "标记过号",
    "transfer": "转办",
    "cancel": "取消",
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
