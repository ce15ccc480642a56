"""What the citizen reads of where to go and how long to wait: the phone page, the printed ticket and the
lobby's config, with floors, helping windows, no estimate while no window is open, and why a ticket was
cancelled."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace

import pytest

from kiosk.printing import ticket_lines
from kiosk.ticket_print import ticket_print
from layout.model import Floor, Zone
from server.app import stop
from server.wiring import hall
from tests.conftest import create_staff, make_app
from tests.support.small_hall import small_hall


def floors_layout():
    site = small_hall().sites[0]
    windows = tuple(replace(window, zone="accept-3f") if window.id in ("w1", "w2") else window
                    for window in site.windows)
    return small_hall(floors=(Floor("f1", "一楼"), Floor("f3", "三楼")),
                      zones=(Zone("accept", "综合受理区", "f1"), Zone("accept-3f", "三楼综合受理区", "f3"),
                             Zone("pickup", "综合出件区", "f1")), windows=windows)


@pytest.fixture
def app(database_url):
    app = make_app(database_url, floors_layout())
    yield app
    stop(app)


def page_data(html: str, script_id: str) -> dict:
    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no {script_id} in the page"
    return json.loads(found.group(1))


def issue(client, service: str = "company-setup") -> dict:
    response = client.post("/api/v1/sites/hall/tickets", json={"service": service})
    assert response.status_code == 201
    return response.get_json()


def test_the_phone_page_says_the_floor_the_helping_windows_and_that_no_window_is_open(client):
    ticket = issue(client)
    html = client.get(f"/t/{ticket['id']}").get_data(as_text=True)
    assert "请到 三楼 1、2号窗口 等候叫号（人多时 一楼 5号窗口 也会叫号）" in html
    assert '<span id="eta" class="fact-value">暂无窗口开放</span>' in html
    vocabulary = page_data(html, "page-data")["vocabulary"]
    assert vocabulary["cancel_reason"]["day_closed"]["phone"]["zh"].startswith("当日未叫到")


def test_the_phone_page_gives_the_estimate_once_a_window_is_open(app, client):
    clerk = create_staff(app)
    client.post("/api/v1/sites/hall/windows/w1/open", headers=clerk)
    issue(client)
    ticket = issue(client)
    html = client.get(f"/t/{ticket['id']}").get_data(as_text=True)
    assert '<span id="eta" class="fact-value">约 18 分钟</span>' in html  # the queue's items: 20 and 15 minutes


def test_the_printed_ticket_says_floor_and_helping_windows_and_no_figure_without_an_open_window(app, client):
    view = issue(client)
    site = hall(app).site("hall")
    lines = [line.text for line in ticket_lines(ticket_print(site, view, "https://hall.example.cn/t/x"), 80)]
    assert "请到 三楼 1、2号窗口" in lines and "人多时 一楼 5号窗口 也会叫号" in lines
    assert "暂无窗口开放，请留意叫号" in lines and not any("预计等候约" in line for line in lines)


def test_a_floor_s_display_knows_its_floor_to_say_other_floors_calls(client):
    html = client.get("/display/hall/lobby").get_data(as_text=True)
    config = page_data(html, "screen-config")
    assert config["zones"] == ["accept", "pickup"] and config["floors"] == ["f1"]


def test_a_new_ticket_answers_the_fields_of_a_cancel_a_requeue_and_a_finish_empty(database_url):
    app = make_app(database_url, floors_layout(), CLOCK=lambda: dt.datetime(2026, 1, 5, 1, 0))
    try:
        ticket = issue(app.test_client())
        assert ticket["issued_at"] == "2026-01-05T01:00:00Z" and ticket["requeued_at"] is None
        assert ticket["cancel_reason"] is None and ticket["reason"] is None and ticket["missing"] is None
    finally:
        stop(app)
