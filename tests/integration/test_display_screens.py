"""screen_status: screens report whether their sound plays; the server keeps a registry of connected
screens, announces a `screen` event when a display's state changes, and lists them over HTTP."""

from __future__ import annotations

import pytest

from display.screens import ScreenKey, ScreenRegistry, screen_registry
from server.app import stop
from server.extensions import socketio
from tests.conftest import make_app, staff_subscriber

# Each screen's own device token (tests/integration/test_screen_tokens.py: refused without it).
TOKENS = {"hall/display/lobby": "lobby-token-0123456789abcdef", "hall/window/w2": "w2-token-0123456789abcdef"}
LOBBY = {"site": "hall", "display": "lobby", "kind": "lobby", "token": TOKENS["hall/display/lobby"]}


@pytest.fixture
def app(database_url):
    app = make_app(database_url, DEVICE_TOKENS=TOKENS)
    yield app
    stop(app)


def received(client, name: str) -> list[dict]:
    return [packet["args"][0] for packet in client.get_received() if packet["name"] == name]


def watcher(app):
    """A staff subscriber: screens' states are staff events."""
    sio = staff_subscriber(app)
    sio.get_received()
    return sio


def test_a_screen_reporting_its_sound_is_listed_and_announced_to_the_site(app, client):
    site = watcher(app)
    screen = socketio.test_client(app)

    answer = screen.emit("screen_status", {**LOBBY, "audio": "ok"}, callback=True)

    assert answer == {"ok": True}
    events = received(site, "screen")
    assert len(events) == 1
    assert events[0] == {"seq": events[0]["seq"], "site": "hall", "display": "lobby", "kind": "lobby",
                         "audio": "ok", "connected": True}
    listed = client.get("/api/v1/sites/hall/screens").get_json()
    assert [(s["display"], s["kind"], s["audio"], s["name"], s["voice"]) for s in listed] == \
        [("lobby", "lobby", "ok", "大厅综合屏", True)]
    assert "sid" not in listed[0]


def test_only_a_change_of_sound_is_announced(app):
    site = watcher(app)
    screen = socketio.test_client(app)

    for audio in ("ok", "ok", "blocked", "blocked", "ok"):
        screen.emit("screen_status", {**LOBBY, "audio": audio}, callback=True)

    assert [event["audio"] for event in received(site, "screen")] == ["ok", "blocked", "ok"]


def test_a_disconnected_screen_leaves_the_list_and_the_site_hears_of_it(app, client):
    screen = socketio.test_client(app)
    screen.emit("screen_status", {**LOBBY, "audio": "blocked"}, callback=True)
    site = watcher(app)

    screen.disconnect()

    events = received(site, "screen")
    assert [(e["display"], e["connected"], e["audio"]) for e in events] == [("lobby", False, "blocked")]
    assert client.get("/api/v1/sites/hall/screens").get_json() == []
    assert screen_registry(app).screens() == []


def test_two_tvs_on_one_display_make_it_connected_until_both_are_gone(app):
    first, second = socketio.test_client(app), socketio.test_client(app)
    first.emit("screen_status", {**LOBBY, "audio": "ok"}, callback=True)
    second.emit("screen_status", {**LOBBY, "audio": "ok"}, callback=True)
    site = watcher(app)

    first.disconnect()
    assert received(site, "screen") == []
    second.disconnect()

    assert [event["connected"] for event in received(site, "screen")] == [False]


def test_a_window_screen_reports_under_its_window(app, client):
    screen = socketio.test_client(app)

    report = {"site": "hall", "display": "w2", "kind": "window", "audio": "no_voice",
              "token": TOKENS["hall/window/w2"]}
    answer = screen.emit("screen_status", report, callback=True)

    assert answer == {"ok": True}
    listed = client.get("/api/v1/sites/hall/screens").get_json()
    assert [(s["kind"], s["display"], s["name"], s["audio"]) for s in listed] == \
        [("window", "w2", "2号窗口 企业登记", "no_voice")]
    screens = screen_registry(app).screens()
    assert screens[0]["sid"] and screens[0]["site"] == "hall"


@pytest.mark.parametrize(("message", "code"), [
    ("not an object", "invalid_message"),
    ({"display": "lobby", "audio": "ok"}, "missing_field"),
    ({"site": "hall", "audio": "ok"}, "missing_field"),
    ({"site": "hall", "display": "lobby", "audio": "loud"}, "invalid_field"),
    ({"site": "hall", "display": "lobby", "audio": "ok", "kind": "kiosk"}, "invalid_field"),
    ({"site": "hall", "display": "lobby", "audio": 1}, "invalid_field"),
    ({"site": "nowhere", "display": "lobby", "audio": "ok"}, "unknown_site"),
    ({"site": "hall", "display": "w2", "audio": "ok"}, "unknown_display"),
    ({"site": "hall", "display": "lobby", "kind": "window", "audio": "ok"}, "unknown_window"),
])
def test_a_bad_screen_status_is_refused_with_a_clear_error(app, client, message, code):
    screen = socketio.test_client(app)

    answer = screen.emit("screen_status", message, callback=True)

    assert answer["error"]["code"] == code and " / " in answer["error"]["message"]
    assert received(screen, "screen_status_error") == [answer]
    assert client.get("/api/v1/sites/hall/screens").get_json() == []


def test_the_screen_list_of_an_unknown_site_is_a_json_404(client):
    response = client.get("/api/v1/sites/nowhere/screens")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_site"


class TestRegistry:
    key = ScreenKey("hall", "lobby", "lobby")

    def test_a_blocked_tv_outweighs_a_playing_twin(self):
        registry = ScreenRegistry()
        registry.report("a", self.key, "ok")

        changes = registry.report("b", self.key, "blocked")

        assert [(c.audio, c.connected) for c in changes] == [("blocked", True)]
        assert [(c.audio, c.connected) for c in registry.drop("b")] == [("ok", True)]

    def test_a_screen_that_switches_display_updates_both(self):
        registry = ScreenRegistry()
        registry.report("a", self.key, "ok")
        other = ScreenKey("hall", "lobby", "floor2")

        changes = registry.report("a", other, "ok")

        assert {(c.key.display, c.connected) for c in changes} == {("lobby", False), ("floor2", True)}

    def test_a_failed_announcement_is_repeated_at_the_next_report(self):
        registry = ScreenRegistry()
        [state] = registry.report("a", self.key, "ok")

        registry.forget(state)

        assert registry.report("a", self.key, "ok") == [state]

    def test_unknown_sound_states_are_refused(self):
        with pytest.raises(ValueError, match="audio must be one of"):
            ScreenRegistry().report("a", self.key, "loud")
