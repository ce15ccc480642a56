"""Printing and status polling over TCP with python-escpos's real Network backend, against FakePrinter."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.printing import PrinterError, PrinterMonitor, PrinterState, TicketPrint, print_ticket, ticket_bytes
from layout.model import PrinterConfig
from tests.fakes.fake_printer import FakePrinter

STATUS_REQUESTS = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
TIMEOUT_S = 0.5
# Generous bound for "gave up within the timeout": connect, one unanswered read, slack for a busy CI box.
GIVE_UP_WITHIN_S = TIMEOUT_S * 2 + 1.5

TICKET = TicketPrint(
    hall_name="清河县政务服务中心",
    number="A012",
    service_name="企业设立登记（含名称自主申报）",
    zone_name="综合受理区",
    windows=("3", "5", "7"),
    ahead=4,
    eta_minutes=18,
    issued_at=dt.datetime(2026, 11, 26, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
    notice="过号请重新取号",
    qr_url="https://hall.example.cn/t/Qm9vZnVkZ2VzQW5kQ3JlYW0x",
)


def network(port: int, **changes) -> PrinterConfig:
    return PrinterConfig(type="network", host="127.0.0.1", port=port, timeout_s=TIMEOUT_S, **changes)


class StateChanges:
    """Collects on_change calls so a test can wait for one without sleeping."""

    def __init__(self) -> None:
        self._changes: queue.Queue[tuple[str, PrinterState]] = queue.Queue()

    def __call__(self, kiosk_id: str, state: PrinterState) -> None:
        self._changes.put((kiosk_id, state))

    def wait_for(self, kiosk_id: str, state: str, timeout: float = 5.0) -> PrinterState:
        deadline = time.monotonic() + timeout
        seen = []
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                changed_kiosk, changed = self._changes.get(timeout=remaining)
            except queue.Empty:
                break
            seen.append((changed_kiosk, changed.state))
            if changed_kiosk == kiosk_id and changed.state == state:
                return changed
        raise AssertionError(f"kiosk {kiosk_id} never became {state} within {timeout}s; changes seen: {seen}")

    def count(self) -> int:
        return self._changes.qsize()


@pytest.fixture
def printer():
    with FakePrinter() as fake:
        yield fake


@pytest.fixture
def monitor_factory():
    monitors: list[PrinterMonitor] = []

    def make(printers, on_change=None, interval_s=0.1) -> PrinterMonitor:
        monitor = PrinterMonitor(printers, on_change=on_change, interval_s=interval_s, timeout_s=TIMEOUT_S)
        monitors.append(monitor)
        return monitor

    yield make
    for monitor in monitors:
        monitor.stop()


def test_print_ticket_asks_the_status_then_delivers_the_ticket_bytes(printer):
    print_ticket(network(printer.port), TICKET)
    expected = STATUS_REQUESTS + ticket_bytes(TICKET, paper_mm=80, qr_mode="native")
    assert printer.wait_for(expected, timeout=5) == expected
    assert printer.status_requests() == [1, 2, 4]


def test_print_ticket_sends_the_image_qr_on_58_mm_when_configured(printer):
    print_ticket(network(printer.port, paper_mm=58, qr="image"), TICKET)
    expected = STATUS_REQUESTS + ticket_bytes(TICKET, paper_mm=58, qr_mode="image")
    assert printer.wait_for(expected, timeout=5) == expected


def test_a_printer_near_the_end_of_its_roll_still_prints(printer):
    printer.mode = "paper_low"
    print_ticket(network(printer.port), TICKET)
    printer.wait_for(b"\x1dV\x00", timeout=5)


@pytest.mark.parametrize("mode", ["paper_out", "cover_open"])
def test_a_printer_without_paper_or_with_its_cover_open_gets_no_ticket(printer, mode):
    printer.mode = mode
    with pytest.raises(PrinterError) as raised:
        print_ticket(network(printer.port), TICKET)
    assert raised.value.state == mode
    assert printer.received() == STATUS_REQUESTS


def test_a_silent_printer_makes_print_ticket_fail_within_the_timeout_instead_of_hanging(printer):
    printer.mode = "silent"
    started = time.monotonic()
    with pytest.raises(PrinterError, match="no answer") as raised:
        print_ticket(network(printer.port), TICKET)
    assert time.monotonic() - started < GIVE_UP_WITHIN_S
    assert raised.value.state == "offline"
    assert b"\x1dV" not in printer.received()  # no half ticket was sent either


def test_a_one_way_printer_link_prints_without_asking_the_status_when_configured(printer):
    printer.mode = "silent"
    print_ticket(network(printer.port, status_check=False), TICKET)
    expected = ticket_bytes(TICKET, paper_mm=80, qr_mode="native")
    assert printer.wait_for(expected, timeout=5) == expected
    assert printer.status_requests() == []


def test_an_unreachable_printer_fails_quickly():
    started = time.monotonic()
    with pytest.raises(PrinterError, match="cannot open printer") as raised:
        print_ticket(network(FakePrinter.closed_port()), TICKET)
    assert time.monotonic() - started < 1.0
    assert raised.value.state == "offline"


def test_the_monitor_reports_online_then_follows_paper_out_and_paper_low(printer, monitor_factory):
    changes = StateChanges()
    monitor = monitor_factory({"kiosk-1": network(printer.port)}, on_change=changes)
    assert monitor.status("kiosk-1").state == "unknown"
    monitor.start()
    changes.wait_for("kiosk-1", "online")
    printer.mode = "paper_out"
    changes.wait_for("kiosk-1", "paper_out")
    assert monitor.status("kiosk-1").state == "paper_out"
    printer.mode = "paper_low"
    changes.wait_for("kiosk-1", "paper_low")
    printer.mode = "cover_open"
    changes.wait_for("kiosk-1", "cover_open")


def test_the_monitor_calls_on_change_only_when_the_state_changes(printer, monitor_factory):
    changes = StateChanges()
    monitor = monitor_factory({"kiosk-1": network(printer.port)}, on_change=changes, interval_s=60)
    for _ in range(3):
        monitor.poll("kiosk-1")
    assert changes.count() == 1


def test_the_monitor_reports_a_silent_printer_offline_within_the_timeout(printer, monitor_factory):
    printer.mode = "silent"
    changes = StateChanges()
    monitor = monitor_factory({"kiosk-1": network(printer.port)}, on_change=changes)
    monitor.start()
    state = changes.wait_for("kiosk-1", "offline", timeout=GIVE_UP_WITHIN_S)
    assert "no answer" in state.detail


def test_the_monitor_reports_an_unreachable_printer_offline(monitor_factory):
    changes = StateChanges()
    monitor = monitor_factory({"kiosk-1": network(FakePrinter.closed_port())}, on_change=changes)
    monitor.start()
    assert "cannot open printer" in changes.wait_for("kiosk-1", "offline").detail


def test_reading_the_status_never_waits_for_a_slow_printer(printer, monitor_factory):
    printer.mode = "silent"
    monitor = monitor_factory({"kiosk-1": network(printer.port)})
    monitor.start()
    printer.wait_for(b"\x10\x04\x01", timeout=5)  # a poll is now waiting for an answer
    started = time.monotonic()
    assert monitor.status("kiosk-1").state in ("unknown", "offline")
    assert time.monotonic() - started < 0.2  # well under the 0.5 s the poll may wait


def test_a_failing_on_change_callback_does_not_stop_the_monitor(printer, monitor_factory):
    changes = StateChanges()

    def flaky(kiosk_id: str, state: PrinterState) -> None:
        changes(kiosk_id, state)
        raise RuntimeError("the socket layer is down")

    monitor = monitor_factory({"kiosk-1": network(printer.port)}, on_change=flaky)
    monitor.start()
    changes.wait_for("kiosk-1", "online")
    printer.mode = "paper_out"
    changes.wait_for("kiosk-1", "paper_out")


def test_printers_that_cannot_report_status_are_unknown_and_not_polled(tmp_path, monitor_factory):
    monitor = monitor_factory(
        {
            "file-kiosk": PrinterConfig(type="file", device=str(tmp_path / "lp0")),
            "agent-kiosk": PrinterConfig(type="agent"),
            "no-printer": None,
        }
    )
    monitor.start()
    states = monitor.statuses()
    assert {kiosk: state.state for kiosk, state in states.items()} == dict.fromkeys(states, "unknown")
    assert "agent" in states["agent-kiosk"].detail
    assert not (tmp_path / "lp0").exists()


def test_asking_about_a_kiosk_the_monitor_does_not_watch_is_a_key_error(monitor_factory):
    with pytest.raises(KeyError, match="kiosk-9"):
        monitor_factory({}).status("kiosk-9")


def test_stop_ends_the_polling_threads_promptly(printer, monitor_factory):
    monitor = monitor_factory({"kiosk-1": network(printer.port)}, interval_s=60)
    monitor.start()
    printer.wait_for(STATUS_REQUESTS, timeout=5)
    started = time.monotonic()
    monitor.stop()
    assert time.monotonic() - started < 1.0
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("printer-monitor-")]


def test_the_monitor_works_in_a_gevent_patched_process():
    script = textwrap.dedent(
        """
        from gevent import monkey
        monkey.patch_all()

        import json, queue
        from kiosk.printing import PrinterMonitor
        from layout.model import PrinterConfig
        from tests.fakes.fake_printer import FakePrinter

        changes = queue.Queue()
        with FakePrinter() as printer:
            config = PrinterConfig(type="network", host="127.0.0.1", port=printer.port, timeout_s=0.5)
            monitor = PrinterMonitor({"kiosk-1": config}, on_change=lambda kiosk, state: changes.put(state.state),
                                     interval_s=0.1, timeout_s=0.5)
            monitor.start()
            seen = [changes.get(timeout=5)]
            printer.mode = "paper_out"
            while seen[-1] != "paper_out":
                seen.append(changes.get(timeout=5))
            monitor.stop()
        print(json.dumps(seen))
        """
    )
    root = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["online", "paper_out"]
