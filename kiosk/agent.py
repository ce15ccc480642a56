"""The kiosk print agent: runs on the kiosk PC next to its printer (USB, serial, a device file…) when the
server cannot reach the printer itself (the kiosk's printer type in the layout is ``agent``).

    AGENT_TOKEN=… python -m kiosk.agent --server http://hall-server:5000 --site county --kiosk k2 \\
        --printer-type file --device /dev/usb/lp0

It connects to the server's Socket.IO namespace /agent, says ``agent_hello`` with the kiosk's own token
(``AGENT_TOKEN`` or ``--token``; ``flask --app server devices tokens`` on the server prints it; the agent
stops when the server refuses it), receives ``print_job`` messages carrying the ticket's ESC/POS bytes
(rendered by the server: one layout code path), prints them with kiosk.printing and answers ``print_ack``.
After a reconnect the server sends the open jobs again; a job already printed is only acknowledged again,
never printed twice; an outcome the server did not confirm (the connection dropped before the answer got
through) is sent again after each accepted hello. ``--state-file`` (``AGENT_STATE_FILE``) keeps the outcomes
of the last jobs across a restart of the agent. The printer's status is polled and reported with
``agent_printer`` so staff see an empty roll.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import dataclasses
import logging
import os
import queue
import signal
import sys
import threading
from pathlib import Path

import socketio

from kiosk.agent_outcomes import Outcomes
from kiosk.printing import PrinterError, PrinterMonitor, PrinterState
from kiosk.printing.printers import QUERYABLE_TYPES, printer_session
from kiosk.printing.status_query import CANNOT_PRINT, query_status, utc_now
from layout.model import PrinterConfig

log = logging.getLogger("kiosk.agent")

NAMESPACE = "/agent"
ACK_AGAIN = ("hello_first", "database_busy", "database_unavailable")  # refusals of an outcome worth sending again
PRINTER_TYPES = ("file", "usb", "serial", "network", "cups", "dummy")
REFUSED_TOKEN = ("token_required", "invalid_token")


def print_bytes(config: PrinterConfig, data: bytes) -> None:
    """Send ready ESC/POS bytes to the printer, asking its status first when its link can answer.
    Raises ``PrinterError`` within the configured timeouts."""
    with printer_session(config) as printer:
        if config.type in QUERYABLE_TYPES:
            state = query_status(printer)
            if state.state in CANNOT_PRINT:
                raise PrinterError(state.detail, state.state)
        try:
            printer._raw(data)
        except Exception as error:
            raise PrinterError(f"号票发送失败 / sending the ticket failed: {error}") from error


class PrintAgent:
    def __init__(self, server: str, site: str, kiosk: str, printer: PrinterConfig,
                 status_interval_s: float = 15.0, client: socketio.Client | None = None,
                 token: str | None = None, state_file: str | Path | None = None) -> None:
        if printer.type == "agent":
            raise ValueError("the agent prints to a local printer: choose file, usb, serial, network, cups or dummy")
        self.server, self.site, self.kiosk, self.printer = server.rstrip("/"), site, kiosk, printer
        self.token = token
        self.client = client or socketio.Client(reconnection=True, reconnection_delay=0.5,
                                                reconnection_delay_max=5, handle_sigint=False)
        self.monitor = PrinterMonitor({kiosk: printer}, on_change=self._printer_changed,
                                      interval_s=status_interval_s, timeout_s=1.0)
        self._jobs: queue.Queue[dict | None] = queue.Queue()
        self._queued: set[int] = set()
        self.outcomes = Outcomes(state_file)
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.ready = threading.Event()  # set once the server accepted our hello
        self.refused: str | None = None  # the server's code when it refused our token
        self.client.on("connect", self._on_connect, namespace=NAMESPACE)
        self.client.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        self.client.on("print_job", self._on_job, namespace=NAMESPACE)
        self.client.on("agent_error", self._on_error, namespace=NAMESPACE)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Connect (retrying until the server answers) and start printing; returns at once."""
        threading.Thread(target=self._print_loop, name="print-agent", daemon=True).start()
        self.monitor.start()
        self.client.connect(self.server, namespaces=[NAMESPACE], wait_timeout=10, retry=True)

    def run(self) -> None:
        self.start()
        self._stopped.wait()

    def stop(self) -> None:
        self._stopped.set()
        self._jobs.put(None)
        self.monitor.stop()
        try:
            self.client.disconnect()
        except Exception:  # already gone
            log.debug("disconnect on stop failed", exc_info=True)

    # -- from the server -------------------------------------------------------------------------
    def _on_connect(self) -> None:
        log.info("connected to %s; saying hello as %s/%s", self.server, self.site, self.kiosk)
        hello = {"site": self.site, "kiosk": self.kiosk}
        if self.token:
            hello["token"] = self.token
        self.client.emit("agent_hello", hello, namespace=NAMESPACE, callback=self._on_hello)

    def _on_hello(self, answer: dict) -> None:
        if not isinstance(answer, dict) or not answer.get("ok"):
            log.error("the server refused this agent: %s", answer)
            code = (answer.get("error") or {}).get("code") if isinstance(answer, dict) else None
            if code in REFUSED_TOKEN:
                # Saying hello again with the same token would only be refused again: stop, and say why.
                log.error("check AGENT_TOKEN: it must be the token the server prints for %s/%s", self.site,
                          self.kiosk)
                self.refused = code
                threading.Thread(target=self.stop, name="print-agent-stop", daemon=True).start()
            return
        paper_mm = answer.get("printer", {}).get("paper_mm")
        if paper_mm in (58, 80) and paper_mm != self.printer.paper_mm:
            # The server renders for the layout's paper; the printer profile follows it.
            self.printer = dataclasses.replace(self.printer, paper_mm=paper_mm)
        log.info("server accepted the agent; %s open jobs", answer.get("pending"))
        self._printer_changed(self.kiosk, self.monitor.status(self.kiosk))
        for outcome in self.outcomes.unconfirmed():  # printed (or failed) while the answer could not get through
            self._send_ack(outcome)
        self.ready.set()

    def _on_disconnect(self, *_reason) -> None:
        self.ready.clear()
        log.warning("disconnected from %s; reconnecting", self.server)

    def _on_error(self, payload: dict) -> None:
        log.error("server error: %s", payload)

    def _on_job(self, order: dict) -> None:
        job = order.get("job") if isinstance(order, dict) else None
        if not isinstance(job, int) or order.get("site") != self.site or order.get("kiosk") != self.kiosk:
            log.error("ignoring a print job that is not for %s/%s: %r", self.site, self.kiosk, order)
            return
        with self._lock:
            outcome = self.outcomes.of(job)
            already_queued = job in self._queued
            if outcome is None and not already_queued:
                self._queued.add(job)
        if outcome is not None:
            self._send_ack(outcome)  # printed before, the acknowledgement was lost: never print twice
        elif not already_queued:
            self._jobs.put(order)

    # -- printing --------------------------------------------------------------------------------
    def _print_loop(self) -> None:
        while (order := self._jobs.get()) is not None:
            outcome = self._print(order)
            with self._lock:
                self._queued.discard(order["job"])  # with the outcome kept, under one lock: a resend never prints
                self.outcomes.printed(outcome)
            self._send_ack(outcome)

    def _print(self, order: dict) -> dict:
        job = order["job"]
        try:
            data = base64.b64decode(order.get("data", ""), validate=True)
            if not data:
                raise ValueError("empty")
        except (binascii.Error, ValueError, TypeError):
            return {"job": job, "status": "failed", "reason": "打印数据无效 / the print data is not valid base64"}
        try:
            print_bytes(self.printer, data)
        except PrinterError as error:
            log.warning("job %s (ticket %s) failed: %s", job, order.get("ticket"), error.reason)
            self.monitor.report(self.kiosk, PrinterState(error.state, error.reason, utc_now()))
            return {"job": job, "status": "failed", "reason": error.reason, "printer_state": error.state}
        except Exception as error:  # a driver surprise must not stop the agent
            log.exception("job %s failed unexpectedly", job)
            return {"job": job, "status": "failed", "reason": f"打印程序出错 / print error: {error}"}
        log.info("printed job %s (ticket %s)", job, order.get("ticket"))
        if self.monitor.status(self.kiosk).state in CANNOT_PRINT:
            self.monitor.report(self.kiosk, PrinterState("online", "打印正常 / printing again", utc_now()))
        return {"job": job, "status": "printed"}

    def _send_ack(self, outcome: dict) -> None:
        try:
            self.client.emit("print_ack", outcome, namespace=NAMESPACE,
                             callback=lambda answer=None: self._acknowledged(outcome["job"], answer))
        except Exception:
            # Disconnected: sent again after the next accepted hello (and answered if the server resends the job).
            log.warning("could not acknowledge job %s now; it is answered after the reconnect", outcome["job"])

    def _acknowledged(self, job: int, answer: object) -> None:
        """The server's answer to a print_ack: taken (or refused for good) ends it; "hello first" or a busy
        database keeps it for the next hello."""
        error = (answer.get("error") or {}) if isinstance(answer, dict) else {}
        if not isinstance(answer, dict) or (not answer.get("ok") and error.get("code") in ACK_AGAIN):
            return
        if not answer.get("ok"):
            log.warning("the server refused the outcome of job %s: %s", job, error)
        self.outcomes.confirmed(job)

    def _printer_changed(self, _kiosk: str, state: PrinterState) -> None:
        try:
            self.client.emit("agent_printer", {"state": state.state, "detail": state.detail}, namespace=NAMESPACE)
        except Exception:
            log.debug("printer state not sent (disconnected); it is sent after the next hello")


def _number(text: str) -> int:
    return int(text, 0)  # 0x0416 and 1046 both work


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kiosk.agent", description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="the server's URL, e.g. http://10.0.0.5:5000")
    parser.add_argument("--site", required=True, help="the site id in the layout")
    parser.add_argument("--kiosk", required=True, help="the kiosk id in the layout (its printer type is agent)")
    parser.add_argument("--printer-type", choices=PRINTER_TYPES, default="file",
                        help="the local printer's link (default: file, the USB printer device /dev/usb/lp0)")
    parser.add_argument("--device", default=None, help="file or serial device, or the CUPS printer name")
    parser.add_argument("--host", default=None, help="network printer address")
    parser.add_argument("--port", type=int, default=9100, help="network printer port (default 9100)")
    parser.add_argument("--usb-vendor", type=_number, default=None, help="USB vendor id, e.g. 0x0416")
    parser.add_argument("--usb-product", type=_number, default=None, help="USB product id, e.g. 0x5011")
    parser.add_argument("--baudrate", type=int, default=9600, help="serial speed (default 9600)")
    parser.add_argument("--timeout", type=float, default=3.0, help="printer timeout in seconds (default 3)")
    parser.add_argument("--status-interval", type=float, default=15.0,
                        help="seconds between printer status checks (default 15)")
    parser.add_argument("--token", default=os.environ.get("AGENT_TOKEN"),
                        help="this kiosk's device token (default: $AGENT_TOKEN; the server's "
                             "`flask --app server devices tokens` prints it)")
    parser.add_argument("--state-file", default=os.environ.get("AGENT_STATE_FILE"),
                        help="where the outcomes of the last jobs are kept across restarts, so a job is never "
                             "printed twice nor left unanswered (default: $AGENT_STATE_FILE; none: memory only)")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    arguments = parser.parse_args(argv)
    if arguments.printer_type == "file" and arguments.device is None:
        arguments.device = "/dev/usb/lp0"
    if arguments.printer_type in ("serial",) and arguments.device is None:
        parser.error("--device is required for a serial printer, e.g. /dev/ttyUSB0")
    if arguments.printer_type == "network" and not arguments.host:
        parser.error("--host is required for a network printer")
    if arguments.printer_type == "usb" and (arguments.usb_vendor is None or arguments.usb_product is None):
        parser.error("--usb-vendor and --usb-product are required for a USB printer (see lsusb)")
    if not arguments.token:
        parser.error("the kiosk's token is required: set AGENT_TOKEN (or --token) to the AGENT_TOKEN line that "
                     "`flask --app server devices tokens` prints on the server for this kiosk")
    if arguments.timeout <= 0 or arguments.status_interval <= 0:
        parser.error("--timeout and --status-interval must be positive")
    return arguments


def printer_config(arguments: argparse.Namespace) -> PrinterConfig:
    return PrinterConfig(type=arguments.printer_type, host=arguments.host, port=arguments.port,
                         device=arguments.device, usb_vendor=arguments.usb_vendor,
                         usb_product=arguments.usb_product, baudrate=arguments.baudrate,
                         timeout_s=arguments.timeout)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=arguments.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    agent = PrintAgent(arguments.server, arguments.site, arguments.kiosk, printer_config(arguments),
                       arguments.status_interval, token=arguments.token, state_file=arguments.state_file)

    def stop(signum, _frame) -> None:
        log.info("signal %s: stopping", signum)
        agent.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    agent.run()
    return 2 if agent.refused else 0


if __name__ == "__main__":
    sys.exit(main())
