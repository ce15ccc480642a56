"""A window's receipt printer (``windows[].printer``, for its documents: 受理通知书, 一次性告知书, 不予受理凭证)
is reached by the server itself: a network, USB, serial, file or CUPS printer with what its type needs; the
print agent belongs to kiosks."""

from __future__ import annotations

from layout.model import PrinterConfig
from layout.site_view import SiteView, entries

_NEEDS = {"network": ("host", "its IP address or name"), "serial": ("device", "the serial port, e.g. /dev/ttyUSB0"),
          "file": ("device", "the device file, e.g. /dev/usb/lp0"), "cups": ("device", "the CUPS printer name")}


def check_window_printers(view: SiteView) -> None:
    for index, window in entries(view.site.windows):
        printer = getattr(window, "printer", None)
        if not isinstance(printer, PrinterConfig) or not isinstance(printer.type, str):
            continue

        def problem(message: str, index=index, window=window) -> None:
            view.add("windows", index, "printer", message=f"window '{window.id}': {message}")

        if printer.type == "agent":
            problem("a window's printer cannot be a print agent (agents serve kiosks): use network, usb, "
                    "serial, file or cups")
        needed = _NEEDS.get(printer.type)
        if needed and not getattr(printer, needed[0]):
            problem(f"a {printer.type} printer needs '{needed[0]}' ({needed[1]})")
        if printer.type == "usb" and (printer.usb_vendor is None or printer.usb_product is None):
            problem("a usb printer needs 'usb_vendor' and 'usb_product' (such as 0x0416)")
