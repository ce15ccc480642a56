"""Alerts for the hall manager (and the counters concerned): what is wrong now, found by pure rules from
the hall's state. An alert opens once per (kind, subject), stays until its cause clears, and can be
acknowledged; the handler keeps the log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from server.domain.commands import Actor, Command
from server.domain.devices import CANNOT_PRINT
from server.domain.elastic import QueueLoad
from server.domain.events import Event

KINDS = ("wait_over_target", "queue_long", "printer", "screen")
KINDS += ("bad_rating", "rectification_overdue")  # 好差评: see server.domain.rectifications.rectification_findings
PRINTER_WARNINGS = CANNOT_PRINT | {"paper_low"}


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str  # a queue, kiosk or display id
    message: str


@dataclass(frozen=True)
class ScreenSeen:
    name: str
    connected: bool | None  # None: never reported since the hall's history began
    audio: str = "ok"


def findings(queues: Iterable[tuple[QueueLoad, int | None]], printers: Mapping[str, tuple[str, str]],
             screens: Mapping[str, ScreenSeen],
             printer_words: Mapping[str, tuple[str, str]] | None = None) -> list[Finding]:
    """Every alert whose cause holds now. ``queues``: each queue's load and its alert_waiting;
    ``printers``: kiosk id → (its name, latest state); ``screens``: display id → what was seen of it;
    ``printer_words``: a printer state → its (Chinese, English) words."""
    found = []
    for queue, alert_waiting in queues:
        if queue.over_target:
            minutes = -(-queue.oldest_wait_s // 60)
            found.append(Finding("wait_over_target", queue.id,
                                 f"{queue.name}最久已等候 {minutes} 分钟，超过承诺的 {queue.target_minutes} 分钟 / "
                                 f"{queue.id}: oldest wait {minutes} min, target {queue.target_minutes}"))
        if alert_waiting is not None and queue.waiting >= alert_waiting:
            found.append(Finding("queue_long", queue.id,
                                 f"{queue.name}有 {queue.waiting} 人等候（提醒线 {alert_waiting} 人）/ "
                                 f"{queue.id}: {queue.waiting} waiting (alert at {alert_waiting})"))
    for kiosk, (name, state) in printers.items():
        if state in PRINTER_WARNINGS:
            chinese, english = (printer_words or {}).get(state, (state, state))
            found.append(Finding("printer", kiosk, f"{name}：{chinese} / {kiosk}: {english}"))
    for display, seen in screens.items():
        if not seen.connected:
            words = "未连接" if seen.connected is False else "从未连接"
            found.append(Finding("screen", display, f"{seen.name}{words} / display {display} not connected"))
        elif seen.audio != "ok":
            found.append(Finding("screen", display, f"{seen.name}没有声音（{seen.audio}）/ display {display} "
                                                    f"has no sound ({seen.audio})"))
    return found


@dataclass(frozen=True)
class EvaluateAlerts(Command):
    """Open the alerts whose cause holds, clear those whose cause went away (any process may run it)."""


@dataclass(frozen=True)
class AckAlert(Command):
    alert: int
    actor: Actor


@dataclass
class AlertChanged(Event):
    """An alert opened, cleared or was acknowledged: staff hear of it (the board, the counters)."""

    kind: ClassVar[str] = "alert"
    id: int
    alert_kind: str
    subject: str
    status: str  # open | cleared
    message: str
    since: str
    cleared_at: str | None = None
    acked_by: str | None = None
    acked_at: str | None = None
    windows: list[str] = field(default_factory=list)  # the windows concerned (their counters show it)

    def body(self) -> dict:
        values = super().body()
        values["kind"] = values.pop("alert_kind")
        return values
