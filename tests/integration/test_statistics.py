"""Statistics checked against figures computed by hand on a generated morning with a transfer, a no-show and
an overflow call; the bad requests; the CSV and XLSX exports read back."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from server.app import stop
from tests.conftest import create_staff, make_app

W = "/api/v1/sites/hall/windows"
DAY = "2026-01-05"  # a Monday; 09:00 in the hall (Asia/Shanghai) is 01:00 UTC
STATS = f"/api/v1/sites/hall/stats?from={DAY}&to={DAY}"


@pytest.fixture(scope="module")
def morning(module_database_url):
    """09:00 A001, 09:02 A002, 09:05 B001, 09:06 A003 are issued; w1 calls A001 at 09:10 (accepted 09:20) and
    A002 at 09:21, which it transfers to 不动产 at 09:22; w3 calls the transferred A002 at 09:25 (即办 09:30),
    then B001 at 09:31 (no-show 09:33); at 09:40 the general window w5 helps 企业登记 (A003 has waited past
    its 30 minutes) and finishes it at 09:50 with a one-time notice."""
    clock = {"now": dt.datetime(2026, 1, 5, 1, 0)}
    app = make_app(module_database_url, CLOCK=lambda: clock["now"])
    client = app.test_client()
    first, second = create_staff(app, "clerk1"), create_staff(app, "clerk2")
    manager = create_staff(app, "manager1", role="manager")

    def at(minute: int) -> None:
        clock["now"] = dt.datetime(2026, 1, 5, 1, 0) + dt.timedelta(minutes=minute)

    def act(window: str, action: str, headers: dict, **body) -> dict:
        response = client.post(f"{W}/{window}/{action}", json=body or None, headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    for minute, service in ((0, "company-setup"), (2, "company-change"), (5, "estate-first"), (6, "company-setup")):
        at(minute)
        assert client.post("/api/v1/sites/hall/tickets", json={"service": service}).status_code == 201
    act("w1", "open", first)
    act("w5", "open", first)
    act("w3", "open", second)
    at(10), act("w1", "call-next", first)
    at(20), act("w1", "finish", first, outcome="accepted")
    at(21), act("w1", "call-next", first)
    at(22), act("w1", "transfer", first, service="estate-first")
    at(25)
    assert act("w3", "call-next", second)["number"] == "A002", "the transfer kept its place"
    at(30), act("w3", "finish", second, outcome="handled")
    at(31), act("w3", "call-next", second)
    at(33), act("w3", "no-show", second)
    at(40)
    assert act("w5", "call-next", first)["number"] == "A003", "overflow after 30 minutes"
    at(50), act("w5", "finish", first, outcome="notified")
    yield client, manager, first
    stop(app)


def figures(client, headers, by: str) -> dict:
    response = client.get(f"{STATS}&by={by}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def summary(row: dict) -> tuple:
    return (row["issued"], row["called"], row["served"], row["no_show"], row["transferred"],
            row["wait_p50_s"], row["wait_p90_s"], row["wait_max_s"], row["within_target_pct"],
            row["service_p50_s"], row["service_p90_s"])


def test_by_queue_counts_a_transfer_once_where_it_was_issued_and_its_call_where_it_happened(morning):
    client, manager, _ = morning
    result = figures(client, manager, "queue")
    rows = {row["key"]: row for row in result["rows"]}
    assert set(rows) == {"biz", "estate"} and rows["biz"]["name"] == "企业登记"
    #                         issued called served no_show transferred p50  p90   max  within p50s p90s
    assert summary(rows["biz"]) == (3, 3, 2, 0, 1, 1140, 2040, 2040, 66.7, 600, 600)
    assert summary(rows["estate"]) == (1, 2, 1, 1, 0, 1560, 1560, 1560, 100.0, 300, 300)
    assert rows["biz"]["outcomes"] == {"accepted": 1, "notified": 1, "rejected": 0, "handled": 0}
    assert summary(result["totals"]) == (4, 5, 3, 1, 1, 1140, 2040, 2040, 75.0, 600, 600)
    assert result["from"] == result["to"] == DAY and result["by"] == "queue"


def test_by_window_and_clerk_count_calls_where_they_happened_and_no_issues(morning):
    client, manager, _ = morning
    windows = {row["key"]: row for row in figures(client, manager, "window")["rows"]}
    assert summary(windows["w1"]) == (0, 2, 1, 0, 1, 600, 1140, 1140, 100.0, 600, 600)
    assert summary(windows["w3"]) == (0, 2, 1, 1, 0, 1560, 1560, 1560, 100.0, 300, 300)
    assert summary(windows["w5"]) == (0, 1, 1, 0, 0, 2040, 2040, 2040, 0.0, 600, 600)
    clerks = {row["name"]: row for row in figures(client, manager, "clerk")["rows"]}
    assert {name: row["called"] for name, row in clerks.items()} == {"clerk1": 3, "clerk2": 2}
    assert all(row["cancelled"] == 0 and row["issued"] == 0 for row in clerks.values())


def test_by_service_department_day_and_hour(morning):
    client, manager, _ = morning
    services = {row["key"]: row for row in figures(client, manager, "service")["rows"]}
    assert [(key, row["issued"], row["called"], row["served"]) for key, row in sorted(services.items())] == [
        ("company-change", 1, 1, 0), ("company-setup", 2, 2, 2), ("estate-first", 1, 2, 1)]
    assert (services["company-setup"]["wait_p50_s"], services["company-setup"]["wait_max_s"]) == (600, 2040)
    departments = {row["key"]: row for row in figures(client, manager, "department")["rows"]}
    assert (departments["amr"]["issued"], departments["amr"]["served"], departments["nr"]["no_show"]) == (3, 2, 1)
    assert departments["nr"]["name"] == "县自然资源和规划局"
    [day] = figures(client, manager, "day")["rows"]
    [hour] = figures(client, manager, "hour")["rows"]
    assert day["key"] == DAY and hour["key"] == 9 and hour["name"] == "09:00–10:00"
    assert summary(day) == summary(hour) == (4, 5, 3, 1, 1, 1140, 2040, 2040, 75.0, 600, 600)


def test_a_range_without_tickets_answers_empty_rows_and_zero_totals(morning):
    client, manager, _ = morning
    result = client.get("/api/v1/sites/hall/stats?from=2025-01-01&to=2025-12-31&by=service", headers=manager)
    assert result.status_code == 200
    assert result.get_json()["rows"] == [] and result.get_json()["totals"]["issued"] == 0


@pytest.mark.parametrize(("query", "code"), [
    ("from=2026-01-05&to=2026-01-05&by=colour", "invalid_by"),
    ("from=2026-01-05&to=yesterday&by=day", "invalid_date"),
    ("from=2026-1-5&to=2026-01-05&by=day", "invalid_date"),
    ("from=2026-02-01&to=2026-01-05&by=day", "invalid_range"),
    ("from=2025-01-01&to=2026-01-05&by=day", "range_too_long"),
    ("to=2026-01-05&by=day", "missing_field"),
])
def test_a_bad_request_is_a_400_with_its_reason(morning, query, code):
    client, manager, _ = morning
    response = client.get(f"/api/v1/sites/hall/stats?{query}", headers=manager)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == code


def test_statistics_are_for_managers_only(morning):
    client, _, clerk = morning
    assert client.get(f"{STATS}&by=day").status_code == 401
    response = client.get(f"{STATS}&by=day", headers=clerk)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden_role"
    assert client.get("/api/v1/sites/nowhere/stats?from=2026-01-05&to=2026-01-05", headers=clerk).status_code == 404


def test_the_csv_opens_in_a_spreadsheet_with_chinese_headers(morning):
    client, manager, _ = morning
    response = client.get(f"/api/v1/sites/hall/stats.csv?from={DAY}&to={DAY}&by=queue", headers=manager)
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["队列", "编号", "取号数", "叫号数"] and "受理通知书" in rows[0]
    assert rows[1][:4] == ["企业登记", "biz", "3", "3"] and rows[-1][:3] == ["合计", "", "4"]


def test_the_xlsx_reads_back_with_the_same_figures(morning):
    client, manager, _ = morning
    response = client.get(f"/api/v1/sites/hall/stats.xlsx?from={DAY}&to={DAY}&by=window", headers=manager)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "测试县政务服务中心" in values[0][0] and values[1][:3] == ["窗口", "编号", "取号数"]
    windows = {row[1]: row for row in values[2:-1]}
    assert windows["w1"][3] == 2 and windows["w5"][0] == "5号窗口 民生经济"
    assert values[-1][0] == "合计" and values[-1][3] == 5
