import datetime as dt
from datetime import timedelta

import pytest

from server.domain.eta import estimate_minutes, people_ahead
from tests.unit.domain_factories import make_ticket

WAITING = (
    make_ticket("n1", minute=0),
    make_ticket("p1", minute=1, priority_class="elderly"),
    make_ticket("n2", minute=2),
    make_ticket("p2", minute=3, priority_class="elderly"),
    make_ticket("n3", minute=4),
    make_ticket("other-queue", queue="b", minute=0),
)


def test_a_normal_ticket_counts_every_earlier_ticket_of_its_queue():
    assert people_ahead(WAITING[4], WAITING) == 4


def test_a_priority_ticket_counts_only_earlier_priority_tickets():
    assert people_ahead(WAITING[3], WAITING) == 1
    assert people_ahead(WAITING[1], WAITING) == 0


def test_the_first_ticket_has_nobody_ahead_and_later_tickets_do_not_count():
    assert people_ahead(WAITING[0], WAITING) == 0


def test_tickets_issued_in_the_same_instant_are_ordered_by_id_like_the_call_order():
    first, second = make_ticket("t1", minute=5), make_ticket("t2", minute=5)
    assert people_ahead(second, (first, second)) == 1
    assert people_ahead(first, (first, second)) == 0


def test_nobody_ahead_means_no_wait():
    assert estimate_minutes(0, 1, [30.0], 10.0) == 0


def test_without_recent_services_the_default_duration_is_used():
    assert estimate_minutes(3, 1, [], 10.0) == 30


def test_the_wait_is_shared_among_the_serving_windows_and_rounded_up():
    assert estimate_minutes(5, 2, [7.0, 9.0], 10.0) == 20  # 5 * 8 / 2
    assert estimate_minutes(1, 3, [10.0], 10.0) == 4  # 3.33… rounds up


def test_with_no_serving_window_open_there_is_no_figure_at_all():
    assert estimate_minutes(2, 0, [], 5.0) is None
    assert estimate_minutes(0, 0, [], 5.0) is None, "nobody ahead, but nobody to call either"


def test_a_requeued_ticket_stands_behind_those_waiting_when_it_came_back():
    from dataclasses import replace

    from tests.unit.domain_factories import MORNING
    back = replace(make_ticket("n0", minute=-30), requeued_at=MORNING + timedelta(minutes=3, seconds=30))
    waiting = (*WAITING, back)
    assert people_ahead(back, waiting) == 4, "n1, p1, n2, p2 were in line before it came back"
    assert people_ahead(WAITING[4], waiting) == 5, "n3 came after it"


def test_tickets_of_another_day_are_never_ahead():
    from dataclasses import replace

    yesterday, today = dt.date(2026, 11, 25), dt.date(2026, 11, 26)
    old = replace(make_ticket("old", minute=-600), day=yesterday)
    mine = replace(make_ticket("mine", minute=5), day=today)
    assert people_ahead(mine, (old, mine)) == 0


def test_only_the_twenty_most_recent_durations_count():
    old_slow = [100.0] * 30
    recent_quick = [2.0] * 20
    assert estimate_minutes(1, 1, old_slow + recent_quick, 10.0) == 2


def test_float_noise_does_not_add_a_minute():
    # (0.1 + 0.2) / 2 * 20 is 3.0000000000000004 in floating point
    assert estimate_minutes(20, 1, [0.1, 0.2], 10.0) == 3


def test_negative_or_broken_durations_from_a_skewed_clock_are_skipped():
    assert estimate_minutes(2, 1, [-5.0, float("nan"), 6.0], 10.0) == 12


def test_a_negative_number_ahead_is_refused():
    with pytest.raises(ValueError, match="ahead"):
        estimate_minutes(-1, 1, [], 10.0)
