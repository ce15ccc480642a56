"""The local day as the unit of a queue, a ticket leaving the line or put back into it, and how a finish
is recorded — through the message bus against the in-memory unit of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from layout.model import Delegation, Floor, Service, Zone
from server.domain import commands, errors
from server.domain.commands import Actor
from server.domain.events import TicketCalled, TicketChanged, WaitingChanged, WindowChanged
from tests.support.small_hall import small_hall
from tests.unit.test_handlers import CLERK, Hall, open_window

ONE_DAY = dt.timedelta(days=1)


@pytest.fixture
def hall() -> Hall:
    return Hall()


def call(hall: Hall, window: str = "w1") -> dict | None:
    return hall(commands.CallNext("hall", window, CLERK))


def test_on_tuesday_a_window_never_calls_a_ticket_monday_left_waiting_even_before_the_day_is_closed(hall):
    monday = hall.issue()
    hall.now += ONE_DAY
    tuesday = hall.issue()
    assert tuesday["number"] == "A001" and tuesday["ahead"] == 0, "Monday's A001 is not ahead of Tuesday's"
    open_window(hall)
    assert call(hall)["id"] == tuesday["id"]
    hall(commands.Finish("hall", "w1", CLERK, "accepted"))
    assert call(hall) is None
    assert hall.uow.repository.tickets[monday["id"]].status == "waiting", "only the sweep writes it down"


def test_the_waiting_count_of_tuesday_leaves_out_what_monday_left_waiting(hall):
    hall.issue()
    hall.now += ONE_DAY
    hall.issue("estate-first")
    waiting = [event for event in hall.announced if isinstance(event, WaitingChanged)]
    assert waiting[-1].waiting == {"estate": 1} and "day" not in waiting[-1].payload()


def test_closing_the_day_cancels_what_it_left_open_tells_each_holder_and_closes_its_windows(hall):
    waiting, called = hall.issue(), hall.issue()
    open_window(hall, "w2")
    assert hall(commands.CallNext("hall", "w2", CLERK))["id"] == waiting["id"]
    hall(commands.Start("hall", "w2", CLERK))
    open_window(hall)
    assert call(hall)["id"] == called["id"]
    still = hall.issue("company-change")
    finished = hall.issue("estate-first")
    open_window(hall, "w3")
    hall(commands.CallNext("hall", "w3", CLERK))
    hall(commands.Finish("hall", "w3", CLERK, "accepted"))
    hall(commands.CloseWindow("hall", "w3", CLERK))
    hall.now += ONE_DAY
    hall.announced.clear()

    result = hall(commands.CloseDay("hall"))

    assert result == {"site": "hall", "day": "2026-01-06", "cancelled": 3, "windows_closed": ["w1", "w2"]}
    tickets = hall.uow.repository.tickets
    for ticket in (waiting, called, still):
        assert (tickets[ticket["id"]].status, tickets[ticket["id"]].cancel_reason) == ("cancelled", "day_closed")
    assert tickets[finished["id"]].status == "done"
    told = {event.ticket["id"]: event.ticket for event in hall.announced if isinstance(event, TicketChanged)}
    assert set(told) == {waiting["id"], called["id"], still["id"]}
    assert told[still["id"]]["status"] == "cancelled" and told[still["id"]]["cancel_reason"] == "day_closed"
    windows = [event for event in hall.announced if isinstance(event, WindowChanged)]
    assert [(event.window, event.state, event.current) for event in windows] == [("w1", "closed", None),
                                                                                  ("w2", "closed", None)]
    assert [event.waiting for event in hall.announced if isinstance(event, WaitingChanged)] == [{}]

    hall.announced.clear()
    assert hall(commands.CloseDay("hall"))["cancelled"] == 0 and hall.announced == [], "a second run: nothing"


def test_a_ticket_an_earlier_day_left_open_reads_as_cancelled_before_the_sweep(hall):
    ticket = hall.issue()
    hall.now += ONE_DAY
    with pytest.raises(errors.IllegalTransition):
        hall(commands.CancelTicket("hall", ticket["id"]))


def test_the_holder_cancels_a_waiting_ticket_and_the_line_is_told(hall):
    first, second = hall.issue(), hall.issue()
    hall.announced.clear()
    cancelled = hall(commands.CancelTicket("hall", first["id"]))
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "citizen")
    assert cancelled["finished_at"] is not None
    assert [type(event).__name__ for event in hall.announced] == ["TicketChanged", "WaitingChanged"]
    assert hall.announced[1].waiting == {"biz": 1}
    open_window(hall)
    assert call(hall)["id"] == second["id"]


def test_staff_cancel_is_recorded_as_staff_and_a_ticket_at_a_window_or_finished_cannot_be_cancelled(hall):
    waiting, at_window = hall.issue("estate-first"), hall.issue()
    assert hall(commands.CancelTicket("hall", waiting["id"], CLERK))["cancel_reason"] == "staff"
    open_window(hall)
    call(hall)
    with pytest.raises(errors.IllegalTransition):
        hall(commands.CancelTicket("hall", at_window["id"]))
    hall(commands.Finish("hall", "w1", CLERK, "accepted"))
    with pytest.raises(errors.IllegalTransition):
        hall(commands.CancelTicket("hall", at_window["id"], CLERK))
    with pytest.raises(errors.NotFound):
        hall(commands.CancelTicket("hall", "no-such-ticket"))


def test_a_missed_ticket_put_back_in_line_is_called_after_those_waiting_then_and_before_later_ones(hall):
    late = hall.issue()
    hall.later(1)
    earlier = hall.issue()
    open_window(hall)
    call(hall)
    hall(commands.NoShow("hall", "w1", CLERK))
    hall.later(10)
    hall.announced.clear()
    back = hall(commands.RequeueTicket("hall", late["id"], CLERK))
    assert back["status"] == "waiting" and back["ahead"] == 1 and back["requeued_at"] is not None
    assert back["window"] is None and back["finished_at"] is None
    assert [type(event).__name__ for event in hall.announced] == ["TicketChanged", "WaitingChanged"]
    assert hall.announced[0].ticket["status"] == "waiting" and hall.announced[1].waiting == {"biz": 2}
    hall.later(1)
    after = hall.issue()
    assert after["ahead"] == 2
    assert [call(hall)["id"], finish(hall), call(hall)["id"], finish(hall), call(hall)["id"]] == [
        earlier["id"], None, late["id"], None, after["id"]]


def finish(hall: Hall) -> None:
    hall(commands.Finish("hall", "w1", CLERK, "accepted"))


def test_a_requeue_past_the_site_s_minutes_or_of_a_ticket_not_missed_is_refused():
    hall = Hall(small_hall(requeue_minutes=30))
    missed, waiting = hall.issue(), hall.issue()
    open_window(hall)
    call(hall)
    hall(commands.NoShow("hall", "w1", CLERK))
    with pytest.raises(errors.IllegalTransition):
        hall(commands.RequeueTicket("hall", waiting["id"], CLERK))
    hall.later(30.5)
    with pytest.raises(errors.RequeueExpired) as refused:
        hall(commands.RequeueTicket("hall", missed["id"], CLERK))
    assert refused.value.code == "requeue_expired" and refused.value.status == 409
    assert hall.uow.repository.tickets[missed["id"]].status == "no_show"


def test_a_site_without_requeue_refuses_every_requeue():
    hall = Hall(small_hall(requeue_minutes=0))
    missed = hall.issue()
    open_window(hall)
    call(hall)
    hall(commands.NoShow("hall", "w1", CLERK))
    hall.later(0.1)
    with pytest.raises(errors.RequeueExpired):
        hall(commands.RequeueTicket("hall", missed["id"], CLERK))


def test_an_item_delegated_for_acceptance_only_cannot_be_handled_at_once_at_a_general_window(hall):
    hall.issue("teacher-cert")
    open_window(hall, "w5")
    hall(commands.CallNext("hall", "w5", CLERK))
    with pytest.raises(errors.NotAuthorised) as refused:
        hall(commands.Finish("hall", "w5", CLERK, "handled"))
    assert refused.value.code == "not_authorised" and refused.value.status == 409
    current = hall.uow.repository.window_state("hall", "w5").current_ticket
    assert hall.uow.repository.tickets[current].status == "called", "the refusal changed nothing"
    assert hall(commands.Finish("hall", "w5", CLERK, "accepted"))["outcome"] == "accepted"


def handle_hall() -> Hall:
    """teacher-cert delegated with authority "handle"; company-change also delegated, for acceptance only,
    while it keeps its home queue biz."""
    site = small_hall().sites[0]
    delegations = (
        replace(site.delegations[0], authority="handle"),
        Delegation("amr-2025", "amr", ("company-change",), "general", dt.date(2025, 1, 1), dt.date(2030, 1, 1)),
    )
    return Hall(small_hall(delegations=delegations))


def test_an_item_delegated_with_authority_to_handle_is_handled_at_once():
    hall = handle_hall()
    hall.issue("teacher-cert")
    open_window(hall, "w5")
    hall(commands.CallNext("hall", "w5", CLERK))
    assert hall(commands.Finish("hall", "w5", CLERK, "handled"))["outcome"] == "handled"


def test_the_department_s_own_window_may_handle_its_item_whatever_it_delegated():
    hall = handle_hall()
    hall.issue("company-change")  # routed to the general queue by the delegation
    open_window(hall, "w5")
    hall(commands.CallNext("hall", "w5", CLERK))
    with pytest.raises(errors.NotAuthorised):
        hall(commands.Finish("hall", "w5", CLERK, "handled"))
    hall(commands.Transfer("hall", "w5", CLERK, "company-setup"))  # to biz, the department's own queue
    open_window(hall, "w1")
    hall(commands.CallNext("hall", "w1", CLERK))
    assert hall(commands.Finish("hall", "w1", CLERK, "handled"))["outcome"] == "handled"


def test_a_rejection_keeps_its_reason_and_a_one_time_notice_the_missing_entries(hall):
    hall.issue(), hall.issue()
    open_window(hall)
    call(hall)
    with pytest.raises(errors.ReasonRequired):
        hall(commands.Finish("hall", "w1", CLERK, "rejected"))
    rejected = hall(commands.Finish("hall", "w1", CLERK, "rejected", reason="不属于本机关职权范围"))
    assert rejected["reason"] == "不属于本机关职权范围" and rejected["missing"] is None
    call(hall)
    with pytest.raises(errors.BadRequest):
        hall(commands.Finish("hall", "w1", CLERK, "notified", missing=("户口本",)))
    notified = hall(commands.Finish("hall", "w1", CLERK, "notified", missing=("身份证明",)))
    assert notified["missing"] == ["身份证明"] and notified["reason"] is None


def floors_hall() -> Hall:
    """The biz queue's own windows on the third floor, the general w5 (which helps biz) on the first."""
    site = small_hall().sites[0]
    windows = tuple(replace(window, zone="accept-3f") if window.id in ("w1", "w2") else window
                    for window in site.windows)
    return Hall(small_hall(floors=(Floor("f1", "一楼", "1st floor"), Floor("f3", "三楼", "3rd floor")),
                           zones=(Zone("accept", "综合受理区", "f1"), Zone("accept-3f", "三楼综合受理区", "f3"),
                                  Zone("pickup", "综合出件区", "f1")),
                           windows=windows))


def test_a_ticket_lists_its_own_windows_then_the_helping_ones_floor_by_floor():
    hall = floors_hall()
    ticket = hall.issue()
    assert ticket["windows"] == ["w1", "w2", "w5"] and ticket["overflow_windows"] == ["w5"]
    assert [(g["floor_name"], g["numbers"], g["overflow"], g["text"]) for g in ticket["where"]] == [
        ("三楼", ["1", "2"], False, "三楼 1、2号窗口"), ("一楼", ["5"], True, "一楼 5号窗口")]
    assert ticket["where"][0]["text_en"] == "Windows 1, 2, 3rd floor"


def test_a_call_by_overflow_on_another_floor_says_its_floor_and_the_zones_the_ticket_was_sent_to():
    hall = floors_hall()
    hall.issue()
    hall.later(31)
    open_window(hall, "w5")
    hall(commands.CallNext("hall", "w5", CLERK))
    [called] = [event for event in hall.announced if isinstance(event, TicketCalled)]
    public = called.public_view()
    assert (public["zone"], public["floor"], public["floor_name"]) == ("accept", "f1", "一楼")
    assert public["queue_zones"] == ["accept-3f"] and "ticket_id" not in public


def eta_hall() -> Hall:
    """The general queue takes only delegated items (no home item): teacher-cert takes 5 minutes."""
    site = small_hall().sites[0]
    services = tuple(replace(service, average_minutes=5) if service.id == "teacher-cert" else service
                     for service in site.services)
    return Hall(small_hall(services=services + (Service("other", "别的事项", "edu", "biz", 50),)))


def test_a_general_queue_estimates_with_its_delegated_items_and_says_so_when_no_window_is_open():
    hall = eta_hall()
    first = hall.issue("teacher-cert")
    assert first["eta_minutes"] is None and first["eta_note"] == "暂无窗口开放 / no window open"
    open_window(hall, "w5", Actor(3, "clerk3", "clerk"))
    second = hall.issue("teacher-cert")
    assert second["number"] == "G002" and second["ahead"] == 1
    assert second["eta_minutes"] == 5 and second["eta_note"] is None
