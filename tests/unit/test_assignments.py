"""弹性窗口 rules and use cases without a database: which queues a window may be given, what "HH:MM" means in
the hall's day, how an assignment changes a window's call, and the handlers over the in-memory unit of work."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest

from layout.model import Overflow
from server.domain import commands
from server.domain.assignments import (
    Assignment,
    AssignWindow,
    ExpireAssignments,
    QueueNotAllowed,
    WindowClosedForAssignment,
    check_queues,
    ends_at,
    until_moment,
)
from server.domain.errors import BadRequest
from server.domain.events import WindowChanged, public_payload
from server.domain.ordering import Lane, choose, plan_call
from tests.support.helping_hall import helping_hall
from tests.unit.domain_factories import MORNING, make_priority, make_ticket, make_window
from tests.unit.test_handlers import CLERK, Hall, open_window

MANAGER = commands.Actor(3, "boss", "manager")
NINE_UTC = dt.datetime(2026, 1, 5, 1, 0)  # 09:00 in Asia/Shanghai
NOW = MORNING + timedelta(minutes=60)


def test_an_assignment_replaces_the_window_s_own_queues_in_its_order_and_keeps_overflow_after_them():
    window = make_window("w5", ("g",), overflow=(Overflow("c", 30),))
    plan = plan_call(window, make_priority(2, 1), 0, NOW, queues=("b", "g"))
    assert plan.lanes == (Lane("b", 0, None), Lane("g", 1, None), Lane("c", 2, NOW - timedelta(minutes=30)))
    own = make_ticket("own", "g", minute=1)
    assigned = make_ticket("assigned", "b", minute=50)
    assert choose(plan, [own, assigned]).id == "assigned", "the assigned queue first, however young its ticket"
    assert choose(plan_call(window, make_priority(2, 1), 0, NOW), [own, assigned]).id == "own"
    only_b = plan_call(window, make_priority(2, 1), 0, NOW, queues=("b",))
    assert choose(only_b, [own]) is None, "an own queue left out of the assignment waits for the others"


def test_a_window_may_be_given_its_own_queues_and_those_it_may_serve_and_nothing_else():
    window = make_window("w5", ("g",))
    window = type(window)(**{**window.__dict__, "may_serve": ("b",)})
    assert check_queues(window, ("b", "g")) == ("b", "g")
    with pytest.raises(QueueNotAllowed) as refused:
        check_queues(window, ("b", "x"))
    assert refused.value.code == "queue_not_allowed" and refused.value.status == 409 and "x" in refused.value.message
    for bad in ((), ("b", "b")):
        with pytest.raises(BadRequest):
            check_queues(window, bad)


@pytest.mark.parametrize("until", ["9:30", "09:30:00", "24:00", "12:60", "noon", " 10:00", "10:00\n"])
def test_until_must_be_a_local_hh_mm(until):
    with pytest.raises(BadRequest) as refused:
        until_moment(until, "Asia/Shanghai", NINE_UTC)
    assert refused.value.code == "invalid_until"


def test_until_is_later_today_in_the_hall_s_time_and_none_means_the_day_s_end():
    assert until_moment("10:30", "Asia/Shanghai", NINE_UTC) == dt.datetime(2026, 1, 5, 2, 30)
    assert until_moment(None, "Asia/Shanghai", NINE_UTC) is None
    for past in ("09:00", "08:59", "00:00"):
        with pytest.raises(BadRequest):
            until_moment(past, "Asia/Shanghai", NINE_UTC)
    assignment = Assignment(1, "w5", ("b",), dt.date(2026, 1, 5), None)
    assert ends_at(assignment, "Asia/Shanghai") == dt.datetime(2026, 1, 5, 16, 0)
    assert assignment.holds(dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 15, 59))
    assert not assignment.holds(dt.date(2026, 1, 6), dt.datetime(2026, 1, 5, 16, 0))


def test_the_public_copy_of_a_window_event_drops_who_assigned_it_and_why():
    staff = {"seq": 3, "window": "w5", "clerk": 1, "current": None,
             "assignment": {"id": 1, "queues": ["biz"], "until": "10:00", "reason": "很忙", "by": "boss",
                            "at": "2026-01-05T01:05:00Z"}}
    public = public_payload("window", staff)
    assert public["assignment"] == {"queues": ["biz"], "until": "10:00"} and "clerk" not in public
    assert staff["assignment"]["reason"] == "很忙", "the staff payload is left as it was"


def test_assign_call_and_expire_through_the_bus():
    hall = Hall(helping_hall())
    general = hall.issue("teacher-cert")
    hall.later(1)
    company = hall.issue("company-setup")
    with pytest.raises(WindowClosedForAssignment):
        hall(AssignWindow("hall", "w5", MANAGER, ("biz", "general"), "10:00"))
    open_window(hall, "w5")
    hall.announced.clear()
    event = hall(AssignWindow("hall", "w5", MANAGER, ("biz", "general"), "10:00", "帮一下"))
    assert isinstance(event, WindowChanged) and event.assignment["queues"] == ["biz", "general"]
    assert hall.announced == [event]
    assert "w5" in hall(commands.IssueTicket("hall", "company-change"))["windows"]
    called = hall(commands.CallNext("hall", "w5", CLERK))
    assert called["id"] == company["id"]
    hall(commands.Finish("hall", "w5", CLERK, "handled"))

    hall.now = NINE_UTC + timedelta(minutes=59)
    assert hall(ExpireAssignments("hall")) == []
    hall.now = NINE_UTC + timedelta(minutes=60)
    hall.announced.clear()
    assert hall(ExpireAssignments("hall")) == ["w5"]
    [ended] = hall.announced
    assert isinstance(ended, WindowChanged) and ended.assignment is None
    assert hall(ExpireAssignments("hall")) == [], "once"
    assert hall(commands.CallNext("hall", "w5", CLERK))["id"] == general["id"]


def test_an_assignment_over_by_the_time_another_is_made_ends_as_expired_and_its_window_is_announced():
    hall = Hall(helping_hall())
    open_window(hall, "w2")
    open_window(hall, "w5")
    hall(AssignWindow("hall", "w2", MANAGER, ("estate", "biz"), "09:30"))  # its own queues, the other way round
    hall.now = NINE_UTC + timedelta(minutes=31)
    hall.announced.clear()
    hall(AssignWindow("hall", "w5", MANAGER, ("biz",), None))
    assert [(event.window, event.assignment is None) for event in hall.announced] == [("w2", True), ("w5", False)]
    assert [(a.window, ended) for _, a, ended in hall.uow.repository.assignments] == [("w2", "expired"), ("w5", None)]
