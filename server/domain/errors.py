"""Errors that a citizen or clerk can be shown as they are: the one error type of the hall.

Each error carries a stable snake_case ``code`` for integrators, a ``message`` in Chinese with an
English gloss for people, and the HTTP ``status`` it answers with. The HTTP API and the Socket.IO
handlers both turn it into ``{"error": {"code", "message"}}``; nothing else defines an error shape.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the hall refused the request; nothing was changed."""

    code: str = "domain_error"
    status: int = 409
    default_message: str = "操作未能完成 / The request could not be completed"

    def __init__(self, message: str | None = None) -> None:
        self.message: str = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def payload(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


# What an unknown id names, in Chinese and English: the one table for the API, the sockets and the pages.
NOT_FOUND_NAMES: dict[str, tuple[str, str]] = {
    "site": ("没有这个服务大厅", "This service hall does not exist"),
    "service": ("没有这个事项", "No such service"),
    "window": ("没有这个窗口", "No such window"),
    "ticket": ("没有找到这张号票", "This ticket was not found"),
    "kiosk": ("没有这台取号机", "No such kiosk"),
    "display": ("没有这块显示屏", "No such display"),
    "priority": ("没有这个优先类别", "No such priority class"),
    "print_job": ("没有这个打印任务", "No such print job"),
    "alert": ("没有这条提醒", "No such alert"),
    "appointment": ("没有找到这个预约", "This appointment was not found"),
    "rectification": ("没有这条整改", "No such rectification"),
}


class NotFound(DomainError):
    """An id that names nothing: 404 ``unknown_<kind>``."""

    status = 404

    def __init__(self, kind: str, ident: object) -> None:
        self.kind, self.ident = kind, ident
        self.code = f"unknown_{kind}"
        chinese, english = NOT_FOUND_NAMES.get(kind, ("找不到", "Not found"))
        self.chinese, self.english = chinese, english
        super().__init__(f"{chinese}：{_printable(ident)} / {english}")


def _printable(ident: object) -> str:
    """The id as it can be shown and encoded: a lone surrogate from a URL must not break the answer."""
    text = str(ident)[:100]
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class BadRequest(DomainError):
    """The message itself is wrong (shape, type, length): 400, with the field named."""

    status = 400

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class AuthError(DomainError):
    """No login (401), or a login that may not do this (403)."""

    status = 401

    def __init__(self, code: str, message: str, status: int = 401) -> None:
        self.code, self.status = code, status
        super().__init__(message)


class IllegalTransition(DomainError):
    code = "illegal_transition"
    default_message = "当前号票状态不允许此操作 / Not allowed in the ticket's current state"


class InvalidOutcome(DomainError):
    code = "invalid_outcome"
    status = 400
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


class NoPrinter(DomainError):
    code = "no_printer"
    default_message = "该取号机未配置打印机 / This kiosk has no printer"


class ReasonRequired(DomainError):
    code = "reason_required"
    status = 400
    default_message = "不予受理须说明理由 / a rejection needs a reason"


class NotAuthorised(DomainError):
    code = "not_authorised"
    default_message = ("该事项仅委托综合窗口受理，不能即办 / this item is delegated for acceptance only and cannot be "
                       "handled on the spot here")


class RequeueExpired(DomainError):
    code = "requeue_expired"
    default_message = "过号时间已超过可重排时限，请重新取号 / missed too long ago to be put back in line: take a new ticket"
