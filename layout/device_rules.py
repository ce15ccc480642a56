"""Rules for the hall's devices: kiosk printers and displays."""

from __future__ import annotations

from layout.model import PrinterConfig
from layout.site_view import SiteView, entries

_DEVICE_TYPES = ("serial", "file", "cups")
_DEVICE_MEANING = {
    "serial": "a serial port such as /dev/ttyUSB0",
    "file": "a device file such as /dev/usb/lp0",
    "cups": "the CUPS printer name",
}
_DEFAULTS = PrinterConfig(type="dummy")


def check_kiosks(view: SiteView) -> None:
    for index, kiosk in entries(view.site.kiosks):
        if kiosk.printer is not None:
            _check_printer(view, index, kiosk.id, kiosk.printer)


def _check_printer(view: SiteView, index: int, kiosk_id: str, printer: PrinterConfig) -> None:
    def problem(*parts: str, message: str) -> None:
        view.add("kiosks", index, "printer", *parts, message=f"kiosk '{kiosk_id}': {message}")

    kind = printer.type
    if kind is None:
        return  # an unknown type is reported where it was read
    if kind == "network" and not (printer.host or "").strip():
        problem(message="a network printer needs 'host' (its IP address or name)")
    if kind in _DEVICE_TYPES and not (printer.device or "").strip():
        problem(message=f"a {kind} printer needs 'device' ({_DEVICE_MEANING[kind]})")
    if kind == "usb":
        for field in ("usb_vendor", "usb_product"):
            if getattr(printer, field) is None:
                problem(message=f"a usb printer needs '{field}' (such as 0x0416)")
    # A setting the chosen type ignores is most likely meant for another type: say so rather than drop it.
    unused = {
        "host": kind != "network" and printer.host is not None,
        "port": kind != "network" and printer.port != _DEFAULTS.port,
        "device": kind not in _DEVICE_TYPES and printer.device is not None,
        "usb_vendor": kind != "usb" and printer.usb_vendor is not None,
        "usb_product": kind != "usb" and printer.usb_product is not None,
        "baudrate": kind != "serial" and printer.baudrate != _DEFAULTS.baudrate,
    }
    for field, is_unused in unused.items():
        if is_unused:
            problem(field, message=f"'{field}' is not used by a {kind} printer")
    if isinstance(printer.port, int) and not 1 <= printer.port <= 65535:
        problem("port", message=f"port must be between 1 and 65535, got {printer.port}")
    if isinstance(printer.baudrate, int) and printer.baudrate < 1:
        problem("baudrate", message=f"baudrate must be positive, got {printer.baudrate}")
    if isinstance(printer.timeout_s, float) and printer.timeout_s <= 0:
        problem("timeout_s", message=f"timeout_s must be above 0, got {printer.timeout_s:g}")


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
