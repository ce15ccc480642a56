"""Opening printers from their config, and printing on the ones that need no hardware."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from escpos.printer import Dummy, File

from kiosk.printing import PrinterError, open_printer, print_ticket, ticket_bytes
from layout.model import PrinterConfig
from tests.support.tickets import sample_print

TICKET = sample_print(number="B003", service_name="不动产登记", zone_name="不动产登记区", windows=("12",), ahead=2,
                      eta_minutes=9, issued_at=dt.datetime(2026, 11, 26, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
                      qr_url="https://hall.example.cn/t/abc")


def test_a_file_printer_receives_exactly_the_ticket_bytes(tmp_path):
    device = tmp_path / "lp0"
    config = PrinterConfig(type="file", device=str(device), paper_mm=58, qr="image")
    print_ticket(config, TICKET)
    assert device.read_bytes() == ticket_bytes(TICKET, paper_mm=58, qr_mode="image")


def test_a_dummy_printer_opens_with_the_paper_width_in_its_profile():
    printer = open_printer(PrinterConfig(type="dummy", paper_mm=58))
    assert isinstance(printer, Dummy)
    assert printer.profile.profile_data["media"]["width"]["pixels"] == 384


def test_a_file_printer_opens_its_device(tmp_path):
    printer = open_printer(PrinterConfig(type="file", device=str(tmp_path / "lp0")))
    try:
        assert isinstance(printer, File)
    finally:
        printer.close()


def test_the_server_refuses_to_print_for_a_kiosk_agent():
    with pytest.raises(ValueError, match="agent"):
        print_ticket(PrinterConfig(type="agent"), TICKET)
    with pytest.raises(ValueError, match="agent"):
        open_printer(PrinterConfig(type="agent"))


def test_a_network_printer_without_a_host_is_a_printer_error_naming_the_field():
    with pytest.raises(PrinterError, match="host"):
        open_printer(PrinterConfig(type="network"))


def test_a_missing_device_file_is_a_printer_error():
    with pytest.raises(PrinterError, match="/nonexistent/lp0") as raised:
        print_ticket(PrinterConfig(type="file", device="/nonexistent/lp0"), TICKET)
    assert raised.value.state == "offline"


@pytest.mark.parametrize(
    "config",
    [
        PrinterConfig(type="serial", device="/nonexistent/ttyS9"),
        PrinterConfig(type="usb", usb_vendor=0x0416, usb_product=0x5011),
        PrinterConfig(type="cups", device="no-such-queue"),
    ],
    ids=["serial", "usb", "cups"],
)
def test_a_printer_that_cannot_be_opened_is_a_printer_error_whatever_its_link(config):
    # Whether the driver package is missing or the device is, the kiosk gets a PrinterError.
    with pytest.raises(PrinterError) as raised:
        print_ticket(config, TICKET)
    assert raised.value.reason


def test_a_kiosk_pc_without_libusb_is_told_what_to_install(monkeypatch):
    import usb.core

    def no_backend(*args, **kwargs):
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", no_backend)
    with pytest.raises(PrinterError, match="libusb-1.0-0") as raised:
        print_ticket(PrinterConfig(type="usb", usb_vendor=0x0416, usb_product=0x5011), TICKET)
    assert raised.value.state == "unknown"


def test_importing_the_printing_package_leaves_the_root_logger_to_the_server():
    # python-escpos configures logging on import; the package takes that back.
    script = "import logging, kiosk.printing; print(len(logging.getLogger().handlers))"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
