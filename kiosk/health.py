"""Printer health of every kiosk: polled for printers the server drives, reported by the agent for
kiosks that print through one. A change of state becomes a ``printer`` event so staff hear of an
empty roll before a citizen does; GET /api/v1/sites/<site>/printers reads the latest states."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from kiosk.printing import PrinterMonitor, PrinterState
from kiosk.printing.status_query import CANNOT_PRINT, utc_now
from layout.model import Kiosk
from server.domain.commands import RecordPrinterState
from server.wiring import HallServices

log = logging.getLogger(__name__)

AGENT_NOT_CONNECTED = "打印终端尚未连接 / print agent not connected"
AGENT_CONNECTED = "打印终端已连接 / print agent connected"
AGENT_GONE = "打印终端已断开 / print agent disconnected"
NO_PRINTER = "未配置打印机 / no printer configured"
MONITOR_TIMEOUT_S = 1.0  # a status poll never waits longer, whatever the printer's own timeout


def kiosk_key(site_id: str, kiosk_id: str) -> str:
    # Kiosk ids are unique within a site only.
    return f"{site_id}/{kiosk_id}"


class PrinterHealth:
    def __init__(self, hall: HallServices, poll_seconds: float) -> None:
        self._hall = hall
        layout = hall.layout
        self._kiosks: dict[str, tuple[str, Kiosk]] = {
            kiosk_key(site.id, kiosk.id): (site.id, kiosk) for site in layout.sites for kiosk in site.kiosks}
        direct = {key: kiosk.printer for key, (_site, kiosk) in self._kiosks.items()
                  if kiosk.printer is not None and kiosk.printer.type != "agent"}
        self.monitor = PrinterMonitor(direct, on_change=self._announce, interval_s=poll_seconds,
                                      timeout_s=MONITOR_TIMEOUT_S)
        self._lock = threading.Lock()
        self._agent_states: dict[str, PrinterState] = {
            key: PrinterState("unknown", AGENT_NOT_CONNECTED, utc_now())
            for key, (_site, kiosk) in self._kiosks.items()
            if kiosk.printer is not None and kiosk.printer.type == "agent"}
        self._agents: dict[str, str] = {}  # Socket.IO sid → kiosk key

    def start(self) -> None:
        self.monitor.start()

    def stop(self) -> None:
        self.monitor.stop()

    # -- reading ---------------------------------------------------------------------------------
    def state(self, site_id: str, kiosk_id: str) -> PrinterState:
        key = kiosk_key(site_id, kiosk_id)
        with self._lock:
            if key in self._agent_states:
                return self._agent_states[key]
        try:
            return self.monitor.status(key)
        except KeyError:
            return PrinterState("unknown", NO_PRINTER, utc_now())

    def kiosk_state(self, site_id: str, kiosk_id: str) -> dict | None:
        """What a kiosk page's subscription starts from: its printer's state, None without a printer."""
        site = self._hall.site(site_id)
        kiosk = site.kiosk(kiosk_id)
        if kiosk is None or kiosk.printer is None:
            return None
        state = self.state(site.id, kiosk.id)
        return {"state": state.state, "detail": state.detail, "at": _iso(state)}

    def site_printers(self, site_id: str) -> list[dict]:
        site = self._hall.site(site_id)
        result = []
        for kiosk in site.kiosks:
            state = self.state(site.id, kiosk.id)
            result.append({"kiosk": kiosk.id, "name": kiosk.name,
                           "type": kiosk.printer.type if kiosk.printer else None,
                           "state": state.state, "detail": state.detail, "checked_at": _iso(state)})
        return result

    # -- what prints tell us ---------------------------------------------------------------------
    def print_failed(self, site_id: str, kiosk_id: str, state: str, detail: str) -> None:
        self._report(site_id, kiosk_id, PrinterState(state, detail, utc_now()))

    def print_succeeded(self, site_id: str, kiosk_id: str) -> None:
        # Only a state that stops printing is cleared; "paper_low" stays until the roll is changed.
        if self.state(site_id, kiosk_id).state in CANNOT_PRINT:
            self._report(site_id, kiosk_id, PrinterState("online", "打印正常 / printing again", utc_now()))

    def _report(self, site_id: str, kiosk_id: str, state: PrinterState) -> None:
        key = kiosk_key(site_id, kiosk_id)
        with self._lock:
            is_agent = key in self._agent_states
        if is_agent:
            self._set_agent_state(key, state)
        else:
            try:
                self.monitor.report(key, state)
            except KeyError:
                log.warning("printer state for kiosk %s without a printer: %s", key, state.state)

    # -- print agents ----------------------------------------------------------------------------
    def is_agent_kiosk(self, site_id: str, kiosk_id: str) -> bool:
        with self._lock:
            return kiosk_key(site_id, kiosk_id) in self._agent_states

    def agent_connected(self, sid: str, site_id: str, kiosk_id: str) -> None:
        key = kiosk_key(site_id, kiosk_id)
        with self._lock:
            self._agents[sid] = key
            previous = self._agent_states[key]
        if previous.detail in (AGENT_NOT_CONNECTED, AGENT_GONE):
            self._set_agent_state(key, PrinterState("unknown", AGENT_CONNECTED, utc_now()))

    def agent_of(self, sid: str) -> tuple[str, str] | None:
        with self._lock:
            key = self._agents.get(sid)
        if key is None:
            return None
        site_id, kiosk = self._kiosks[key]
        return site_id, kiosk.id

    def agent_reported(self, sid: str, state: str, detail: str) -> None:
        with self._lock:
            key = self._agents.get(sid)
        if key is not None:
            self._set_agent_state(key, PrinterState(state, detail, utc_now()))

    def agent_disconnected(self, sid: str) -> None:
        with self._lock:
            key = self._agents.pop(sid, None)
            still_connected = key is not None and key in self._agents.values()
        if key is not None and not still_connected:
            self._set_agent_state(key, PrinterState("offline", AGENT_GONE, utc_now()))

    def _set_agent_state(self, key: str, state: PrinterState) -> None:
        with self._lock:
            previous = self._agent_states[key]
            self._agent_states[key] = state
        if previous.state != state.state or previous.detail != state.detail:
            self._announce(key, state)

    # -- events ----------------------------------------------------------------------------------
    def _announce(self, key: str, state: PrinterState) -> None:
        site_id, kiosk = self._kiosks[key]
        try:
            self._hall.handle(RecordPrinterState(site_id, kiosk.id, state.state, state.detail, _iso(state)))
        except Exception:
            # Health is advisory: a database hiccup must not kill the monitor thread that called us.
            log.exception("announcing the printer state of %s failed", key)


def _iso(state: PrinterState) -> str:
    return state.checked_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
