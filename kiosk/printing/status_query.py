"""Ask an ESC/POS printer how it is (DLE EOT 1, 2, 4) and say it in one word.

Every reply byte of DLE EOT has bit 1 and bit 4 set and bits 0 and 7 clear; a byte that does
not look like that is not a status reply, and we say "unknown" rather than guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from escpos.escpos import Escpos
from escpos.printer import Serial

from kiosk.printing.escpos_commands import status_request
from server.domain.devices import CANNOT_PRINT, PRINTER_STATES
from server.domain.devices import PrinterStateName as StateName

STATE_NAMES = PRINTER_STATES
__all__ = ["CANNOT_PRINT", "STATE_NAMES", "StateName", "query_status"]

_FIXED_BITS_MASK = 0b1001_0011
_FIXED_BITS_VALUE = 0b0001_0010
_OFFLINE = 0x08  # DLE EOT 1, bit 3
_COVER_OPEN = 0x04  # DLE EOT 2, bit 2
_FEED_BUTTON = 0x08  # DLE EOT 2, bit 3
_PAPER_END_STOP = 0x20  # DLE EOT 2, bit 5
_ERROR = 0x40  # DLE EOT 2, bit 6
_PAPER_NEAR_END = 0x0C  # DLE EOT 4, bits 2 and 3
_PAPER_END = 0x60  # DLE EOT 4, bits 5 and 6

DETAILS: dict[str, str] = {
    "online": "打印机正常 / printer online",
    "paper_low": "打印纸将用尽，请及时换纸 / paper near end",
    "paper_out": "打印机缺纸 / printer out of paper",
    "cover_open": "打印机盖未关好 / printer cover open",
    "offline": "打印机离线 / printer offline",
    "error": "打印机故障 / printer error",
    "feeding": "打印机正在走纸 / paper is being fed",
    "no_answer": "打印机无应答 / no answer to the status request",
    "closed": "打印机断开了连接 / the printer closed the connection",
}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PrinterState:
    state: StateName
    detail: str  # Chinese / English, for staff
    checked_at: dt.datetime  # UTC


def _state(state: StateName, detail_key: str, extra: str = "") -> PrinterState:
    detail = DETAILS[detail_key] + (f": {extra}" if extra else "")
    return PrinterState(state, detail, utc_now())


def _read_reply(printer: Escpos) -> bytes:
    # pyserial's read(16) waits out the whole timeout unless 16 bytes come; a reply is one byte.
    if isinstance(printer, Serial):
        return printer.device.read(1)
    return bytes(printer._read())


def _ask(printer: Escpos, kind: Literal[1, 2, 4]) -> int | PrinterState:
    """The reply byte, or the state to report when there is no usable reply."""
    try:
        printer._raw(status_request(kind))
        reply = _read_reply(printer)
    except TimeoutError:
        return _state("offline", "no_answer")
    except OSError as error:
        return _state("offline", "offline", f"{type(error).__name__} {error}")
    if not reply:
        return _state("offline", "closed")
    byte = reply[-1]  # a late reply to an earlier request may come first; the newest is ours
    if byte & _FIXED_BITS_MASK != _FIXED_BITS_VALUE:
        return PrinterState(
            "unknown", f"状态应答无法识别 / unrecognised status reply 0x{byte:02x}", utc_now()
        )
    return byte


def query_status(printer: Escpos) -> PrinterState:
    """Ask an open printer for its real-time status. Never raises for device trouble: an
    unreachable, silent or confused printer is itself a status."""
    replies: dict[int, int] = {}
    for kind in (1, 2, 4):
        reply = _ask(printer, kind)
        if isinstance(reply, PrinterState):
            return reply
        replies[kind] = reply
    printer_status, offline_cause, paper_sensor = replies[1], replies[2], replies[4]
    if offline_cause & _COVER_OPEN:
        return _state("cover_open", "cover_open")
    if paper_sensor & _PAPER_END or offline_cause & _PAPER_END_STOP:
        return _state("paper_out", "paper_out")
    if offline_cause & _ERROR:
        return _state("offline", "error")
    if offline_cause & _FEED_BUTTON:
        return _state("offline", "feeding")
    if printer_status & _OFFLINE:
        return _state("offline", "offline")
    if paper_sensor & _PAPER_NEAR_END:
        return _state("paper_low", "paper_low")
    return _state("online", "online")
