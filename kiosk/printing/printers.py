"""Open the printer a kiosk is configured with, and print a ticket on it.

The transport (network 9100, USB, serial, device file, CUPS, dummy) is configuration; the
bytes are always those of ``ticket_bytes``. Every failure comes out as ``PrinterError`` so the
kiosk can show the ticket on screen instead, and nothing waits longer than the configured timeout.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import CupsPrinter, Dummy, File, Network, Serial, Usb
from usb.core import NoBackendError

from kiosk.printing.escpos_render import paper_profile, ticket_bytes
from kiosk.printing.status_query import CANNOT_PRINT, StateName, query_status
from kiosk.printing.ticket import TicketPrint
from layout.model import PrinterConfig

log = logging.getLogger(__name__)

# Printer kinds that can answer DLE EOT status requests over their link.
QUERYABLE_TYPES = frozenset({"network", "serial", "usb"})
_CUPS_DEFAULT_PORT = 631
# A print waits at most this many timeouts for a status poll of the same printer to finish.
_LOCK_WAIT_TIMEOUTS = 4


class PrinterError(Exception):
    """The ticket could not be printed. ``reason`` is for staff (Chinese / English); ``state``
    is the printer state it implies (see ``PrinterState``)."""

    def __init__(self, reason: str, state: StateName = "offline") -> None:
        super().__init__(reason)
        self.reason = reason
        self.state = state


def _refuse_agent(config: PrinterConfig) -> None:
    if config.type == "agent":
        raise ValueError("printer type 'agent' is printed by the kiosk's local agent, not by the server")


def _require(value: object, what: str, config: PrinterConfig) -> None:
    if value is None or value == "":
        raise PrinterError(f"打印机配置缺少 {what} / {config.type} printer config has no {what}")


def _construct(config: PrinterConfig) -> Escpos:
    profile = paper_profile(config.paper_mm)
    if config.type == "network":
        _require(config.host, "host", config)
        return Network(host=config.host, port=config.port, timeout=config.timeout_s, profile=profile)
    if config.type == "usb":
        _require(config.usb_vendor, "usb_vendor", config)
        _require(config.usb_product, "usb_product", config)
        # pyusb counts its timeout in milliseconds.
        timeout_ms = max(1, round(config.timeout_s * 1000))
        return Usb(config.usb_vendor, config.usb_product, timeout=timeout_ms, profile=profile)
    if config.type == "serial":
        _require(config.device, "device", config)
        return Serial(
            devfile=config.device, baudrate=config.baudrate, timeout=config.timeout_s, profile=profile
        )
    if config.type == "file":
        _require(config.device, "device", config)
        return File(devfile=config.device, profile=profile)
    if config.type == "cups":
        server = {}
        if config.host:
            port = _CUPS_DEFAULT_PORT if config.port == 9100 else config.port
            server = {"host": config.host, "port": port}
        return CupsPrinter(printer_name=config.device or "", profile=profile, **server)
    if config.type == "dummy":
        return Dummy(profile=profile)
    raise ValueError(f"unknown printer type {config.type!r}")


def _describe(config: PrinterConfig) -> str:
    if config.type == "network":
        return f"{config.host}:{config.port}"
    if config.type == "usb":
        return f"USB {config.usb_vendor or 0:04x}:{config.usb_product or 0:04x}"
    return f"{config.type} {config.device or ''}".strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def open_printer(config: PrinterConfig) -> Escpos:
    """An open python-escpos printer for the config; raises ``PrinterError`` when it cannot be reached
    (and ``ValueError`` for type 'agent', which the server never prints to)."""
    _refuse_agent(config)
    try:
        printer = _construct(config)
        printer.open()
    except PrinterError:
        raise
    except DeviceNotFoundError as error:
        raise PrinterError(
            f"无法连接打印机 {_describe(config)} / cannot open printer: {_one_line(error.msg)}"
        ) from error
    except RuntimeError as error:  # python-escpos says so when pyusb, pyserial or pycups is missing
        raise PrinterError(f"缺少打印机驱动组件 / printer support missing: {error}", "unknown") from error
    except NoBackendError as error:  # pyusb without the libusb library on the kiosk PC
        raise PrinterError("缺少USB驱动组件 libusb / USB support missing: install libusb-1.0-0", "unknown") from error
    except OSError as error:
        raise PrinterError(f"无法连接打印机 {_describe(config)} / cannot open printer: {error}") from error
    if config.type == "serial":
        printer.device.write_timeout = config.timeout_s  # python-escpos only sets the read timeout
    return printer


_locks_guard = threading.Lock()
_target_locks: dict[tuple, threading.Lock] = {}


def _target_lock(config: PrinterConfig) -> threading.Lock:
    # Most network printers serve one connection on port 9100 at a time: a status poll and a
    # print of the same printer take turns instead of queueing inside the printer.
    key = (config.type, config.host, config.port, config.device, config.usb_vendor, config.usb_product)
    with _locks_guard:
        return _target_locks.setdefault(key, threading.Lock())


def _close(printer: Escpos, config: PrinterConfig) -> None:
    try:
        printer.close()  # CUPS sends the job only now
    except Exception as error:
        raise PrinterError(
            f"打印任务未能送达 {_describe(config)} / closing the printer failed: {error}"
        ) from error


@contextmanager
def printer_session(config: PrinterConfig) -> Iterator[Escpos]:
    """Exclusive use of one open printer; closed afterwards. Raises ``PrinterError``."""
    lock = _target_lock(config)
    if not lock.acquire(timeout=config.timeout_s * _LOCK_WAIT_TIMEOUTS):
        raise PrinterError(f"打印机忙 {_describe(config)} / printer busy")
    try:
        printer = open_printer(config)
        try:
            yield printer
        except BaseException:
            try:
                printer.close()
            except Exception:  # the first error is the one worth reporting
                log.debug("closing %s after an error failed too", _describe(config), exc_info=True)
            raise
        _close(printer, config)
    finally:
        lock.release()


def print_ticket(config: PrinterConfig, ticket: TicketPrint) -> None:
    """Print one ticket, or raise ``PrinterError`` (with the printer's state) within the timeouts.

    The printer is asked for its status first, when its link can answer, so a ticket is never
    sent to a printer without paper: the caller then shows the ticket on screen instead.
    """
    _refuse_agent(config)
    send_ticket(config, ticket_bytes(ticket, config.paper_mm, config.qr), ticket.number)


def send_ticket(config: PrinterConfig, job: bytes, number: str) -> None:
    """Send a rendered ticket (``ticket_bytes``): what ``print_ticket`` does after rendering, for a
    caller that renders elsewhere (off the gevent hub)."""
    _refuse_agent(config)
    with printer_session(config) as printer:
        if config.type in QUERYABLE_TYPES and config.status_check:
            state = query_status(printer)
            if state.state in CANNOT_PRINT:
                raise PrinterError(f"{state.detail} ({_describe(config)})", state.state)
        try:
            printer._raw(job)
        except Exception as error:
            raise PrinterError(
                f"号票发送失败 {_describe(config)} / sending the ticket failed: {error}"
            ) from error
    log.info("printed ticket %s on %s", number, _describe(config))
