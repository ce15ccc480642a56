"""Call-next ordering, example by example. The properties over random halls live in
test_domain_ordering_properties.py."""

from dataclasses import replace
from datetime import timedelta

import pytest

from layout.model import Overflow, Priority
from server.domain.eta import people_ahead
from server.domain.ordering import CallPlan, Lane, choose, next_position, plan_call
from tests.unit.domain_factories import MORNING, make_priority, make_ticket, make_window

TWO_TO_ONE = make_priority(2, 1)
NOW = MORNING + timedelta(minutes=60)


def test_own_queues_come_first_in_window_order_then_overflow_with_its_cutoff():
    window = make_window("w5", ("a", "b"), overflow=(Overflow("c", 30), Overflow("d", 10)))
    plan = plan_call(window, TWO_TO_ONE, 0, NOW)
    assert plan.lanes == (
        Lane("a", 0, None),
        Lane("b", 1, None),
        Lane("c", 2, NOW - timedelta(minutes=30)),
        Lane("d", 3, NOW - timedelta(minutes=10)),
    )


def test_a_queue_that_is_both_own_and_overflow_counts_as_own():
    window = make_window("w5", ("a",), overflow=(Overflow("a", 30), Overflow("b", 15)))
    plan = plan_call(window, TWO_TO_ONE, 0, NOW)
    assert plan.lanes == (Lane("a", 0, None), Lane("b", 1, NOW - timedelta(minutes=15)))
    assert choose(plan, [make_ticket("fresh", "a", minute=59)]).id == "fresh"


@pytest.mark.parametrize(
    ("position", "prefer_priority"), [(0, True), (1, True), (2, False), (3, True), (5, False)]
)
def test_the_cycle_prefers_priority_for_p_positions_then_normal_for_n(position, prefer_priority):
    assert plan_call(make_window("w1", ("a",)), TWO_TO_ONE, position, NOW).prefer_priority is prefer_priority


def test_a_site_without_priority_classes_always_prefers_normal():
    no_classes = make_priority(2, 1, with_classes=False)
    assert not plan_call(make_window("w1", ("a",)), no_classes, 0, NOW).prefer_priority


def test_within_a_lane_the_preferred_class_goes_first_then_first_come_first_served():
    waiting = [
        make_ticket("n1", minute=1),
        make_ticket("p2", minute=5, priority_class="elderly"),
        make_ticket("p1", minute=3, priority_class="elderly"),
        make_ticket("n2", minute=2),
    ]
    prefer_priority = plan_call(make_window("w1", ("a",)), TWO_TO_ONE, 0, NOW)
    prefer_normal = plan_call(make_window("w1", ("a",)), TWO_TO_ONE, 2, NOW)
    assert choose(prefer_priority, waiting).id == "p1"
    assert choose(prefer_normal, waiting).id == "n1"


def test_the_preferred_class_falls_back_to_the_other_class_of_the_same_lane():
    plan = plan_call(make_window("w1", ("a",)), TWO_TO_ONE, 0, NOW)
    assert choose(plan, [make_ticket("n1", minute=4)]).id == "n1"


def test_an_earlier_lane_wins_even_over_a_preferred_ticket_of_a_later_lane():
    plan = plan_call(make_window("w1", ("a", "b")), TWO_TO_ONE, 0, NOW)
    waiting = [
        make_ticket("b-priority", "b", minute=0, priority_class="elderly"),
        make_ticket("a-normal", "a", 9),
    ]
    assert choose(plan, waiting).id == "a-normal"


def test_tickets_issued_at_the_same_instant_are_taken_by_id():
    plan = plan_call(make_window("w1", ("a",)), TWO_TO_ONE, 2, NOW)
    assert choose(plan, [make_ticket("t2", minute=1), make_ticket("t1", minute=1)]).id == "t1"


def test_overflow_takes_only_tickets_issued_at_or_before_the_threshold():
    window = make_window("w9", ("a",), overflow=(Overflow("b", 30),))
    plan = plan_call(window, TWO_TO_ONE, 0, NOW)  # cutoff: minute 30
    assert choose(plan, [make_ticket("b-young", "b", minute=31)]) is None
    assert choose(plan, [make_ticket("b-at-threshold", "b", minute=30)]).id == "b-at-threshold"


def test_a_window_ignores_queues_it_neither_serves_nor_helps():
    plan = plan_call(make_window("w1", ("a",)), TWO_TO_ONE, 0, NOW)
    assert plan.sort_key(make_ticket("elsewhere", "z", minute=0)) is None
    assert choose(plan, [make_ticket("elsewhere", "z", minute=0)]) is None
    assert choose(plan, []) is None


def test_sort_key_is_lane_rank_then_booked_then_class_then_issue_time_then_id():
    plan = CallPlan(window="w1", lanes=(Lane("a", 0, None), Lane("b", 1, None)), prefer_priority=False)
    ticket = make_ticket("t7", "b", minute=3, priority_class="elderly")
    assert plan.sort_key(ticket) == (1, 1, 1, ticket.issued_at, "t7")
    booked = replace(ticket, booked=True)
    assert plan.sort_key(booked) == (1, 0, 1, ticket.issued_at, "t7")


def test_a_booked_ticket_is_called_before_earlier_walk_ins_of_its_lane_whatever_their_class():
    plan = plan_call(make_window("w1", ("a", "b")), TWO_TO_ONE, 0, NOW)  # prefers priority now
    elderly = make_ticket("elderly", "a", minute=1, priority_class="elderly")
    walk_in = make_ticket("walk-in", "a", minute=2)
    booked = replace(make_ticket("booked", "a", minute=9), booked=True)
    other_lane = replace(make_ticket("other", "b", minute=0), booked=True)
    assert choose(plan, [elderly, walk_in, booked, other_lane]).id == "booked"
    assert people_ahead(walk_in, [elderly, walk_in, booked]) == 2
    assert people_ahead(booked, [elderly, walk_in, booked]) == 0


def test_the_position_advances_when_the_preferred_class_was_served_and_wraps_at_the_cycle_end():
    assert next_position(0, TWO_TO_ONE, prefer_priority=True, took_priority=True) == 1
    assert next_position(1, TWO_TO_ONE, prefer_priority=True, took_priority=True) == 2
    assert next_position(2, TWO_TO_ONE, prefer_priority=False, took_priority=False) == 0


def test_the_position_stays_when_the_preferred_class_had_nobody_in_reach():
    assert next_position(1, TWO_TO_ONE, prefer_priority=True, took_priority=False) == 1
    assert next_position(2, TWO_TO_ONE, prefer_priority=False, took_priority=True) == 2


def test_a_stored_position_beyond_a_shortened_cycle_is_read_modulo_the_cycle():
    one_to_one = make_priority(1, 1)
    assert plan_call(make_window("w1", ("a",)), one_to_one, 2, NOW).prefer_priority
    assert next_position(3, one_to_one, prefer_priority=False, took_priority=True) == 1


def test_a_priority_ticket_arriving_after_a_run_of_normal_calls_is_called_next():
    window, position = make_window("w1", ("a",)), 0
    waiting = [make_ticket(f"n{i}", minute=i) for i in range(5)]
    for _ in range(3):
        plan = plan_call(window, TWO_TO_ONE, position, NOW)
        taken = choose(plan, waiting)
        waiting.remove(taken)
        position = next_position(position, TWO_TO_ONE, plan.prefer_priority, taken.is_priority)
    waiting.append(make_ticket("p-late", minute=50, priority_class="elderly"))
    assert choose(plan_call(window, TWO_TO_ONE, position, NOW), waiting).id == "p-late"


def test_a_ratio_with_no_calls_at_all_is_refused():
    with pytest.raises(ValueError, match="0:0"):
        plan_call(
            make_window("w1", ("a",)),
            Priority(classes=TWO_TO_ONE.classes, priority_calls=0, normal_calls=0),
            0,
            NOW,
        )


def test_plan_call_refuses_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_call(make_window("w1", ("a",)), TWO_TO_ONE, 0, NOW.replace(tzinfo=None))
