"""Rules for the hall's devices: kiosk printers and displays."""

from __future__ import annotations

from typing import Any

from layout.model import PrinterConfig
from layout.site_view import SiteView, entries
from layout.typed_reader import INVALID

_DEVICE_TYPES = ("serial", "file", "cups")
_DEVICE_MEANING = {
    "serial": "a serial port such as /dev/ttyUSB0",
    "file": "a device file such as /dev/usb/lp0",
    "cups": "the CUPS printer name",
}
_DEFAULTS = PrinterConfig(type="dummy")


def check_kiosks(view: SiteView) -> None:
    for index, kiosk in entries(view.site.kiosks):
        if isinstance(kiosk.printer, PrinterConfig):
            _check_printer(view, index, kiosk.id, kiosk.printer)


def _check_printer(view: SiteView, index: int, kiosk_id: str, printer: PrinterConfig) -> None:
    def problem(*parts: str, message: str) -> None:
        view.add("kiosks", index, "printer", *parts, message=f"kiosk '{kiosk_id}': {message}")

    kind = printer.type
    if not isinstance(kind, str):
        return  # an unknown type is reported where it was read
    if kind == "network" and _missing(printer.host):
        problem(message="a network printer needs 'host' (its IP address or name)")
    if kind in _DEVICE_TYPES and _missing(printer.device):
        problem(message=f"a {kind} printer needs 'device' ({_DEVICE_MEANING[kind]})")
    if kind == "usb":
        for field in ("usb_vendor", "usb_product"):
            if getattr(printer, field) is None:
                problem(message=f"a usb printer needs '{field}' (such as 0x0416)")
    # A setting the chosen type ignores is most likely meant for another type: say so rather than drop it.
    used_by = {
        "host": kind == "network",
        "port": kind == "network",
        "device": kind in _DEVICE_TYPES,
        "usb_vendor": kind == "usb",
        "usb_product": kind == "usb",
        "baudrate": kind == "serial",
    }
    for field, used in used_by.items():
        value = getattr(printer, field)
        if not used and value is not INVALID and value != getattr(_DEFAULTS, field):
            problem(field, message=f"'{field}' is not used by a {kind} printer")
    if isinstance(printer.port, int) and not 1 <= printer.port <= 65535:
        problem("port", message=f"port must be between 1 and 65535, got {printer.port}")
    if isinstance(printer.baudrate, int) and printer.baudrate < 1:
        problem("baudrate", message=f"baudrate must be positive, got {printer.baudrate}")
    if isinstance(printer.timeout_s, float) and printer.timeout_s <= 0:
        problem("timeout_s", message=f"timeout_s must be above 0, got {printer.timeout_s:g}")


def _missing(value: Any) -> bool:
    """Left out or blank; a value of the wrong type was already reported and is not "missing"."""
    return value is None or (isinstance(value, str) and not value.strip())


def check_displays(view: SiteView) -> None:
    for index, display in entries(view.site.displays):
        if display.zones == ():
            view.add("displays", index, "zones", message=f"display '{display.id}' shows no zone")
        if isinstance(display.voice_repeat, int) and display.voice_repeat < 1:
            view.add(
                "displays",
                index,
                "voice_repeat",
                message=f"voice_repeat must be at least 1 (turn the voice off with voice: false), "
                f"got {display.voice_repeat}",
            )
