"""The names people read for the codes the server sends — ticket statuses, finish outcomes, printer
states, print job states — in Chinese and English, in one place. Every page gets them in its config
(``page_vocabulary()`` → ``config.vocabulary``); the browser code holds codes, never their names.

The codes themselves stay where they are defined: ticket statuses and outcomes in
``server.domain.tickets``, printer states and print job statuses in ``server.domain.devices``. A code
without a name here is an error at import.
"""

from __future__ import annotations

from server.domain.devices import CANNOT_PRINT, OPEN_PRINT_JOBS, PRINT_JOB_STATUSES, PRINTER_STATES
from server.domain.tickets import CANCEL_REASONS, OUTCOME_NAMES, OUTCOMES, STATUS_NAMES, STATUSES

TICKET_STATUS_EN = {
    "waiting": "Waiting", "called": "Called", "serving": "Being served", "done": "Done",
    "no_show": "Missed", "transferred": "Transferred", "cancelled": "Cancelled",
}
# What the ticket's holder reads on the phone page (/t/<id>).
TICKET_STATUS_PHONE = {
    "waiting": ("排队等候中", "Waiting in the queue"),
    "called": ("正在叫号，请立即前往窗口", "You are called: please go to the window now"),
    "serving": ("正在办理", "Being served"),
    "done": ("已办结，感谢您的耐心等候", "Done. Thank you for your patience"),
    "no_show": ("已过号，如需办理请重新取号", "Missed: please take a new ticket if you still need the service"),
    "cancelled": ("号票已取消", "This ticket was cancelled"),
    "transferred": ("已转至其他业务，正在更新……", "Moved to another service, updating…"),
}
# What the clerk reads about the ticket at the window, and the window screen above the counter says.
TICKET_STATUS_STAFF = {"called": "已叫号，等待群众到窗口"}
TICKET_STATUS_SCREEN = {"called": "请到本窗口办理", "serving": "正在办理"}

# Why a ticket was cancelled, as its holder reads it on the phone page.
CANCEL_REASON_PHONE = {
    "day_closed": ("当日未叫到，号票已作废，如需办理请重新取号", "The day ended before your call: please take a new ticket"),
    "citizen": ("您已取消本号票", "You cancelled this ticket"),
    "staff": ("号票已由工作人员取消", "Staff cancelled this ticket"),
}

OUTCOME_EN = {
    "accepted": "Acceptance notice", "notified": "One-time notice", "rejected": "Rejection notice",
    "handled": "Done on the spot",
}

PRINTER_STATE_NAMES = {
    "online": ("打印机正常", "Printer ready"),
    "offline": ("打印机离线", "Printer offline"),
    "paper_out": ("打印机缺纸", "Printer out of paper"),
    "paper_low": ("打印纸将用尽", "Paper running low"),
    "cover_open": ("打印机盖未关好", "Printer cover open"),
    "unknown": ("打印机状态未知", "Printer state unknown"),
}
# What the counter's banner does on a printer event: a state that stops printing is an error; paper
# running low a warning; "online" clears the banner; "unknown" (no ESC/POS reply) says nothing new.
PRINTER_ALERT_OTHERWISE = {"online": "clear", "paper_low": "warning", "unknown": None}

PRINT_JOB_NAMES = {
    "pending": ("等待打印", "Waiting to print"),
    "sent": ("正在打印", "Printing"),
    "failed": ("未能打印", "Not printed"),
    "printed": ("已打印", "Printed"),
}
# The order a page shows a job's states in, never going back: a late "printed" may follow "failed"
# (kiosk.jobs accepts it: the paper did come out), and nothing returns to "pending".
PRINT_JOB_PROGRESS = ("pending", "sent", "failed", "printed")


def _named(codes, names: dict, what: str) -> None:
    missing = [code for code in codes if code not in names]
    if missing:
        raise LookupError(f"no name for {what} {', '.join(missing)} in server/vocabulary.py")


_named(STATUSES, TICKET_STATUS_EN, "ticket status")
_named(STATUSES, TICKET_STATUS_PHONE, "ticket status (phone)")
_named(OUTCOMES, OUTCOME_EN, "outcome")
_named(CANCEL_REASONS, CANCEL_REASON_PHONE, "cancel reason")
_named(PRINTER_STATES, PRINTER_STATE_NAMES, "printer state")
_named(PRINT_JOB_STATUSES, PRINT_JOB_NAMES, "print job status")
if sorted(PRINT_JOB_PROGRESS) != sorted(PRINT_JOB_STATUSES):
    raise LookupError("PRINT_JOB_PROGRESS must order exactly server.domain.devices.PRINT_JOB_STATUSES")


def page_vocabulary() -> dict:
    """``{"ticket_status", "outcome", "cancel_reason", "printer_state", "print_job"}``: code → its names
    (``zh``, ``en``) and what pages need to know of it. A page's JSON has its keys sorted, so an order
    travels as a field: outcomes carry the key that finishes with them on the counter (1, 2, …, as
    OUTCOMES are ordered), print job states their ``rank``."""
    def status(code: str) -> dict:
        phone_zh, phone_en = TICKET_STATUS_PHONE[code]
        return {"zh": STATUS_NAMES[code], "en": TICKET_STATUS_EN[code],
                "phone": {"zh": phone_zh, "en": phone_en},
                "staff": TICKET_STATUS_STAFF.get(code, STATUS_NAMES[code]),
                "screen": TICKET_STATUS_SCREEN.get(code, STATUS_NAMES[code])}

    def printer(code: str) -> dict:
        zh, en = PRINTER_STATE_NAMES[code]
        alert = "error" if code in CANNOT_PRINT else PRINTER_ALERT_OTHERWISE.get(code, "warning")
        return {"zh": zh, "en": en, "can_print": code not in CANNOT_PRINT, "alert": alert}

    def job(code: str) -> dict:
        zh, en = PRINT_JOB_NAMES[code]
        return {"zh": zh, "en": en, "open": code in OPEN_PRINT_JOBS, "rank": PRINT_JOB_PROGRESS.index(code)}

    return {
        "ticket_status": {code: status(code) for code in STATUSES},
        "outcome": {code: {"zh": OUTCOME_NAMES[code], "en": OUTCOME_EN[code], "key": str(index)}
                    for index, code in enumerate(OUTCOMES, start=1)},
        "cancel_reason": {code: {"zh": CANCEL_REASONS[code], "phone": {"zh": CANCEL_REASON_PHONE[code][0],
                                                                       "en": CANCEL_REASON_PHONE[code][1]}}
                          for code in CANCEL_REASONS},
        "printer_state": {code: printer(code) for code in PRINTER_STATES},
        "print_job": {code: job(code) for code in PRINT_JOB_STATUSES},
    }
