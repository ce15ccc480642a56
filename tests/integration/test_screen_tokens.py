"""Only a screen that presents its own device token may say it is there, muted or playing; and no screen,
however many connections it opens, makes more than a few `screen` events a second. The lobby still
follows the calls anonymously."""

from __future__ import annotations

import time

import pytest

from display.screens import CHANGES, REPORTS, Rate, ScreenKey, ScreenRegistry, ScreenThrottled
from server.app import stop
from server.extensions import socketio
from tests.conftest import make_app, staff_subscriber
from tests.support.live_server import wait_until

TOKENS = {"hall/display/lobby": "lobby-token-0123456789abcdef", "hall/window/w2": "w2-token-0123456789abcdef"}
LOBBY = {"site": "hall", "display": "lobby", "kind": "lobby"}


@pytest.fixture
def app(database_url):
    app = make_app(database_url, DEVICE_TOKENS=TOKENS)
    yield app
    stop(app)


def received(client, name: str) -> list[dict]:
    return [packet["args"][0] for packet in client.get_received() if packet["name"] == name]


def watcher(app):
    staff = staff_subscriber(app)
    staff.get_received()
    return staff


@pytest.mark.parametrize("token, code", [
    (None, "token_required"),
    ("made-up-token-0123456789", "invalid_token"),
    (TOKENS["hall/window/w2"], "invalid_token"),  # another screen's
])
def test_a_report_without_the_screens_own_token_is_refused_and_announces_nothing(app, client, token, code):
    staff = watcher(app)
    screen = socketio.test_client(app)

    message = {**LOBBY, "audio": "blocked", **({"token": token} if token else {})}
    answer = screen.emit("screen_status", message, callback=True)

    assert answer["error"]["code"] == code
    assert received(screen, "screen_status_error") == [answer]
    assert received(staff, "screen") == [], "no fake 'sound blocked' banner on the counters"
    assert client.get("/api/v1/sites/hall/screens").get_json() == []


def test_a_screen_with_its_token_is_announced_and_listed(app, client):
    staff = watcher(app)
    screen = socketio.test_client(app)

    message = {"site": "hall", "display": "w2", "kind": "window", "audio": "blocked",
               "token": TOKENS["hall/window/w2"]}
    answer = screen.emit("screen_status", message, callback=True)

    assert answer == {"ok": True}
    [event] = received(staff, "screen")
    assert (event["display"], event["kind"], event["audio"], event["connected"]) == \
        ("w2", "window", "blocked", True)
    assert [s["display"] for s in client.get("/api/v1/sites/hall/screens").get_json()] == ["w2"]


def test_tokens_made_after_the_server_started_are_taken_without_a_restart(monkeypatch, tmp_path):
    from server import device_tokens
    from tests.support.small_hall import small_hall

    monkeypatch.setattr(device_tokens, "RECHECK_SECONDS", 0.0)
    path = tmp_path / "device_tokens.json"
    app = make_app(f"sqlite:///{tmp_path / 'hall.db'}", DEVICE_TOKENS=device_tokens.read_tokens(path))
    try:
        screen = socketio.test_client(app)
        assert screen.emit("screen_status", {**LOBBY, "audio": "ok", "token": "not-made-yet-0123456789"},
                           callback=True)["error"]["code"] == "invalid_token"

        tokens = device_tokens.issue_missing(small_hall(), path)  # `devices tokens` on the server

        report = {**LOBBY, "audio": "ok", "token": tokens["hall/display/lobby"]}
        assert screen.emit("screen_status", report, callback=True) == {"ok": True}
    finally:
        stop(app)


def test_the_lobby_follows_the_calls_without_a_token(app):
    lobby = socketio.test_client(app)

    answer = lobby.emit("subscribe", {"site": "hall", "display": "lobby"}, callback=True)

    assert answer["ok"] is True and answer["audience"] == "public"
    assert received(lobby, "snapshot")


def test_a_flood_of_reports_from_many_connections_makes_only_a_few_events(app):
    staff = watcher(app)
    screens = [socketio.test_client(app) for _ in range(4)]
    started = time.monotonic()
    answers = []
    for round_ in range(60):
        for screen in screens:
            audio = ("ok", "blocked")[round_ % 2]
            message = {**LOBBY, "audio": audio, "token": TOKENS["hall/display/lobby"]}
            answers.append(screen.emit("screen_status", message, callback=True))
    elapsed = time.monotonic() - started

    events = received(staff, "screen")
    assert len(answers) == 240
    assert 1 <= len(events) <= CHANGES.burst + CHANGES.per_second * elapsed + 1, (len(events), elapsed)
    refused = [answer for answer in answers if "error" in answer]
    assert refused and {answer["error"]["code"] for answer in refused} == {"too_many_reports"}
    assert all(answer["error"]["retry_after"] >= 1 for answer in refused)

    # A screen that waits as told is heard again.
    for screen in screens:
        screen.disconnect()
    received(staff, "screen")
    fresh = socketio.test_client(app)
    report = {**LOBBY, "audio": "no_voice", "token": TOKENS["hall/display/lobby"]}
    wait_until(lambda: "ok" in fresh.emit("screen_status", report, callback=True), 5, 0.5,
               "the display to be heard again")
    assert [(e["audio"], e["connected"]) for e in received(staff, "screen")] == [("no_voice", True)]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TestThrottle:
    key = ScreenKey("hall", "lobby", "lobby")

    def test_one_connection_may_report_a_burst_then_a_few_a_second(self):
        clock = Clock()
        registry = ScreenRegistry(clock=clock, changes=Rate(burst=100, per_second=100))
        for _ in range(REPORTS.burst):
            registry.report("a", self.key, "ok")
        with pytest.raises(ScreenThrottled) as refused:
            registry.report("a", self.key, "ok")
        assert refused.value.retry_after == 1 and refused.value.status == 429
        clock.now += 1 / REPORTS.per_second
        registry.report("a", self.key, "ok")
        registry.report("b", self.key, "ok")  # another connection has its own allowance

    def test_a_display_changes_state_a_burst_then_a_few_times_a_second(self):
        clock = Clock()
        registry = ScreenRegistry(clock=clock, reports=Rate(burst=100, per_second=100))
        changes, refused = [], 0
        for index in range(10):
            try:
                changes += registry.report("tv", self.key, ("ok", "blocked")[index % 2])
            except ScreenThrottled:
                refused += 1
        assert [state.audio for state in changes] == ["ok", "blocked", "ok"][:CHANGES.burst]
        assert refused == 4, "each later 'blocked' is refused; an 'ok' changes nothing then"
        assert registry.report("tv", self.key, "ok") == [], "a report that changes nothing is never refused"
        with pytest.raises(ScreenThrottled):
            registry.report("twin", self.key, "blocked")  # a second TV on the display: same allowance
        assert [screen["sid"] for screen in registry.screens()] == ["tv"], "a refused report leaves no trace"
        clock.now += 1 / CHANGES.per_second
        assert [state.audio for state in registry.report("twin", self.key, "blocked")] == ["blocked"]

    def test_a_disconnect_is_never_refused(self):
        clock = Clock()
        registry = ScreenRegistry(clock=clock, changes=Rate(burst=1, per_second=0.001))
        registry.report("a", self.key, "ok")
        assert [(state.connected, state.audio) for state in registry.drop("a")] == [(False, "ok")]
