"""States of the hall's devices that belong to no ticket: a kiosk printer's, a screen's sound."""

from __future__ import annotations

from server.domain.commands import RecordPrinterState, RecordScreenState
from server.domain.events import PrinterStateChanged, ScreenStateChanged
from server.service_layer.context import HallContext
from server.service_layer.unit_of_work import UnitOfWork


def record_printer_state(command: RecordPrinterState, uow: UnitOfWork, ctx: HallContext) -> PrinterStateChanged:
    site = ctx.site(command.site)
    return uow.record(PrinterStateChanged(site.id, kiosk=command.kiosk, state=command.state, detail=command.detail,
                                          at=command.at))


def record_screen_state(command: RecordScreenState, uow: UnitOfWork, ctx: HallContext) -> ScreenStateChanged:
    site = ctx.site(command.site)
    return uow.record(ScreenStateChanged(site.id, display=command.display, screen_kind=command.kind,
                                         audio=command.audio, connected=command.connected))
