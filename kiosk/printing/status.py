"""Keep an eye on the kiosks' printers so staff hear of an empty roll before a citizen does.

Status is advisory: printing never waits for the monitor, and ``status()`` only reads what the
last poll found. One small thread per printer polls it with a short timeout, so a dead printer
never delays the others. Plain sockets with timeouts and ``threading`` primitives work the same
in a gevent-patched process (they become cooperative).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping

from kiosk.printing.printers import QUERYABLE_TYPES, PrinterError, printer_session
from kiosk.printing.status_query import PrinterState, query_status, utc_now
from layout.model import PrinterConfig

__all__ = ["PrinterMonitor", "PrinterState"]

log = logging.getLogger(__name__)

OnChange = Callable[[str, PrinterState], None]

_NOT_QUERYABLE = {
    "file": "设备文件打印机无法查询状态 / a device-file printer cannot report status",
    "cups": "CUPS 打印机状态请在 CUPS 中查看 / see CUPS for this printer's status",
    "dummy": "模拟打印机 / dummy printer, nothing is printed",
    "agent": "由终端本地程序打印 / printed by the kiosk's local agent",
}


class PrinterMonitor:
    """Polls every configured printer and remembers its latest state per kiosk."""

    def __init__(
        self,
        printers: Mapping[str, PrinterConfig | None],
        on_change: OnChange | None = None,
        interval_s: float = 15.0,
        timeout_s: float = 1.0,
    ) -> None:
        """``printers`` maps a kiosk id to its printer (None: the kiosk has none). A poll waits at most
        ``timeout_s`` for the connection and for each reply, even when the config allows longer."""
        if interval_s <= 0 or timeout_s <= 0:
            raise ValueError("interval_s and timeout_s must be positive")
        self._printers = dict(printers)
        self._on_change = on_change
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._states: dict[str, PrinterState] = {
            kiosk_id: self._initial_state(config) for kiosk_id, config in self._printers.items()
        }
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @staticmethod
    def _initial_state(config: PrinterConfig | None) -> PrinterState:
        if config is None:
            return PrinterState("unknown", "未配置打印机 / no printer configured", utc_now())
        if config.type not in QUERYABLE_TYPES:
            return PrinterState("unknown", _NOT_QUERYABLE[config.type], utc_now())
        return PrinterState("unknown", "尚未检测 / not checked yet", utc_now())

    def status(self, kiosk_id: str) -> PrinterState:
        """The latest known state; never waits for a printer."""
        with self._lock:
            state = self._states.get(kiosk_id)
        if state is None:
            raise KeyError(f"kiosk {kiosk_id!r} is not watched by this printer monitor")
        return state

    def statuses(self) -> dict[str, PrinterState]:
        """The latest known state of every kiosk."""
        with self._lock:
            return dict(self._states)

    def report(self, kiosk_id: str, state: PrinterState) -> None:
        """Record a state learnt elsewhere (a print that just failed) without waiting for the next poll."""
        self.status(kiosk_id)  # refuses an unknown kiosk
        self._record(kiosk_id, state)

    def poll(self, kiosk_id: str) -> PrinterState:
        """Check one printer now (blocks up to about two timeouts) and record the result."""
        self.status(kiosk_id)
        config = self._printers[kiosk_id]
        if config is None or config.type not in QUERYABLE_TYPES:
            return self.status(kiosk_id)
        quick = dataclasses.replace(config, timeout_s=min(config.timeout_s, self._timeout_s))
        try:
            with printer_session(quick) as printer:
                state = query_status(printer)
        except PrinterError as error:
            state = PrinterState(error.state, error.reason, utc_now())
        except Exception as error:  # a monitor thread must outlive any driver surprise
            log.exception("polling the printer of kiosk %s failed", kiosk_id)
            state = PrinterState("unknown", f"状态检测出错 / status check failed: {error}", utc_now())
        self._record(kiosk_id, state)
        return state

    def _record(self, kiosk_id: str, state: PrinterState) -> None:
        with self._lock:
            previous = self._states.get(kiosk_id)
            self._states[kiosk_id] = state
        if previous is not None and previous.state == state.state:
            return
        log.info("printer of kiosk %s: %s (%s)", kiosk_id, state.state, state.detail)
        if self._on_change is None:
            return
        try:
            self._on_change(kiosk_id, state)
        except Exception:
            log.exception("printer on_change callback failed for kiosk %s", kiosk_id)

    def start(self) -> None:
        """Start polling in the background (a first poll right away). Calling it twice is harmless."""
        if any(thread.is_alive() for thread in self._threads):
            return
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=self._run, args=(kiosk_id, self._stop), name=f"printer-monitor-{kiosk_id}", daemon=True
            )
            for kiosk_id, config in self._printers.items()
            if config is not None and config.type in QUERYABLE_TYPES
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop polling and wait (up to ``timeout_s`` in all) for the threads to end."""
        self._stop.set()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = [thread for thread in self._threads if thread.is_alive()]

    def _run(self, kiosk_id: str, stop: threading.Event) -> None:
        while not stop.is_set():
            self.poll(kiosk_id)
            stop.wait(self._interval_s)
