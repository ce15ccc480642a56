"""Errors that a citizen or clerk can be shown as they are.

Each error carries a stable snake_case ``code`` for integrators and a Chinese ``message``
(with a short English gloss) for people. The web layer maps them to HTTP statuses.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the hall refused the request; nothing was changed."""

    code: str = "domain_error"
    default_message: str = "操作未能完成 / The request could not be completed"

    def __init__(self, message: str | None = None) -> None:
        self.message: str = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class IllegalTransition(DomainError):
    code = "illegal_transition"
    default_message = "当前号票状态不允许此操作 / Not allowed in the ticket's current state"


class InvalidOutcome(DomainError):
    code = "invalid_outcome"
    default_message = "办理结果无效 / Invalid outcome"


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    default_message = "该事项今日暂不办理 / This service is not available today"


class DailyCapReached(DomainError):
    code = "daily_cap_reached"
    default_message = "今日号已取完 / No more tickets today"


class HallClosed(DomainError):
    code = "hall_closed"
    default_message = "当前不在办公时间 / The hall is closed now"


class WindowNotOpen(DomainError):
    code = "window_not_open"
    default_message = "窗口未开放 / The window is not open"


class WindowPaused(DomainError):
    code = "window_paused"
    default_message = "窗口暂停服务 / The window is paused"


class NoCurrentTicket(DomainError):
    code = "no_current_ticket"
    default_message = "当前没有正在办理的号 / No ticket at this window"


class CurrentTicketOpen(DomainError):
    code = "current_ticket_open"
    default_message = "请先办结或标记过号当前号票 / Finish or mark the current ticket as no-show first"


class WindowTaken(DomainError):
    code = "window_taken"
    default_message = "该窗口已由其他工作人员登录 / Another clerk is signed in at this window"


class PriorityNotAllowed(DomainError):
    code = "priority_not_allowed"
    default_message = "该优先类别在本大厅不可用 / This priority class is not available here"
