"""server.event_order.RoomSequencer: events of a numbered room leave in seq order, an early one waits a
bounded time for the missing ones, a late one is dropped rather than delivered out of order."""

from __future__ import annotations

from server.event_order import RESTART_AFTER_LATE, RoomSequencer
from server.message_queue import numbered


class ManualTimers:
    """A clock and a scheduler the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pending: list[tuple[float, object]] = []

    def schedule(self, delay: float, function) -> None:
        self.pending.append((self.now + delay, function))

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [item for item in self.pending if item[0] <= self.now]
        self.pending = [item for item in self.pending if item[0] > self.now]
        for _at, function in sorted(due, key=lambda item: item[0]):
            function()


def make_sequencer(hold: float = 0.5):
    timers, released = ManualTimers(), []
    sequencer = RoomSequencer(lambda message: released.append(message), timers.schedule, hold,
                              clock=lambda: timers.now)
    return sequencer, timers, released


def started(sequencer, timers, room: str = "staff:big", first: int = 10) -> None:
    """The room's first event is held (an earlier one may be on its way), then released."""
    sequencer.offer(room, first, first)
    timers.advance(0.5)


def test_events_in_order_pass_at_once():
    sequencer, timers, released = make_sequencer()
    started(sequencer, timers)
    for seq in (11, 12, 13):
        sequencer.offer("staff:big", seq, seq)
    assert released == [10, 11, 12, 13]


def test_an_event_ahead_of_a_missing_one_waits_for_it_and_both_leave_in_order():
    sequencer, timers, released = make_sequencer()
    started(sequencer, timers)
    sequencer.offer("staff:big", 12, 12)
    assert released == [10], "12 waits for 11"
    timers.advance(0.1)
    sequencer.offer("staff:big", 11, 11)
    assert released == [10, 11, 12]


def test_a_missing_event_that_never_comes_releases_the_held_ones_after_the_hold():
    sequencer, timers, released = make_sequencer()
    started(sequencer, timers)
    sequencer.offer("staff:big", 13, 13)
    sequencer.offer("staff:big", 12, 12)
    timers.advance(0.49)
    assert released == [10]
    timers.advance(0.02)
    assert released == [10, 12, 13], "11 is given up: the subscribers see the gap and resubscribe"
    assert sequencer.counts.released_after_gap == 1
    sequencer.offer("staff:big", 11, 11)
    assert released == [10, 12, 13], "a late event is dropped, never delivered after a higher seq"
    assert sequencer.counts.dropped_late == 1


def test_the_first_events_of_a_room_come_out_sorted_even_if_they_arrived_crossed():
    sequencer, timers, released = make_sequencer()
    sequencer.offer("site:big", 21, 21)
    sequencer.offer("site:big", 20, 20)
    assert released == []
    timers.advance(0.5)
    assert released == [20, 21]


def test_rooms_are_sequenced_apart():
    sequencer, timers, released = make_sequencer()
    started(sequencer, timers, "staff:big", 10)
    started(sequencer, timers, "site:big", 4)
    sequencer.offer("site:big", 6, "public 6")
    sequencer.offer("staff:big", 11, "staff 11")
    assert released == [10, 4, "staff 11"], "the public gap holds only the public room"


def test_a_second_gap_behind_the_first_gets_its_own_hold():
    sequencer, timers, released = make_sequencer()
    started(sequencer, timers)
    sequencer.offer("staff:big", 12, 12)
    sequencer.offer("staff:big", 15, 15)
    timers.advance(0.5)
    assert released == [10, 12], "15 still waits for 13 and 14"
    sequencer.offer("staff:big", 13, 13)
    sequencer.offer("staff:big", 14, 14)
    assert released == [10, 12, 13, 14, 15]


def test_only_emits_to_a_sites_public_or_staff_room_with_an_integer_seq_are_sequenced():
    assert numbered({"room": "staff:big", "data": [{"seq": 3, "kind": "x"}]}) == 3
    assert numbered({"room": "site:big", "data": [{"seq": 7}]}) == 7
    assert numbered({"room": "ticket:abc", "data": [{"seq": 3}]}) is None
    assert numbered({"room": "kiosk:big:k1", "data": [{"state": "online"}]}) is None
    assert numbered({"room": "staff:big", "data": [{"seq": True}]}) is None
    assert numbered({"room": "some-sid", "data": [{"seq": 3}]}) is None
    assert numbered({"room": None, "data": [{"seq": 3}]}) is None


def test_a_room_whose_numbers_went_back_follows_the_new_numbers_after_a_run_of_late_events():
    sequencer, timers, released = make_sequencer()
    started(sequencer, timers, first=500)
    for seq in range(1, RESTART_AFTER_LATE):
        sequencer.offer("staff:big", seq, seq)
    assert released == [500], "a few late events are dropped"
    sequencer.offer("staff:big", RESTART_AFTER_LATE, RESTART_AFTER_LATE)
    timers.advance(0.5)
    sequencer.offer("staff:big", RESTART_AFTER_LATE + 1, RESTART_AFTER_LATE + 1)
    assert released == [500, RESTART_AFTER_LATE, RESTART_AFTER_LATE + 1]


def test_a_batch_carries_its_span_and_the_room_waits_for_the_seq_after_it():
    sequencer, timers, released = make_sequencer()
    started(sequencer, timers, "site:big:batch", first=10)
    sequencer.offer("site:big:batch", 14, "14", span=1)  # ahead: 11..13 are one batch still on its way
    assert released == [10]
    sequencer.offer("site:big:batch", 11, "11-13", span=3)
    assert released == [10, "11-13", "14"]
    sequencer.offer("site:big:batch", 12, "late")  # inside a batch already delivered
    assert released == [10, "11-13", "14"]


def test_span_of_reads_a_batch_from_seq_to_last():
    from server.message_queue import span_of

    batch = {"event": "events", "room": "site:big:batch", "data": [{"seq": 5, "last": 7, "events": []}]}
    assert numbered(batch) == 5 and span_of(batch) == 3
    single = {"event": "called", "room": "site:big", "data": [{"seq": 5, "last": 9}]}
    assert span_of(single) == 1, "only a batch spans"


class ScriptedOutbox:
    """The sender's queue, filled in rounds: what queued up while the sender was busy, then the next."""

    def __init__(self, rounds: list[list]) -> None:
        self.rounds, self.current = list(rounds), []

    def get(self):
        if not self.rounds:
            raise KeyboardInterrupt  # the end of this test's sender loop
        self.current = self.rounds.pop(0)
        return self.current.pop(0)

    def get_nowait(self):
        import queue

        if not self.current:
            raise queue.Empty
        return self.current.pop(0)


def test_emits_queued_together_leave_as_one_redis_message_and_arrive_as_they_were(monkeypatch):
    """HallRedisManager's sender bundles what queued up meanwhile; every process's listener takes the
    bundle apart, in order (the library's listener takes the dicts as they come)."""
    import json

    import pytest

    from server import message_queue

    manager = message_queue.HallRedisManager("redis://127.0.0.1:1/0", "test-channel")
    published = []

    class Publisher:
        def publish(self, channel, message):
            published.append((channel, message))

    monkeypatch.setattr(manager, "_publisher_client", lambda: Publisher())
    emits = [{"method": "emit", "event": "waiting", "room": "site:a", "data": [{"seq": n}]} for n in (1, 2, 3)]
    alone = {"method": "emit", "event": "window", "room": "site:a", "data": [{"seq": 4}]}
    manager._outbox = ScriptedOutbox([[json.dumps(emit) for emit in emits], [json.dumps(alone)]])
    manager.json = json
    with pytest.raises(KeyboardInterrupt):
        manager._send_forever()
    assert [channel for channel, _ in published] == ["test-channel", "test-channel"]
    assert json.loads(published[0][1]) == {"method": message_queue.BUNDLE, "messages": emits}
    assert json.loads(published[1][1]) == alone, "a message alone is sent as it is"

    monkeypatch.setattr(message_queue.RedisManager, "_listen", lambda self: iter(
        [message for _, message in published] + [b"not json", json.dumps([1, 2])]))
    assert list(manager._listen()) == [*emits, alone]
