"""Alert rules (pure) and the alert handlers against the in-memory unit of work."""

from __future__ import annotations

import datetime as dt

import pytest

from layout.model import PrinterConfig
from server.domain import commands
from server.domain.alerts import AckAlert, AlertChanged, EvaluateAlerts, ScreenSeen, findings
from server.domain.commands import Actor
from server.domain.elastic import QueueLoad
from server.service_layer.handlers.alerts import AlreadyAcknowledged
from tests.support.small_hall import small_hall
from tests.unit.test_handlers import Hall

BOSS = Actor(7, "boss", "manager")


def test_the_rules_find_a_long_wait_a_long_queue_a_printer_that_cannot_print_and_a_silent_screen():
    found = findings(
        [(QueueLoad("biz", "企业登记", 12, 31 * 60, 30), 10), (QueueLoad("estate", "不动产", 3, 60, 30), 10)],
        {"k1": ("一楼取号机", "paper_out"), "k2": ("二楼取号机", "online")},
        {"lobby": ScreenSeen("大厅综合屏", True, "blocked"), "tv2": ScreenSeen("二楼屏", None),
         "tv3": ScreenSeen("三楼屏", True, "ok")})
    assert [(f.kind, f.subject) for f in found] == [
        ("wait_over_target", "biz"), ("queue_long", "biz"), ("printer", "k1"), ("screen", "lobby"), ("screen", "tv2")]
    assert "31 分钟" in found[0].message and "12 人" in found[1].message and "从未连接" in found[4].message


def test_no_alert_when_the_hall_keeps_its_promises():
    assert findings([(QueueLoad("biz", "企业登记", 9, 29 * 60, 30), 10)], {"k1": ("一楼取号机", "online")},
                    {"lobby": ScreenSeen("大厅综合屏", True)}) == []
    [low] = findings([], {"k1": ("一楼取号机", "paper_low")}, {})
    assert (low.kind, low.subject) == ("printer", "k1"), "a roll running out is worth a warning"


@pytest.fixture
def hall() -> Hall:
    return Hall()


def alert_events(hall: Hall) -> list[AlertChanged]:
    return [event for event in hall.announced if isinstance(event, AlertChanged)]


def test_an_alert_opens_once_stays_while_its_cause_holds_and_clears_with_it(hall):
    hall.uow.alerts.devices[("hall", "screen")] = {"lobby": {"display": "lobby", "connected": True, "audio": "ok"}}
    hall.issue()
    hall.later(31)
    [opened] = hall(EvaluateAlerts("hall"))
    assert (opened["kind"], opened["subject"], opened["windows"]) == ("wait_over_target", "biz", ["w1", "w2", "w5"])
    assert len(hall(EvaluateAlerts("hall"))) == 1 and len(alert_events(hall)) == 1, "opened once"
    hall(commands.OpenWindow("hall", "w1", Actor(1, "clerk1", "clerk")))
    hall(commands.CallNext("hall", "w1", Actor(1, "clerk1", "clerk")))
    assert hall(EvaluateAlerts("hall")) == []
    opened_event, cleared_event = alert_events(hall)
    assert (opened_event.status, cleared_event.status) == ("open", "cleared")
    assert cleared_event.payload()["kind"] == "wait_over_target" and cleared_event.public_view() is None


def test_a_manager_acknowledges_an_alert_once():
    printing = Hall(small_hall(printer=PrinterConfig(type="dummy")))
    printing.uow.alerts.devices[("hall", "printer")] = {"k1": {"kiosk": "k1", "state": "paper_out"}}
    [alert] = [a for a in printing(EvaluateAlerts("hall")) if a["kind"] == "printer"]
    acked = printing(AckAlert("hall", alert["id"], BOSS))
    assert acked["acked_by"] == "boss" and acked["acked_at"] is not None
    with pytest.raises(AlreadyAcknowledged):
        printing(AckAlert("hall", alert["id"], BOSS))
    assert alert_events(printing)[-1].acked_by == "boss"
    assert dt.datetime.fromisoformat(acked["since"].replace("Z", "+00:00")).tzinfo is not None


def test_the_watch_evaluates_every_site_at_once_then_a_site_soon_after_its_events_but_not_its_alerts():
    import threading

    from server.alert_watch import AlertWatch
    from server.domain.events import WaitingChanged
    from tests.support.live_server import wait_until

    calls: list = []
    ticks = threading.Event()

    def sleep(_seconds: float) -> None:
        ticks.set()
        threading.Event().wait(0.005)

    def spawn(function):
        thread = threading.Thread(target=function, daemon=True)
        thread.start()
        return thread

    watch = AlertWatch(calls.append, ["hall"], interval=3600, spawn=spawn, sleep=sleep)
    watch.start()
    try:
        wait_until(lambda: calls, 2, message="the first round, for every site")
        assert calls == [EvaluateAlerts("hall")]
        calls.clear()
        watch(AlertChanged("hall", id=1, alert_kind="printer", subject="k1", status="open", message="", since=""))
        wait_until(ticks.is_set, 2, message="a round of the watch")
        ticks.clear()
        wait_until(ticks.is_set, 2, message="another round")
        assert calls == [], "its own alerts do not wake it"
        watch(WaitingChanged("hall"))
        wait_until(lambda: calls, 2, message="an evaluation after an event")
        assert calls == [EvaluateAlerts("hall")]
    finally:
        watch.stop()
