"""好差评 on a real database: a served ticket is rated once (pad with its token, or the phone), a bad rating needs
its reason and opens a rectification with a deadline in working days and a bad_rating alert; every bad input is a
400/401/409 with its code; a pad and a phone rating at once keep exactly one."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from server.app import stop
from server.domain.alerts import EvaluateAlerts
from server.domain.commands import RecordScreenState
from server.wiring import hall
from tests.conftest import create_staff, make_app, staff_subscriber

NINE = dt.datetime(2026, 1, 5, 1, 0)  # Monday 09:00 in the hall
W = "/api/v1/sites/hall/windows"
PAD = {"X-Kiosk-Token": "pad-w1-token-0123456789abcdef"}
TOKENS = {"hall/pad/w1": PAD["X-Kiosk-Token"], "hall/pad/w2": "pad-w2-token-0123456789abcdef"}


@pytest.fixture
def scene(database_url):
    clock = {"now": NINE}
    app = make_app(database_url, CLOCK=lambda: clock["now"], DEVICE_TOKENS=dict(TOKENS))
    hall(app).handle(RecordScreenState("hall", "lobby", "lobby", "ok", True))  # the lobby TV is on
    yield app, clock
    stop(app)


def served(app, clerk, window: str = "w1", service: str = "company-setup") -> str:
    """A ticket issued, called and finished at ``window``: its id."""
    client = app.test_client()
    ticket = client.post("/api/v1/sites/hall/tickets", json={"service": service}).get_json()
    client.post(f"{W}/{window}/open", headers=clerk)
    called = client.post(f"{W}/{window}/call-next", headers=clerk)
    assert called.status_code == 200 and called.get_json()["id"] == ticket["id"]
    finished = client.post(f"{W}/{window}/finish", headers=clerk, json={"outcome": "accepted"})
    assert finished.status_code == 200, finished.get_json()
    return ticket["id"]


def rate(app, ticket_id: str, headers=None, **body):
    body.setdefault("channel", "phone")
    return app.test_client().post(f"/api/v1/tickets/{ticket_id}/rating", json=body, headers=headers or {})


def rating_alerts(alerts: list[dict]) -> list[dict]:
    """The 好差评 alerts among those open (the accepted ticket's case, undecided, is overdue by then too)."""
    return [alert for alert in alerts if alert["kind"] in ("bad_rating", "rectification_overdue")]


def code(response) -> str:
    return response.get_json()["error"]["code"]


def test_the_form_is_versioned_and_the_shipped_one_has_five_levels(scene):
    app, _ = scene
    form = app.test_client().get("/api/v1/rating-form").get_json()
    assert [(item["level"], item["name"]) for item in form["levels"]] == [
        (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
    assert form["reasons"] and all(reason["id"] and reason["name"] for reason in form["reasons"])
    assert form["version"] == app.test_client().get("/api/v1/rating-form?site=hall").get_json()["version"]
    assert app.test_client().get("/api/v1/rating-form?site=nowhere").status_code == 404


def test_a_good_phone_rating_is_kept_once(scene):
    app, _ = scene
    clerk = create_staff(app)
    ticket = served(app, clerk)
    before = app.test_client().get(f"/api/v1/tickets/{ticket}/rating").get_json()
    assert before["rateable"] is True and before["rating"] is None

    answer = rate(app, ticket, level=5, comment="  办得很快  ")
    assert answer.status_code == 201
    rating = answer.get_json()
    assert (rating["ticket"], rating["level"], rating["reasons"], rating["comment"], rating["channel"]) == (
        ticket, 5, [], "办得很快", "phone")
    again = rate(app, ticket, level=4)
    assert again.status_code == 409 and code(again) == "already_rated"
    after = app.test_client().get(f"/api/v1/tickets/{ticket}/rating").get_json()
    assert after["rateable"] is False and after["rating"]["id"] == rating["id"]
    assert after["rating"]["comment"] is None, "read back, the citizen's words stay with the manager"
    assert hall(app).handle(EvaluateAlerts("hall")) == [], "a good rating raises nothing"


def test_bad_input_is_refused_with_its_code(scene):
    app, _ = scene
    clerk = create_staff(app)
    ticket = served(app, clerk)
    cases = [
        ({"level": 0}, 400, "invalid_level"), ({"level": 6}, 400, "invalid_level"),
        ({"level": "5"}, 400, "invalid_level"), ({"level": True}, 400, "invalid_level"),
        ({"level": 2.5}, 400, "invalid_level"), ({}, 400, "invalid_level"),
        ({"level": 1, "reasons": ["made-up"]}, 400, "invalid_reason"),
        ({"level": 1, "reasons": ["waiting", "waiting"]}, 400, "invalid_reason"),
        ({"level": 1, "reasons": "waiting"}, 400, "invalid_field"),
        ({"level": 3, "comment": "长" * 501}, 400, "comment_too_long"),
        ({"level": 2}, 400, "reason_required"), ({"level": 1, "reasons": [], "comment": "   "}, 400, "reason_required"),
        ({"level": 4, "channel": "fax"}, 400, "invalid_channel"),
        ({"level": 4, "phone": "12345"}, 400, "invalid_phone"),
        ({"level": 4, "comment": "a\x00b"}, 400, "invalid_field"),
    ]
    for body, status, expected in cases:
        answer = rate(app, ticket, **body)
        assert (answer.status_code, code(answer)) == (status, expected), body
    assert rate(app, ticket, level=3, comment="长" * 500).status_code == 201, "500 characters are allowed"
    assert rate(app, "no-such-ticket-id", level=5).status_code == 404


def test_a_ticket_not_served_is_not_rateable(scene):
    app, _ = scene
    clerk = create_staff(app)
    client = app.test_client()
    waiting = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).get_json()["id"]
    answer = rate(app, waiting, level=5)
    assert answer.status_code == 409 and code(answer) == "not_rateable"
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    client.post(f"{W}/w1/no-show", headers=clerk)
    answer = rate(app, waiting, level=5)
    assert answer.status_code == 409 and code(answer) == "not_rateable", "a missed ticket was not served"
    assert client.get(f"/api/v1/tickets/{waiting}/rating").get_json()["rateable"] is False


def test_a_pad_rates_only_the_service_just_finished_at_its_window(scene):
    app, clock = scene
    ticket = served(app, create_staff(app))
    clock["now"] = NINE + dt.timedelta(minutes=30)  # the pad's token, half an hour after the finish
    late = rate(app, ticket, PAD, level=5, channel="pad")
    assert late.status_code == 409 and code(late) == "not_rateable" and "手机" in late.get_json()["error"]["message"]
    phone = rate(app, ticket, level=5)  # the citizen's own phone page still may
    assert phone.status_code == 201 and phone.get_json()["channel"] == "phone"


def test_a_pad_rates_only_with_the_token_of_the_window_that_served(scene):
    app, _ = scene
    clerk = create_staff(app)
    ticket = served(app, clerk)
    without = rate(app, ticket, level=5, channel="pad")
    assert without.status_code == 401 and code(without) == "token_required"
    other_pad = rate(app, ticket, {"X-Kiosk-Token": TOKENS["hall/pad/w2"]}, level=5, channel="pad")
    assert other_pad.status_code == 401 and code(other_pad) == "invalid_token"
    answer = rate(app, ticket, PAD, level=4, channel="pad")
    assert answer.status_code == 201 and answer.get_json()["channel"] == "pad"
    phone = rate(app, ticket, level=1, reasons=["waiting"])
    assert phone.status_code == 409 and code(phone) == "already_rated"


def test_a_bad_rating_opens_a_rectification_and_its_alert_which_the_manager_works_through(scene):
    app, clock = scene
    clerk, manager = create_staff(app, "clerk1"), create_staff(app, "boss", role="manager")
    staff = staff_subscriber(app)
    ticket = served(app, clerk)
    answer = rate(app, ticket, level=2, reasons=["waiting", "attitude"], comment="等了很久", phone="138 0013 8000")
    assert answer.status_code == 201 and answer.get_json()["call_back"] is True

    client = app.test_client()
    [rectification] = client.get("/api/v1/sites/hall/rectifications", headers=manager).get_json()
    assert (rectification["number"], rectification["window"], rectification["clerk_name"], rectification["level"],
            rectification["reasons"], rectification["status"]) == ("A001", "w1", "clerk1", 2, ["waiting", "attitude"],
                                                                    "open")
    assert rectification["phone"] == "138****8000", "the call-back number is masked in every view"
    assert rectification["deadline"] == "2026-01-12", "five working days after Monday: the next Monday"
    received = staff.get_received()
    alerts = [p["args"][0] for p in received if p["name"] == "alert"]
    assert [(a["kind"], a["status"], a["windows"]) for a in alerts] == [("bad_rating", "open", ["w1"])]
    assert "13800138000" not in str(received) and "138****8000" not in str(received)
    assert [p["args"][0]["status"] for p in received if p["name"] == "rectification"] == ["open"]
    board = client.get("/api/v1/sites/hall/monitor", headers=manager).get_json()
    assert [alert["kind"] for alert in board["alerts"]] == ["bad_rating"]
    assert [a["kind"] for a in hall(app).handle(EvaluateAlerts("hall"))] == ["bad_rating"], "kept while open"

    assert client.get("/api/v1/sites/hall/rectifications", headers=clerk).status_code == 403
    at_window = client.get(f"{W}/w1/alerts", headers=clerk).get_json()
    assert [alert["kind"] for alert in at_window] == ["bad_rating"], "a counter opened later shows it too"
    assert client.get(f"{W}/w2/alerts", headers=clerk).get_json() == [], "only the window that served"
    path = f"/api/v1/sites/hall/rectifications/{rectification['id']}"
    contacted = client.post(path, headers=manager, json={"action": "contact", "note": "已电话回访，致歉"})
    assert contacted.status_code == 200 and contacted.get_json()["status"] == "contacted"
    assert code(client.post(path, headers=manager, json={"action": "resolve"})) == "note_required"
    assert code(client.post(path, headers=manager, json={"action": "dance", "note": "x"})) == "invalid_action"

    clock["now"] = NINE + dt.timedelta(days=8)  # Tuesday of the next week: past the deadline
    kinds = sorted(a["kind"] for a in rating_alerts(hall(app).handle(EvaluateAlerts("hall"))))
    assert kinds == ["bad_rating", "rectification_overdue"]
    assert client.get("/api/v1/sites/hall/rectifications", headers=manager).get_json()[0]["overdue"] is True

    resolved = client.post(path, headers=manager, json={"action": "resolve", "note": "窗口增派人手"}).get_json()
    assert resolved["status"] == "resolved" and resolved["overdue"] is False
    assert [a["kind"] for a in rating_alerts(hall(app).handle(EvaluateAlerts("hall")))] == ["bad_rating"]
    closed = client.post(path, headers=manager, json={"action": "close", "note": "办结"}).get_json()
    assert [(a["action"], a["by"]) for a in closed["actions"]] == [
        ("contact", "boss"), ("resolve", "boss"), ("close", "boss")]
    assert rating_alerts(hall(app).handle(EvaluateAlerts("hall"))) == []
    late = client.post(path, headers=manager, json={"action": "appeal", "note": "x"})
    assert late.status_code == 409 and code(late) == "rectification_closed"
    assert client.get("/api/v1/sites/hall/rectifications", headers=manager).get_json() == []
    assert [r["status"] for r in client.get("/api/v1/sites/hall/rectifications?status=closed",
                                            headers=manager).get_json()] == ["closed"]
    assert client.post("/api/v1/sites/hall/rectifications/999", headers=manager,
                       json={"action": "close", "note": "x"}).status_code == 404


def test_a_clerk_sees_the_level_and_reasons_of_their_own_services_only(scene):
    app, _ = scene
    mine, other = create_staff(app, "clerk1"), create_staff(app, "clerk2")
    rate(app, served(app, mine, "w1"), level=1, reasons=["slow"], comment="张三 13800138000", phone="13800138000")
    rate(app, served(app, other, "w2"), level=5)
    [seen] = app.test_client().get("/api/v1/sites/hall/my-ratings", headers=mine).get_json()
    assert (seen["number"], seen["level"], seen["reasons"], seen["level_name"]) == ("A001", 1, ["slow"], "非常不满意")
    assert "comment" not in seen and "phone" not in seen and "ticket" not in seen
    assert "13800138000" not in str(seen) and "张三" not in str(seen)


def test_a_pad_and_a_phone_rating_at_once_keep_exactly_one(scene):
    app, _ = scene
    clerk = create_staff(app)
    ticket = served(app, clerk)
    barrier, answers = threading.Barrier(4), []

    def send(headers, body):
        barrier.wait()
        answers.append(rate(app, ticket, headers, **body))

    bodies = [(PAD, {"level": 4, "channel": "pad"}), ({}, {"level": 1, "reasons": ["waiting"]}),
              (PAD, {"level": 5, "channel": "pad"}), ({}, {"level": 3})]
    threads = [threading.Thread(target=send, args=pair) for pair in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201, 409, 409, 409]
    assert all(code(answer) == "already_rated" for answer in answers if answer.status_code == 409)
    kept = app.test_client().get(f"/api/v1/tickets/{ticket}/rating").get_json()["rating"]
    winner = next(answer.get_json() for answer in answers if answer.status_code == 201)
    assert kept["id"] == winner["id"] and kept["level"] == winner["level"]


def test_the_statistics_carry_the_ratings_by_window_clerk_item_department_and_day(scene):
    app, _ = scene
    clerk, manager = create_staff(app, "clerk1"), create_staff(app, "boss", role="manager")
    rate(app, served(app, clerk), level=5)
    rate(app, served(app, clerk), level=2, reasons=["waiting"])
    served(app, clerk)  # served, not rated
    client = app.test_client()
    expected = {"ratings": 2, "rating_avg": 3.5, "bad_ratings": 1, "good_rating_pct": 50.0,
                "rating_rate_pct": 66.7}
    for by, key in (("window", "w1"), ("day", "2026-01-05"), ("service", "company-setup"), ("department", "amr")):
        stats = client.get(f"/api/v1/sites/hall/stats?from=2026-01-05&to=2026-01-05&by={by}", headers=manager)
        assert stats.status_code == 200
        [row] = [row for row in stats.get_json()["rows"] if row["key"] == key]
        assert {name: row[name] for name in expected} == expected, by
        assert {name: stats.get_json()["totals"][name] for name in expected} == expected, by
    by_clerk = client.get("/api/v1/sites/hall/stats?from=2026-01-05&to=2026-01-05&by=clerk", headers=manager)
    [row] = by_clerk.get_json()["rows"]
    assert (row["name"], row["ratings"], row["bad_ratings"]) == ("clerk1", 2, 1)
    empty = client.get("/api/v1/sites/hall/stats?from=2026-01-06&to=2026-01-06&by=window", headers=manager)
    assert empty.get_json()["totals"]["ratings"] == 0 and empty.get_json()["totals"]["rating_avg"] is None

    csv = client.get("/api/v1/sites/hall/stats.csv?from=2026-01-05&to=2026-01-05&by=window", headers=manager)
    lines = csv.data.decode("utf-8-sig").splitlines()
    header, w1 = lines[0].split(","), next(line for line in lines if ",w1," in line).split(",")
    assert [w1[header.index(title)] for title in ("评价数", "平均评价", "差评数", "好评率(%)", "参评率(%)")] == [
        "2", "3.5", "1", "50.0", "66.7"]
    xlsx = client.get("/api/v1/sites/hall/stats.xlsx?from=2026-01-05&to=2026-01-05&by=window", headers=manager)
    from io import BytesIO

    from openpyxl import load_workbook
    sheet = load_workbook(BytesIO(xlsx.data)).active
    titles = [cell.value for cell in sheet[2]]
    assert "好评率(%)" in titles and "参评率(%)" in titles
    values = {titles[i]: cell.value for i, cell in enumerate(sheet[3])}
    assert (values["评价数"], values["差评数"], values["好评率(%)"]) == (2, 1, 50.0)


def pad_client(app, token=None, window="w1"):
    from server.extensions import socketio

    sio = socketio.test_client(app)
    sio.emit("pad_subscribe", {"site": "hall", "window": window, **({"token": token} if token else {})})
    return sio


def received(sio, name: str) -> list[dict]:
    return [packet["args"][0] for packet in sio.get_received() if packet["name"] == name]


def test_the_pad_room_needs_the_pads_token_and_hears_each_finish_and_its_rating(scene):
    app, clock = scene
    clerk = create_staff(app, "clerk1")
    assert [e["error"]["code"] for e in received(pad_client(app), "pad_error")] == ["token_required"]
    wrong = pad_client(app, TOKENS["hall/pad/w2"])
    assert [e["error"]["code"] for e in received(wrong, "pad_error")] == ["invalid_token"]

    pad = pad_client(app, PAD["X-Kiosk-Token"])
    [snapshot] = received(pad, "pad_snapshot")
    assert (snapshot["window"], snapshot["state"], snapshot["pending"]) == ("w1", "closed", None)
    ticket = served(app, clerk)
    packets = pad.get_received()
    [offer] = [p["args"][0] for p in packets if p["name"] == "rate"]
    assert (offer["ticket"], offer["number"], offer["service_name"], offer["seconds"]) == (
        ticket, "A001", "企业设立登记", 60)
    assert offer["form"]["version"] == app.test_client().get("/api/v1/rating-form?site=hall").get_json()["version"]
    assert [p["args"][0]["clerk_name"] for p in packets if p["name"] == "pad_window"][-1] == "clerk1"
    assert received(wrong, "rate") == [], "another window's pad hears nothing of this one"

    clock["now"] = NINE + dt.timedelta(seconds=20)
    late = pad_client(app, PAD["X-Kiosk-Token"])  # a pad that reconnects meanwhile is offered it still
    [again] = received(late, "pad_snapshot")
    assert (again["pending"]["ticket"], again["pending"]["seconds"], again["clerk_name"]) == (ticket, 40, "clerk1")

    from server.extensions import socketio
    phone = socketio.test_client(app)
    phone.emit("subscribe", {"site": "hall", "ticket": ticket})
    phone.get_received()
    assert rate(app, ticket, level=4).status_code == 201
    assert [e["ticket"] for e in received(pad, "rated")] == [ticket]
    assert [(e["ticket"], e["level"]) for e in received(phone, "rated")] == [(ticket, 4)]
    [after] = received(pad_client(app, PAD["X-Kiosk-Token"]), "pad_snapshot")
    assert after["pending"] is None, "a rated ticket is not offered again"
    clock["now"] = NINE + dt.timedelta(seconds=61)
    rate_later = served(app, clerk)
    clock["now"] += dt.timedelta(seconds=61)
    [expired] = received(pad_client(app, PAD["X-Kiosk-Token"]), "pad_snapshot")
    assert expired["pending"] is None and rate_later, "past its minute the pad no longer offers it"


def test_the_pad_page_and_the_devices_list_know_each_windows_pad(scene):
    app, _ = scene
    page = app.test_client().get("/rate/hall/w1")
    assert page.status_code == 200 and "评价器" in page.get_data(as_text=True)
    assert app.test_client().get("/rate/hall/w99").status_code == 404
    from server.device_tokens import devices
    pads = [device for device in devices(hall(app).layout) if device.kind == "pad"]
    assert [(device.key, device.page) for device in pads][:1] == [("hall/pad/w1", "/rate/hall/w1")]
    assert len(pads) == len(hall(app).site("hall").windows)


def test_an_upheld_appeal_sets_the_rating_aside_and_the_figures_no_longer_count_it(scene):
    app, _ = scene
    clerk, manager = create_staff(app, "clerk1"), create_staff(app, "boss", role="manager")
    rate(app, served(app, clerk), level=1, comment="随便打的")
    rate(app, served(app, clerk), level=2, reasons=["slow"])
    client = app.test_client()
    malicious, kept = sorted(client.get("/api/v1/sites/hall/rectifications", headers=manager).get_json(),
                             key=lambda item: item["id"])
    path = "/api/v1/sites/hall/rectifications"
    early = client.post(f"{path}/{malicious['id']}", headers=manager,
                        json={"action": "close", "note": "x", "appeal": "upheld"})
    assert early.status_code == 409, "a verdict only closes an appeal"
    assert client.post(f"{path}/{malicious['id']}", headers=manager,
                       json={"action": "appeal", "note": "窗口申诉：群众误评"}).get_json()["status"] == "appealed"
    again = client.post(f"{path}/{malicious['id']}", headers=manager, json={"action": "appeal", "note": "再次"})
    assert again.status_code == 409 and code(again) == "illegal_action"
    bad = client.post(f"{path}/{malicious['id']}", headers=manager,
                      json={"action": "close", "note": "x", "appeal": "maybe"})
    assert bad.status_code == 400
    closed = client.post(f"{path}/{malicious['id']}", headers=manager,
                         json={"action": "close", "note": "复核：录像显示办理正常", "appeal": "upheld"}).get_json()
    assert (closed["status"], closed["appeal"], closed["set_aside"]) == ("closed", "upheld", True)
    client.post(f"{path}/{kept['id']}", headers=manager, json={"action": "appeal", "note": "申诉"})
    rejected = client.post(f"{path}/{kept['id']}", headers=manager, json={"action": "close", "note": "申诉不成立"})
    assert (rejected.get_json()["appeal"], rejected.get_json()["set_aside"]) == ("rejected", False)
    totals = client.get("/api/v1/sites/hall/stats?from=2026-01-05&to=2026-01-05&by=window",
                        headers=manager).get_json()["totals"]
    assert (totals["ratings"], totals["bad_ratings"], totals["rating_avg"]) == (1, 1, 2.0)
