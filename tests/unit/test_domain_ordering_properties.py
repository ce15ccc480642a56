"""Call-next ordering over random halls: several windows with own and overflow queues call over
random arrivals and transfers, using only ``plan_call``, ``choose`` and ``next_position``.

The starvation bound, stated exactly: for every window, between two of its normal calls it makes at
most P priority calls taken while a normal ticket was eligible in the same lane; between two of its
priority calls it makes at most N normal calls taken while a priority ticket was eligible in the same
lane. (Calls from another window do not count: each window keeps its own cycle.) With both classes
always waiting, a window calls exactly P priority tickets, then N normal ones, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from layout.model import Overflow, Priority, Window
from server.domain.ordering import WaitingTicket, choose, next_position, plan_call
from tests.unit.domain_factories import MORNING, make_priority, make_window

QUEUES = ("a", "b", "c")
AFTER_MINUTES = (0, 0.5, 5, 10, 30)
ELDERLY = "elderly"

# A step is ("arrive", queue, is_priority, gap_seconds), ("call", window_index, gap_seconds) or
# ("transfer", window_index, queue, gap_seconds): the window's current ticket joins ``queue``.
Step = tuple


@dataclass(frozen=True)
class Scenario:
    windows: tuple[Window, ...]
    priority: Priority
    start_positions: tuple[int, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class CallRecord:
    window: Window
    now: datetime
    position: int
    prefer_priority: bool
    waiting_before: tuple[WaitingTicket, ...]
    taken: WaitingTicket | None


@dataclass
class History:
    calls: list[CallRecord] = field(default_factory=list)
    direct_ids: set[str] = field(default_factory=set)  # tickets that came from the kiosk, not a transfer
    transferred: list[WaitingTicket] = field(default_factory=list)


def draw_steps(draw: st.DrawFn, queues: tuple[str, ...], window_count: int) -> tuple[Step, ...]:
    # Round gaps make arrivals land exactly on an overflow threshold now and then.
    gap = st.one_of(st.sampled_from((0, 30, 60, 300, 600)), st.integers(0, 240))
    arrive = st.tuples(st.just("arrive"), st.sampled_from(queues), st.booleans(), gap)
    call = st.tuples(st.just("call"), st.integers(0, window_count - 1), gap)
    transfer = st.tuples(st.just("transfer"), st.integers(0, window_count - 1), st.sampled_from(queues), gap)
    # Some halls are crowded (queues build up, both classes wait together), others are quiet (windows
    # run dry and turn to the queues they help).
    arrivals, calls = draw(st.sampled_from(((2, 1), (1, 1), (1, 3))))
    step = st.one_of(*[arrive] * arrivals, *[call] * calls, transfer)
    return tuple(draw(st.lists(step, min_size=10, max_size=60)))


def draw_priority(draw: st.DrawFn, window_count: int) -> tuple[Priority, tuple[int, ...]]:
    priority = make_priority(draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # Positions beyond the cycle happen when the ratio is shortened in the layout; they must still work.
    return priority, tuple(draw(st.integers(0, 7)) for _ in range(window_count))


@st.composite
def random_halls(draw: st.DrawFn) -> Scenario:
    """Any mix of own and helped queues."""
    queues = QUEUES[: draw(st.integers(1, len(QUEUES)))]
    windows = []
    for index in range(draw(st.integers(1, 4))):
        own = draw(st.lists(st.sampled_from(queues), min_size=1, max_size=len(queues), unique=True))
        helped = draw(
            st.lists(
                st.tuples(st.sampled_from(queues), st.sampled_from(AFTER_MINUTES)),
                max_size=len(queues),
                unique_by=lambda pair: pair[0],
            )
        )
        overflow = tuple(Overflow(queue, minutes) for queue, minutes in helped)
        windows.append(make_window(f"w{index + 1}", tuple(own), overflow))
    priority, positions = draw_priority(draw, len(windows))
    return Scenario(tuple(windows), priority, positions, draw_steps(draw, queues, len(windows)))


@st.composite
def helping_halls(draw: st.DrawFn) -> Scenario:
    """Two windows that help each other's queue, so overflow lanes are used often."""
    windows = (
        make_window("w1", ("a",), (Overflow("b", draw(st.sampled_from(AFTER_MINUTES))),)),
        make_window("w2", ("b",), (Overflow("a", draw(st.sampled_from(AFTER_MINUTES))),)),
    )
    priority, positions = draw_priority(draw, len(windows))
    return Scenario(windows, priority, positions, draw_steps(draw, ("a", "b"), len(windows)))


def scenarios() -> st.SearchStrategy[Scenario]:
    return st.one_of(random_halls(), helping_halls())


def simulate(scenario: Scenario) -> History:
    history = History()
    waiting: dict[str, WaitingTicket] = {}
    positions = list(scenario.start_positions)
    current: list[WaitingTicket | None] = [None] * len(scenario.windows)
    now = MORNING
    for step in scenario.steps:
        now += timedelta(seconds=step[-1])
        if step[0] == "arrive":
            ticket = WaitingTicket(
                f"t{len(history.direct_ids):03d}", step[1], now, ELDERLY if step[2] else None
            )
            waiting[ticket.id] = ticket
            history.direct_ids.add(ticket.id)
        elif step[0] == "call":
            index = step[1]
            window = scenario.windows[index]
            plan = plan_call(window, scenario.priority, positions[index], now)
            snapshot = tuple(waiting.values())
            taken = choose(plan, snapshot)
            history.calls.append(
                CallRecord(window, now, positions[index], plan.prefer_priority, snapshot, taken)
            )
            current[index] = taken
            if taken is not None:
                del waiting[taken.id]
                positions[index] = next_position(
                    positions[index], scenario.priority, plan.prefer_priority, taken.is_priority
                )
        else:
            index, queue = step[1], step[2]
            leaving = current[index]
            if leaving is not None:
                moved = WaitingTicket(
                    f"{leaving.id}>{queue}", queue, leaving.issued_at, leaving.priority_class
                )
                waiting[moved.id] = moved
                history.transferred.append(moved)
                current[index] = None
    return history


def eligible(window: Window, ticket: WaitingTicket, now: datetime) -> bool:
    """Written from the rules, independently of ordering.py."""
    if ticket.queue in window.queues:
        return True
    return any(
        overflow.queue == ticket.queue and ticket.issued_at <= now - timedelta(minutes=overflow.after_minutes)
        for overflow in window.overflow
    )


def lane_rank(window: Window, queue: str) -> int:
    helped = [overflow.queue for overflow in window.overflow if overflow.queue not in window.queues]
    return (list(window.queues) + helped).index(queue)


def order(ticket: WaitingTicket) -> tuple[datetime, str]:
    return (ticket.issued_at, ticket.id)


RANDOM_HALLS = settings(max_examples=100, deadline=None)


@RANDOM_HALLS
@given(scenarios())
def test_a_ticket_is_never_called_twice_and_only_a_waiting_ticket_is_called(scenario):
    calls = simulate(scenario).calls
    taken = [call.taken for call in calls if call.taken is not None]
    assert len({ticket.id for ticket in taken}) == len(taken)
    for call in calls:
        assert call.taken is None or call.taken in call.waiting_before


@RANDOM_HALLS
@given(scenarios())
def test_a_window_with_an_eligible_ticket_always_gets_one_from_its_first_reachable_lane(scenario):
    for call in simulate(scenario).calls:
        reachable = [ticket for ticket in call.waiting_before if eligible(call.window, ticket, call.now)]
        if not reachable:
            assert call.taken is None
            continue
        assert call.taken is not None and eligible(call.window, call.taken, call.now)
        first_lane = min(lane_rank(call.window, ticket.queue) for ticket in reachable)
        assert lane_rank(call.window, call.taken.queue) == first_lane


@RANDOM_HALLS
@given(scenarios())
def test_the_preferred_class_is_served_when_it_has_anyone_in_the_lane(scenario):
    priority = scenario.priority
    for call in simulate(scenario).calls:
        cycle = priority.priority_calls + priority.normal_calls
        assert call.prefer_priority == (call.position % cycle < priority.priority_calls)
        if call.taken is None:
            continue
        lane = [
            ticket
            for ticket in call.waiting_before
            if ticket.queue == call.taken.queue and eligible(call.window, ticket, call.now)
        ]
        if any(ticket.is_priority == call.prefer_priority for ticket in lane):
            assert call.taken.is_priority == call.prefer_priority


@RANDOM_HALLS
@given(scenarios())
def test_within_a_lane_and_a_class_the_earliest_issued_ticket_is_called_first(scenario):
    history = simulate(scenario)
    for call in history.calls:
        if call.taken is None:
            continue
        same_lane_and_class = [
            ticket
            for ticket in call.waiting_before
            if ticket.queue == call.taken.queue
            and ticket.is_priority == call.taken.is_priority
            and eligible(call.window, ticket, call.now)
        ]
        assert call.taken == min(same_lane_and_class, key=order)
    # Across all windows too: tickets from the kiosk leave each queue and class in issue order.
    by_queue_and_class: dict[tuple[str, bool], list[WaitingTicket]] = {}
    for call in history.calls:
        if call.taken is not None and call.taken.id in history.direct_ids:
            by_queue_and_class.setdefault((call.taken.queue, call.taken.is_priority), []).append(call.taken)
    for called in by_queue_and_class.values():
        assert called == sorted(called, key=order)


@RANDOM_HALLS
@given(scenarios())
def test_each_call_takes_the_first_ticket_by_lane_then_preferred_class_then_issue_order(scenario):
    for call in simulate(scenario).calls:
        reachable = [ticket for ticket in call.waiting_before if eligible(call.window, ticket, call.now)]
        if reachable:
            expected = min(
                reachable,
                key=lambda ticket: (
                    lane_rank(call.window, ticket.queue),
                    ticket.is_priority != call.prefer_priority,
                    ticket.issued_at,
                    ticket.id,
                ),
            )
            assert call.taken == expected


@RANDOM_HALLS
@given(scenarios())
def test_a_window_keeps_its_preference_until_it_serves_the_preferred_class(scenario):
    cycle = scenario.priority.priority_calls + scenario.priority.normal_calls
    history = simulate(scenario)
    for window in scenario.windows:
        own_calls = [call for call in history.calls if call.window == window and call.taken is not None]
        for call, following in zip(own_calls, own_calls[1:], strict=False):
            served_preferred = call.taken.is_priority == call.prefer_priority
            expected = (call.position + 1) % cycle if served_preferred else call.position % cycle
            assert following.position == expected


@RANDOM_HALLS
@given(scenarios())
def test_a_window_passes_a_waiting_class_at_most_the_ratio_allows_before_serving_it(scenario):
    limits = {True: scenario.priority.priority_calls, False: scenario.priority.normal_calls}
    history = simulate(scenario)
    for window in scenario.windows:
        # passes[c]: calls of class c taken while the other class waited in the same lane, since the
        # window last served the other class.
        passes = {True: 0, False: 0}
        for call in history.calls:
            if call.window != window or call.taken is None:
                continue
            took_priority = call.taken.is_priority
            passes[not took_priority] = 0
            other_class_waited = any(
                ticket.queue == call.taken.queue
                and ticket.is_priority != took_priority
                and eligible(window, ticket, call.now)
                for ticket in call.waiting_before
            )
            if other_class_waited:
                passes[took_priority] += 1
                assert passes[took_priority] <= limits[took_priority]


@RANDOM_HALLS
@given(scenarios())
def test_overflow_only_takes_tickets_that_waited_past_the_threshold(scenario):
    for call in simulate(scenario).calls:
        if call.taken is None or call.taken.queue in call.window.queues:
            continue
        threshold = next(o for o in call.window.overflow if o.queue == call.taken.queue).after_minutes
        assert call.now - call.taken.issued_at >= timedelta(minutes=threshold)


@RANDOM_HALLS
@given(scenarios())
def test_a_transferred_ticket_is_served_before_later_issued_tickets_of_its_new_queue(scenario):
    history = simulate(scenario)
    call_index = {call.taken.id: index for index, call in enumerate(history.calls) if call.taken is not None}
    for moved in history.transferred:
        for index, call in enumerate(history.calls):
            later = call.taken
            if (
                later is not None
                and later.queue == moved.queue
                and later.is_priority == moved.is_priority
                and later.issued_at > moved.issued_at
                and any(ticket.id == moved.id for ticket in call.waiting_before)
            ):
                assert call_index.get(moved.id, len(history.calls)) < index


@settings(max_examples=200, deadline=None)
@given(
    priority_calls=st.integers(1, 4),
    normal_calls=st.integers(1, 4),
    start_positions=st.lists(st.integers(0, 7), min_size=1, max_size=3),
    callers=st.lists(st.integers(0, 2), min_size=1, max_size=40),
)
def test_with_both_classes_always_waiting_each_window_calls_p_priority_then_n_normal(
    priority_calls, normal_calls, start_positions, callers
):
    priority = make_priority(priority_calls, normal_calls)
    cycle = priority_calls + normal_calls
    windows = [make_window(f"w{index + 1}", ("a",)) for index in range(len(start_positions))]
    # More of each class than there are calls, so both classes wait at every call.
    waiting = [
        WaitingTicket(f"t{n:03d}", "a", MORNING + timedelta(seconds=n), ELDERLY if n % 2 else None)
        for n in range(2 * len(callers) + 2)
    ]
    positions = list(start_positions)
    calls_by_window: dict[int, list[bool]] = {index: [] for index in range(len(windows))}
    for caller in callers:
        index = caller % len(windows)
        plan = plan_call(windows[index], priority, positions[index], MORNING + timedelta(hours=1))
        taken = choose(plan, waiting)
        waiting.remove(taken)
        positions[index] = next_position(positions[index], priority, plan.prefer_priority, taken.is_priority)
        calls_by_window[index].append(taken.is_priority)
    for index, took in calls_by_window.items():
        start = start_positions[index]
        assert took == [(start + call) % cycle < priority_calls for call in range(len(took))]
