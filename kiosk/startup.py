"""The kiosk's services as the composition root wires them: printer health and print jobs, with their
background work started and stopped by the app (``server.app.start`` / ``stop``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, current_app

from kiosk.health import PrinterHealth
from kiosk.jobs import PrintService
from kiosk.printing.preview import FontNotFoundError, find_cjk_font
from server.domain.events import TicketIssued
from server.wiring import HallServices

log = logging.getLogger(__name__)
EXTENSION = "yichuang.kiosk"


@dataclass(frozen=True)
class KioskServices:
    printing: PrintService
    health: PrinterHealth


def kiosk_services(app: Flask | None = None) -> KioskServices:
    return (app or current_app).extensions[EXTENSION]


def warm_preview_fonts() -> None:
    """Find the preview's CJK fonts now, in the main thread: the search may run ``fc-list``, and a
    subprocess cannot be started from gevent's threadpool, where previews are later drawn."""
    for bold in (False, True):
        try:
            find_cjk_font(bold)
        except FontNotFoundError as error:
            log.warning("ticket previews are unavailable: %s", error)


def wire_print_services(app: Flask, hall: HallServices) -> KioskServices:
    health = PrinterHealth(hall, app.config["PRINTER_POLL_SECONDS"])
    printing = PrintService(app, hall, health, app.config["PRINT_ACK_SECONDS"])
    hall.bus.subscribe(TicketIssued, printing.on_ticket_issued)
    hall.printer_state = health.kiosk_state
    hall.started.extend([warm_preview_fonts, printing.start, health.start])
    hall.stopped.extend([printing.stop, health.stop])
    services = KioskServices(printing, health)
    app.extensions[EXTENSION] = services
    return services
