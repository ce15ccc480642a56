"""One handler per command, ``handler(command, uow, context)``; ``HANDLERS`` maps each command to its own."""

from __future__ import annotations

from server.domain import alerts as alert_commands
from server.domain import assignments as assignment_commands
from server.domain import cases as case_commands
from server.domain import commands
from server.domain import ratings as rating_commands
from server.domain import rectifications as rectification_commands
from server.service_layer.handlers import (
    alerts,
    appointments,
    assignments,
    cases,
    current,
    day_close,
    devices,
    print_jobs,
    ratings,
    ticket_line,
    tickets,
    windows,
)

HANDLERS = {
    commands.IssueTicket: tickets.issue_ticket,
    commands.OpenWindow: windows.open_window,
    commands.PauseWindow: windows.pause_window,
    commands.CloseWindow: windows.close_window,
    commands.CallNext: windows.call_next,
    commands.Recall: current.recall,
    commands.NoShow: current.no_show,
    commands.Start: current.start,
    commands.Finish: current.finish,
    commands.Transfer: current.transfer,
    commands.CancelTicket: ticket_line.cancel_ticket,
    commands.RequeueTicket: ticket_line.requeue_ticket,
    commands.CloseDay: day_close.close_day,
    commands.AddPrintJob: print_jobs.add_print_job,
    commands.ChangePrintJob: print_jobs.change_print_job,
    commands.RecordPrinterState: devices.record_printer_state,
    commands.RecordScreenState: devices.record_screen_state,
    alert_commands.EvaluateAlerts: alerts.evaluate_alerts,
    alert_commands.AckAlert: alerts.ack_alert,
    assignment_commands.AssignWindow: assignments.assign_window,
    assignment_commands.ExpireAssignments: assignments.expire_assignments,
    rating_commands.RateTicket: ratings.rate_ticket,
    rectification_commands.ActOnRectification: ratings.act_on_rectification,
    case_commands.DecideCase: cases.decide_case,
    case_commands.MarkReady: cases.mark_ready,
    case_commands.MarkMailed: cases.mark_mailed,
    case_commands.IssuePickup: cases.issue_pickup,
}
HANDLERS.update(appointments.HANDLERS)  # 预约取号
