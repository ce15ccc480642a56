"""Start and stop the kiosk's background services when the hall is wired (an ``on_boot`` hook)."""

from __future__ import annotations

import logging

from flask import Flask

from kiosk.health import PrinterHealth
from kiosk.jobs import PrintService
from kiosk.printing.preview import FontNotFoundError, find_cjk_font
from server.bootstrap import Wiring

log = logging.getLogger(__name__)


def warm_preview_fonts() -> None:
    """Find the preview's CJK fonts now, in the main thread: the search may run ``fc-list``, and a
    subprocess cannot be started from gevent's threadpool, where previews are later drawn."""
    for bold in (False, True):
        try:
            find_cjk_font(bold)
        except FontNotFoundError as error:
            log.warning("ticket previews are unavailable: %s", error)


def start_print_services(app: Flask, wiring: Wiring) -> None:
    warm_preview_fonts()
    health = PrinterHealth(wiring.hall, wiring.layout, app.config["PRINTER_POLL_SECONDS"])
    printing = PrintService(app, wiring.hall, health, app.config["PRINT_ACK_SECONDS"])
    wiring.extras["printer_health"] = health
    wiring.extras["printing"] = printing
    wiring.hall.on_print_job = printing.submit
    printing.start()
    health.start()


def stop_print_services(wiring: Wiring) -> None:
    """Stop the printer monitor, the print workers and the acknowledgement deadlines (tests, shutdown)."""
    wiring.hall.on_print_job = None
    if "printing" in wiring.extras:
        wiring.extras["printing"].stop()
    if "printer_health" in wiring.extras:
        wiring.extras["printer_health"].stop()


def printing_of(wiring: Wiring) -> PrintService:
    return wiring.extras["printing"]


def health_of(wiring: Wiring) -> PrinterHealth:
    return wiring.extras["printer_health"]
