"""The staff stream's recheck on the production stack (gunicorn, gevent): an account disabled from the command
line loses the staff stream of its open socket within the recheck interval (server/staff_sessions.py)."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
import socketio

from tests.support.live_server import ROOT, LiveServer, wait_until

pytestmark = pytest.mark.slow


def test_a_disabled_clerks_open_socket_gets_subscribe_error_on_the_gevent_server(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'hall.db'}", log_path=tmp_path / "server.log",
                        extra_env={"HALL_STAFF_RECHECK_SECONDS": "0.5"}).start()
    client = socketio.Client(reconnection=False)
    try:
        server.add_user("lin", "lin-clerk-pass-1")
        token = server.login("lin", "lin-clerk-pass-1")["Authorization"].removeprefix("Bearer ")
        received: dict[str, list] = {"snapshot": [], "subscribe_error": []}
        lock = threading.Lock()
        for name, kept in received.items():
            client.on(name, lambda payload, kept=kept: (lock.acquire(), kept.append(payload), lock.release()))
        client.connect(server.url, transports=["websocket"], wait_timeout=10)
        client.emit("subscribe", {"site": "county", "token": token, "batch": True})
        wait_until(lambda: received["snapshot"], 10, 0.02, "the staff snapshot")
        assert received["snapshot"][0]["audience"] == "staff" and received["subscribe_error"] == []

        subprocess.run([sys.executable, "-m", "flask", "--app", "server", "user", "disable", "lin"], cwd=ROOT,
                       env=server.env, check=True, capture_output=True)
        wait_until(lambda: received["subscribe_error"], 10, 0.05, "the end of the staff stream")
        assert received["subscribe_error"][0]["error"]["code"] == "invalid_token"
    finally:
        client.disconnect()
        server.stop()
