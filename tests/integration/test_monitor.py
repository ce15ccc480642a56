"""The manager's live figures: queues and windows now, today's service, and a suggestion to let a general
window help a subject queue whose oldest ticket has waited past the hall's promise."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from server.app import stop
from tests.conftest import create_staff, make_app
from tests.support.small_hall import small_hall

W = "/api/v1/sites/hall/windows"
NINE = dt.datetime(2026, 1, 5, 1, 0)  # Monday 09:00 in the hall


@pytest.fixture
def scene(database_url):
    layout = small_hall()
    site = layout.sites[0]
    windows = tuple(replace(w, may_serve=("biz",)) if w.id == "w5" else w for w in site.windows)
    clock = {"now": NINE}
    app = make_app(database_url, replace(layout, sites=(replace(site, windows=windows),)),
                   CLOCK=lambda: clock["now"])
    yield app, clock
    stop(app)


def test_the_board_shows_queues_windows_and_offers_a_helping_window_once_a_wait_passes_its_target(scene):
    app, clock = scene
    client = app.test_client()
    clerk, manager = create_staff(app, "clerk1"), create_staff(app, "boss", role="manager")
    for second in range(3):
        clock["now"] = NINE + dt.timedelta(seconds=second)
        assert client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).status_code == 201
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w5/open", headers=clerk)
    clock["now"] = NINE + dt.timedelta(minutes=10)
    client.post(f"{W}/w1/call-next", headers=clerk)
    board = client.get("/api/v1/sites/hall/monitor", headers=manager).get_json()
    biz = next(q for q in board["queues"] if q["id"] == "biz")
    assert (biz["waiting"], biz["oldest_wait_s"], biz["open_windows"], biz["target_minutes"]) == (2, 599, 1, 30)
    w1 = next(w for w in board["windows"] if w["id"] == "w1")
    assert (w1["state"], w1["clerk"], w1["current"]) == ("open", "clerk1", "A001")
    assert w1["current_since"] == "2026-01-05T01:10:00Z"
    assert board["suggestions"] == [], "within the 30 minutes promised"

    clock["now"] = NINE + dt.timedelta(minutes=31)
    client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    board = client.get("/api/v1/sites/hall/monitor", headers=manager).get_json()
    [suggestion] = board["suggestions"]
    assert (suggestion["window"], suggestion["queue"]) == ("w5", "biz") and "31 分钟" in suggestion["reason"]
    biz = next(q for q in board["queues"] if q["id"] == "biz")
    assert (biz["served_today"], biz["within_target_pct"]) == (1, 100.0)
    assert next(w for w in board["windows"] if w["id"] == "w1")["served_today"] == 1


def test_the_board_is_for_managers(scene):
    app, _ = scene
    client = app.test_client()
    assert client.get("/api/v1/sites/hall/monitor").status_code == 401
    assert client.get("/api/v1/sites/hall/monitor", headers=create_staff(app)).status_code == 403
