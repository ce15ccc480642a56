"""Every use case through the message bus, against the in-memory unit of work: no database, no Flask."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from server.domain import commands, errors
from server.domain.commands import Actor
from server.domain.events import (
    PrinterStateChanged,
    PrintJobChanged,
    ScreenStateChanged,
    TicketCalled,
    TicketChanged,
    TicketIssued,
    WaitingChanged,
    WindowChanged,
)
from server.service_layer.context import HallContext
from server.service_layer.handlers import HANDLERS
from server.service_layer.messagebus import MessageBus
from tests.fakes.fake_hall import FakeUnitOfWork
from tests.support.small_hall import small_hall

CLERK = Actor(1, "clerk1", "clerk")
OTHER = Actor(2, "clerk2", "clerk")
MONDAY_9 = dt.datetime(2026, 1, 5, 1, 0)  # 09:00 in Asia/Shanghai, naive UTC as stored


class Hall:
    """A bus over the fake unit of work, with a clock the test moves and what each subscriber heard."""

    def __init__(self, layout=None, ignore_hours: bool = True) -> None:
        self.now = MONDAY_9
        ids = (f"id-{n:04d}" for n in itertools.count(1))
        self.context = HallContext(layout or small_hall(), clock=lambda: self.now, ignore_hours=ignore_hours,
                                   new_id=lambda: next(ids))
        self.uow = FakeUnitOfWork()
        self.announced: list = []
        self.reacted: list = []
        self.bus = MessageBus(self.uow, self.context, HANDLERS, announcers=[self.announced.append],
                              reactions={TicketIssued: [self.reacted.append]})

    def __call__(self, command):
        return self.bus.handle(command)

    def issue(self, service: str = "company-setup", **values) -> dict:
        return self(commands.IssueTicket("hall", service, **values))

    def later(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)

    def kinds(self) -> list[str]:
        return [type(event).__name__ for event in self.announced]


@pytest.fixture
def hall() -> Hall:
    return Hall()


def open_window(hall: Hall, window: str = "w1", actor: Actor = CLERK) -> WindowChanged:
    return hall(commands.OpenWindow("hall", window, actor))


def test_tickets_are_numbered_per_queue_and_announced_as_a_waiting_count(hall):
    first, second = hall.issue(), hall.issue()
    estate = hall.issue("estate-first")
    assert (first["number"], second["number"], estate["number"]) == ("A001", "A002", "B001")
    assert second["ahead"] == 1 and second["windows"] == ["w1", "w2", "w5"], "own windows, then the helping w5"
    assert second["overflow_windows"] == ["w5"]
    waiting = [event for event in hall.announced if isinstance(event, WaitingChanged)]
    assert [event.waiting for event in waiting] == [{"biz": 1}, {"biz": 2}, {"biz": 2, "estate": 1}]
    assert [event.seq for event in waiting] == [1, 2, 3] and [event.public_seq for event in waiting] == [1, 2, 3]


def test_a_ticket_issued_at_a_kiosk_with_a_printer_gets_a_print_job_for_the_printing_reaction():
    from layout.model import PrinterConfig

    hall = Hall(small_hall(printer=PrinterConfig(type="dummy")))
    ticket = hall.issue(kiosk="k1")
    [issued] = hall.reacted
    assert issued.print_job == ticket["print_job"] == 1 and issued.ticket["id"] == ticket["id"]
    assert issued.seq is None, "an internal event is not numbered"


@pytest.mark.parametrize(("values", "error"), [
    ({"service": "nothing"}, errors.NotFound),
    ({"service": "company-setup", "priority": "vip"}, errors.NotFound),
    ({"service": "company-setup", "kiosk": "k9"}, errors.NotFound),
    ({"service": "stat-report"}, errors.ServiceUnavailable),
])
def test_an_issue_naming_nothing_or_an_item_not_taken_today_is_refused_and_records_nothing(hall, values, error):
    with pytest.raises(error):
        hall(commands.IssueTicket("hall", **values))
    assert hall.announced == [] and hall.uow.repository.tickets == {}


def test_the_daily_cap_refuses_the_next_ticket_and_gives_its_number_back(hall):
    for _ in range(3):
        hall.issue("estate-first")
    with pytest.raises(errors.DailyCapReached):
        hall.issue("estate-first")
    assert hall.uow.repository.counters[("hall", "service:estate-first", dt.date(2026, 1, 5))] == 3


def test_outside_opening_hours_no_ticket_is_issued():
    hall = Hall(ignore_hours=False)
    hall.now = dt.datetime(2026, 1, 4, 4, 0)  # Sunday noon
    with pytest.raises(errors.HallClosed):
        hall.issue()


def test_opening_a_window_answers_its_event_and_a_second_clerk_cannot_take_it(hall):
    opened = open_window(hall)
    assert isinstance(opened, WindowChanged) and opened.state == "open" and opened.clerk == CLERK.id
    assert opened.seq == 1 and opened.public_view()["seq"] == 1 and "clerk" not in opened.public_view()
    with pytest.raises(errors.WindowTaken):
        open_window(hall, actor=OTHER)
    paused = hall(commands.PauseWindow("hall", "w1", CLERK, "  午休  "))
    assert paused.state == "paused" and paused.reason == "午休"
    assert hall(commands.CloseWindow("hall", "w1", CLERK)).state == "closed"


def test_a_closed_window_cannot_call_and_a_paused_one_cannot_call_or_recall(hall):
    hall.issue()
    with pytest.raises(errors.WindowNotOpen):
        hall(commands.CallNext("hall", "w1", CLERK))
    open_window(hall)
    hall(commands.PauseWindow("hall", "w1", CLERK))
    with pytest.raises(errors.WindowPaused):
        hall(commands.CallNext("hall", "w1", CLERK))


def test_call_next_takes_the_oldest_ticket_and_announces_call_count_and_window_in_that_order(hall):
    first = hall.issue()
    hall.later(1)
    hall.issue()
    open_window(hall)
    hall.announced.clear()
    called = hall(commands.CallNext("hall", "w1", CLERK))
    assert called["id"] == first["id"] and called["status"] == "called" and called["window_number"] == "1"
    assert hall.kinds() == ["TicketCalled", "TicketChanged", "WaitingChanged", "WindowChanged"]
    call = hall.announced[0]
    assert isinstance(call, TicketCalled) and call.ticket == "A001" and call.ticket_id == first["id"]
    assert "ticket_id" not in call.public_view() and call.public_view()["ticket"] == "A001"
    change = hall.announced[1]
    assert isinstance(change, TicketChanged) and change.ticket["status"] == "called" and change.seq is None
    with pytest.raises(errors.CurrentTicketOpen):
        hall(commands.CallNext("hall", "w1", CLERK))


def test_an_empty_queue_answers_nothing_and_announces_nothing(hall):
    open_window(hall)
    hall.announced.clear()
    assert hall(commands.CallNext("hall", "w1", CLERK)) is None
    assert hall.announced == []


def test_priority_tickets_interleave_two_to_one_with_normal_ones(hall):
    for priority in (None, None, None, "elderly", "elderly", "elderly"):
        hall.issue(priority=priority)
        hall.later(1)
    open_window(hall)
    taken = []
    for _ in range(6):
        taken.append(hall(commands.CallNext("hall", "w1", CLERK))["priority"])
        hall(commands.Finish("hall", "w1", CLERK, "handled"))
    assert taken == ["elderly", "elderly", None, "elderly", None, None]


def test_a_general_window_helps_a_subject_queue_only_past_the_overflow_threshold(hall):
    hall.issue()
    open_window(hall, "w5")
    assert hall(commands.CallNext("hall", "w5", CLERK)) is None
    hall.later(31)
    assert hall(commands.CallNext("hall", "w5", CLERK))["number"] == "A001"


def test_recall_announces_the_call_again_marked_as_a_recall(hall):
    hall.issue()
    open_window(hall)
    hall(commands.CallNext("hall", "w1", CLERK))
    hall.announced.clear()
    hall(commands.Recall("hall", "w1", CLERK))
    call = next(event for event in hall.announced if isinstance(event, TicketCalled))
    assert call.recall is True and call.ticket == "A001"


@pytest.mark.parametrize(("command", "status"), [
    (lambda: commands.NoShow("hall", "w1", CLERK), "no_show"),
    (lambda: commands.Finish("hall", "w1", CLERK, "accepted"), "done"),
])
def test_a_finished_or_missed_ticket_frees_the_window_and_tells_its_holder(hall, command, status):
    hall.issue()
    open_window(hall)
    hall(commands.CallNext("hall", "w1", CLERK))
    hall.later(7)
    view = hall(command())
    assert view["status"] == status and view["finished_at"] is not None
    assert hall.uow.repository.window_state("hall", "w1").current_ticket is None
    told = [event.ticket["status"] for event in hall.announced if isinstance(event, TicketChanged)]
    assert told[-1] == status


def test_start_then_finish_keeps_the_outcome_and_an_unknown_outcome_is_refused(hall):
    hall.issue()
    open_window(hall)
    hall(commands.CallNext("hall", "w1", CLERK))
    assert hall(commands.Start("hall", "w1", CLERK))["status"] == "serving"
    with pytest.raises(errors.InvalidOutcome):
        hall(commands.Finish("hall", "w1", CLERK, "maybe"))
    assert hall(commands.Finish("hall", "w1", CLERK, "notified"))["outcome"] == "notified"
    with pytest.raises(errors.NoCurrentTicket):
        hall(commands.Finish("hall", "w1", CLERK, "notified"))


def test_a_transfer_keeps_the_number_and_the_original_issue_time_in_the_new_queue(hall):
    first = hall.issue()
    hall.later(5)
    hall.issue("estate-first")
    open_window(hall)
    hall(commands.CallNext("hall", "w1", CLERK))
    moved = hall(commands.Transfer("hall", "w1", CLERK, "estate-first"))
    successor = moved["transferred_ticket"]
    assert moved["status"] == "transferred" and successor["number"] == "A001" and successor["queue"] == "estate"
    assert successor["issued_at"] == first["issued_at"] and successor["ahead"] == 0, "ahead of the later B001"
    with pytest.raises(errors.NotFound):
        hall(commands.Transfer("hall", "w1", CLERK, "nothing"))


def test_only_the_window_s_clerk_or_an_admin_acts_on_its_ticket(hall):
    hall.issue()
    open_window(hall)
    hall(commands.CallNext("hall", "w1", CLERK))
    with pytest.raises(errors.WindowTaken):
        hall(commands.NoShow("hall", "w1", OTHER))
    assert hall(commands.NoShow("hall", "w1", Actor(9, "admin", "admin")))["status"] == "no_show"


def test_a_print_job_changes_only_from_the_states_named_and_each_change_is_an_event():
    from layout.model import PrinterConfig

    hall = Hall(small_hall(printer=PrinterConfig(type="dummy")))
    job = hall.issue(kiosk="k1")["print_job"]
    sent = hall(commands.ChangePrintJob("hall", job, "sent", only_from=("pending",), attempt=True))
    assert sent["status"] == "sent" and sent["attempts"] == 1
    assert hall(commands.ChangePrintJob("hall", job, "sent", only_from=("pending",))) is None
    hall(commands.ChangePrintJob("hall", job, "failed", "缺纸  \n 请换纸", printer_state="paper_out"))
    changes = [event for event in hall.announced if isinstance(event, PrintJobChanged)]
    assert [(e.status, e.reason) for e in changes] == [("sent", None), ("failed", "缺纸 请换纸")]
    assert changes[-1].payload()["printer_state"] == "paper_out" and changes[-1].public_view() is None
    reprint = hall(commands.AddPrintJob("hall", "k1", changes[-1].ticket_id))
    assert reprint["status"] == "pending" and reprint["id"] == job + 1
    with pytest.raises(errors.NotFound):
        hall(commands.ChangePrintJob("hall", 99, "printed"))


def test_device_states_are_staff_events_that_take_no_public_seq(hall):
    hall(commands.RecordPrinterState("hall", "k1", "paper_out", "缺纸", "2026-01-05T01:00:00Z"))
    hall(commands.RecordScreenState("hall", "lobby", "lobby", "blocked", True))
    hall.issue()
    printer, screen, waiting = hall.announced[0], hall.announced[1], hall.announced[2]
    assert isinstance(printer, PrinterStateChanged) and isinstance(screen, ScreenStateChanged)
    assert screen.payload()["kind"] == "lobby" and screen.payload()["audio"] == "blocked"
    assert (printer.seq, screen.seq, waiting.seq) == (1, 2, 3)
    assert (printer.public_seq, screen.public_seq, waiting.public_seq) == (None, None, 1)


def test_a_failing_subscriber_is_logged_and_never_undoes_the_commit(hall, caplog):
    def broken(event):
        raise RuntimeError("screen fan-out down")

    bus = MessageBus(hall.uow, hall.context, HANDLERS, announcers=[broken, hall.announced.append])
    ticket = bus.handle(commands.IssueTicket("hall", "company-setup"))
    assert ticket["number"] == "A001" and hall.uow.commits == 1
    assert [type(event).__name__ for event in hall.announced] == ["WaitingChanged", "TicketIssued"]
    assert "screen fan-out down" in caplog.text
