"""The day boundary on a real server whose clock is Debian's faketime: a hall running through local
midnight cancels the tickets the day left open as ``day_closed`` at midnight itself, and numbering starts
again on the new day. (Every other time-dependent test uses a controllable clock; this one proves the
real timer and the real clock agree.)"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
import requests

from tests.support.live_server import LiveServer, wait_until

# 23:59:30 on Tuesday 1 December 2026 in Asia/Shanghai (UTC+8), where the example county lives.
START_UTC = "2026-12-01 15:59:30"
MIDNIGHT_UTC = dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def hall_before_midnight(tmp_path):
    if shutil.which("faketime") is None:
        if os.environ.get("CI"):
            pytest.fail("faketime is missing (Debian: apt-get install faketime); .ci/run installs it")
        pytest.skip("faketime is not installed (Debian: apt-get install faketime)")
    server = LiveServer(f"sqlite:///{tmp_path / 'hall.db'}", log_path=tmp_path / "server.log",
                        prefix=("faketime", "-f", f"@{START_UTC}"),
                        extra_env={"TZ": "UTC"})
    server.start()
    yield server
    server.stop()


def issue(server: LiveServer) -> dict:
    response = requests.post(f"{server.url}/api/v1/sites/county/tickets",
                             json={"service": "company-registration"}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_ticket_left_waiting_at_midnight_is_closed_with_its_day_and_numbers_start_again(hall_before_midnight):
    server = hall_before_midnight
    evening = issue(server)
    issued_at = dt.datetime.fromisoformat(evening["issued_at"])
    assert issued_at < MIDNIGHT_UTC, f"the server took too long to start: issued at {issued_at}"
    assert evening["status"] == "waiting"

    def closed() -> dict | None:
        ticket = requests.get(f"{server.url}/api/v1/tickets/{evening['id']}", timeout=5).json()
        return ticket if ticket["status"] == "cancelled" else None

    ticket = wait_until(closed, timeout=90, interval=0.5, message="the evening ticket closed at midnight")
    assert ticket["cancel_reason"] == "day_closed"
    morning = issue(server)
    assert dt.datetime.fromisoformat(morning["issued_at"]) >= MIDNIGHT_UTC
    assert morning["number"] == evening["number"], "numbering starts again on the new day"
