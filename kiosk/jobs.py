"""Print jobs: stored in the print_jobs table, printed in the background, never inside a request.

A kiosk with a printer the server can reach (network, USB, serial, file, CUPS, dummy) has one
worker and a bounded queue, so a hanging printer only delays its own kiosk. A kiosk whose printer
type is ``agent`` gets the rendered bytes pushed to its print agent over Socket.IO (namespace
/agent, room ``kiosk:<site>:<kiosk>``); the agent answers ``print_ack``. Either way a job that has
no outcome within PRINT_ACK_SECONDS is marked failed, and the ticket itself is never touched.
Every status change is recorded and published as a ``print_job`` event of the site.
"""

from __future__ import annotations

import base64
import logging
import queue
import time
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from kiosk.deadlines import Deadlines
from kiosk.health import PrinterHealth, kiosk_key
from kiosk.printing import PrinterError, send_ticket, ticket_bytes
from kiosk.ticket_print import absolute_status_url, public_base, ticket_print
from layout.model import Kiosk
from server.cpu import run_cpu_bound
from server.domain.commands import AddPrintJob, ChangePrintJob
from server.domain.devices import OPEN_PRINT_JOBS, PRINT_JOB_STATUSES
from server.domain.errors import NoPrinter, NotFound
from server.domain.events import TicketIssued
from server.extensions import socketio
from server.models import PrintJob, Ticket
from server.service_layer.handlers.print_jobs import job_view
from server.wiring import HallServices

log = logging.getLogger(__name__)

AGENT_NAMESPACE = "/agent"
STATUSES = PRINT_JOB_STATUSES
OPEN = OPEN_PRINT_JOBS
QUEUE_SIZE = 50  # tickets waiting for one printer; beyond this the printer is clearly not keeping up
FALLBACK_BASE = "http://localhost/"

EXPIRED = "打印超时未确认 / no print confirmation in time"
QUEUE_FULL = "打印队列已满 / too many tickets waiting for this printer"
INTERRUPTED = "服务重启，打印未完成 / the server restarted before the ticket was printed"


def agent_room(site_id: str, kiosk_id: str) -> str:
    return f"kiosk:{site_id}:{kiosk_id}"


@dataclass(frozen=True)
class Order:
    """A job handed to a printer worker: what to print and where the QR code points."""

    job_id: int
    site_id: str
    kiosk_id: str
    ticket_view: dict
    base_url: str


@dataclass(frozen=True)
class JobPlace:
    site: str
    kiosk: str
    ticket_id: str


class PrintService:
    def __init__(self, app: Flask, hall: HallServices, health: PrinterHealth, ack_seconds: float) -> None:
        self._app = app
        self._hall = hall
        self._health = health
        self.ack_seconds = ack_seconds
        self._deadlines = Deadlines(self._expire, socketio.start_background_task)
        self._queues: dict[str, queue.Queue[Order | None]] = {}
        self._workers: list = []  # threads, or greenlets under gevent: both can be joined
        self._last_base: str | None = None
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        for site in self._hall.layout.sites:
            for kiosk in site.kiosks:
                if kiosk.printer is not None and kiosk.printer.type != "agent":
                    key = kiosk_key(site.id, kiosk.id)
                    self._queues[key] = queue.Queue(maxsize=QUEUE_SIZE)
                    self._workers.append(socketio.start_background_task(self._work, self._queues[key]))
        self._recover_open_jobs()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop taking jobs; wait (up to ``timeout_s``) for the ticket each worker is printing."""
        self._deadlines.stop()
        for jobs in self._queues.values():
            while True:  # queued orders are dropped: their jobs stay open and are failed on the next start
                try:
                    jobs.get_nowait()
                except queue.Empty:
                    break
            try:
                jobs.put_nowait(None)
            except queue.Full:  # a ticket issued during the shutdown; it is failed on the next start
                log.warning("a print queue refilled while stopping")
        deadline = time.monotonic() + timeout_s
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    def _recover_open_jobs(self) -> None:
        """Jobs left open by a previous run: fail the stale ones, give the others their deadline."""
        now = self._hall.context.now()
        with self._hall.db.read() as session:
            rows = session.execute(select(PrintJob.id, PrintJob.site, PrintJob.created_at)
                                   .where(PrintJob.status.in_(OPEN))).all()
        known = {site.id for site in self._hall.layout.sites}
        for job_id, site_id, created_at in rows:
            if site_id not in known:
                log.warning("print job %s belongs to site %s, which the layout no longer has", job_id, site_id)
                continue
            age = (now - created_at).total_seconds()
            if age >= self.ack_seconds:
                self._change(site_id, job_id, "failed", INTERRUPTED, only_from=OPEN)
            else:
                self._deadlines.schedule((site_id, job_id), self.ack_seconds - age)

    # -- submitting ------------------------------------------------------------------------------
    def on_ticket_issued(self, event: TicketIssued) -> None:
        """The bus's reaction to a committed ticket: print it if its kiosk has a printer."""
        if event.print_job is not None:
            self.submit(event.print_job, event.site, event.kiosk, event.ticket)

    def submit(self, job_id: int, site_id: str, kiosk_id: str, ticket_view: dict) -> None:
        """Hand a committed job to its printer or agent; returns at once."""
        base = public_base(self._app)
        if base is not None:
            self._last_base = base
        order = Order(job_id, site_id, kiosk_id, ticket_view, base or self._last_base or FALLBACK_BASE)
        self._deadlines.schedule((site_id, job_id), self.ack_seconds)
        kiosk = self._kiosk(site_id, kiosk_id)
        if kiosk.printer.type == "agent":
            try:
                socketio.emit("print_job", self.agent_order(order), to=agent_room(site_id, kiosk_id),
                              namespace=AGENT_NAMESPACE)
            except Exception:  # the job stays pending: a reconnecting agent gets it, or it expires
                log.exception("sending print job %s to the agent of %s failed", job_id, kiosk_id)
            return
        try:
            self._queues[kiosk_key(site_id, kiosk_id)].put_nowait(order)
        except queue.Full:
            self._change(site_id, job_id, "failed", QUEUE_FULL, only_from=OPEN)

    def agent_order(self, order: Order) -> dict:
        """The message an agent prints from: the exact ESC/POS bytes, rendered here (one layout code path)."""
        site = self._hall.site(order.site_id)
        printer = self._kiosk(order.site_id, order.kiosk_id).printer
        ticket = ticket_print(site, order.ticket_view, absolute_status_url(order.base_url, order.ticket_view))
        data = run_cpu_bound(ticket_bytes, ticket, printer.paper_mm, printer.qr)
        return {"job": order.job_id, "site": order.site_id, "kiosk": order.kiosk_id,
                "ticket_id": order.ticket_view["id"], "ticket": order.ticket_view["number"],
                "paper_mm": printer.paper_mm, "qr": printer.qr, "data": base64.b64encode(data).decode("ascii")}

    def pending_orders(self, site_id: str, kiosk_id: str) -> list[dict]:
        """The open jobs of an agent kiosk, oldest first, with their current ticket view."""
        with self._hall.db.read() as session:
            rows = session.execute(select(PrintJob.id, PrintJob.ticket_id)
                                   .where(PrintJob.site == site_id, PrintJob.kiosk == kiosk_id,
                                          PrintJob.status.in_(OPEN)).order_by(PrintJob.id)).all()
        base = public_base(self._app) or self._last_base or FALLBACK_BASE
        orders = []
        for job_id, ticket_id in rows:
            view = self._hall.queries.ticket(ticket_id)
            orders.append(self.agent_order(Order(job_id, site_id, kiosk_id, view, base)))
        return orders

    # -- the direct path -------------------------------------------------------------------------
    def _work(self, jobs: queue.Queue[Order | None]) -> None:
        while (order := jobs.get()) is not None:
            try:
                self._print_direct(order)
            except Exception:  # the worker must outlive anything one ticket does
                log.exception("print job %s failed unexpectedly", order.job_id)
                self._change(order.site_id, order.job_id, "failed", "打印程序出错 / print error", only_from=OPEN)

    def _print_direct(self, order: Order) -> None:
        if self._change(order.site_id, order.job_id, "sent", None, only_from=("pending",), attempt=True) is None:
            return  # expired while queued: a ticket printed long after the citizen left helps no one
        site = self._hall.site(order.site_id)
        config = self._kiosk(order.site_id, order.kiosk_id).printer
        ticket = ticket_print(site, order.ticket_view, absolute_status_url(order.base_url, order.ticket_view))
        try:
            # rendering (an image QR code takes about 9 ms) leaves the hub; the printer's I/O stays on it
            send_ticket(config, run_cpu_bound(ticket_bytes, ticket, config.paper_mm, config.qr), ticket.number)
        except PrinterError as error:
            self._change(order.site_id, order.job_id, "failed", error.reason, printer_state=error.state)
            self._health.print_failed(order.site_id, order.kiosk_id, error.state, error.reason)
            return
        self._change(order.site_id, order.job_id, "printed", None)
        self._health.print_succeeded(order.site_id, order.kiosk_id)

    # -- outcomes --------------------------------------------------------------------------------
    def acknowledge(self, site_id: str, kiosk_id: str, job_id: int, status: str, reason: str | None,
                    printer_state: str | None = None) -> dict | None:
        """An agent's ``print_ack``. A late "printed" still counts: the paper did come out."""
        if status not in ("printed", "failed"):
            raise ValueError(f"status must be printed or failed, not {status!r}")
        job = self._job_row(job_id)
        if job.site != site_id or job.kiosk != kiosk_id:
            raise NotFound("print_job", job_id)
        only_from = ("pending", "sent", "failed") if status == "printed" else OPEN
        view = self._change(site_id, job_id, status, reason, only_from=only_from, printer_state=printer_state)
        if view is not None:
            self._deadlines.cancel((site_id, job_id))
        return view

    def _expire(self, key: tuple[str, int]) -> None:
        site_id, job_id = key
        self._change(site_id, job_id, "failed", EXPIRED, only_from=OPEN)

    def _change(self, site_id: str, job_id: int, status: str, reason: str | None,
                only_from: tuple[str, ...] | None = None, attempt: bool = False,
                printer_state: str | None = None) -> dict | None:
        """Move the job to ``status`` and publish a ``print_job`` event, in one transaction; None when the
        job was not in one of ``only_from`` (someone else already decided its fate)."""
        view = self._hall.handle(ChangePrintJob(site_id, job_id, status, reason, only_from, attempt, printer_state))
        if view is not None and status in ("printed", "failed"):
            self._deadlines.cancel((site_id, job_id))
        return view

    # -- reprint ---------------------------------------------------------------------------------
    def reprint_job(self, site_id: str, job_id: int) -> dict:
        job = self._job_row(job_id)
        if job.site != site_id:
            raise NotFound("print_job", job_id)
        return self.reprint_ticket(job.ticket_id, job.kiosk)

    def reprint_ticket(self, ticket_id: str, kiosk_id: str | None = None) -> dict:
        """A new job for the ticket at ``kiosk_id`` (default: the kiosk that issued it)."""
        with self._hall.db.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound("ticket", ticket_id)
            site_id, issued_at_kiosk = ticket.site, ticket.kiosk
        kiosk_id = kiosk_id or issued_at_kiosk
        if kiosk_id is None:
            raise NoPrinter("该号票不是在取号机上取的，请指定取号机 / the ticket was not issued at a kiosk: "
                            "name one in \"kiosk\"")
        view = self._hall.handle(AddPrintJob(site_id, kiosk_id, ticket_id))
        self.submit(view["id"], site_id, kiosk_id, self._hall.queries.ticket(ticket_id))
        return view

    # -- reading ---------------------------------------------------------------------------------
    def job(self, job_id: int) -> dict:
        with self._hall.db.read() as session:
            row = session.execute(select(PrintJob, Ticket.number).join(Ticket, Ticket.id == PrintJob.ticket_id)
                                  .where(PrintJob.id == job_id)).first()
            if row is None:
                raise NotFound("print_job", job_id)
            return job_view(*row)

    def jobs(self, site_id: str, status: str | None = None, kiosk_id: str | None = None,
             limit: int = 100) -> list[dict]:
        site = self._hall.site(site_id)
        statement = (select(PrintJob, Ticket.number).join(Ticket, Ticket.id == PrintJob.ticket_id)
                     .where(PrintJob.site == site.id).order_by(PrintJob.id.desc()).limit(limit))
        if status is not None:
            statement = statement.where(PrintJob.status == status)
        if kiosk_id is not None:
            statement = statement.where(PrintJob.kiosk == kiosk_id)
        with self._hall.db.read() as session:
            return [job_view(job, number) for job, number in session.execute(statement)]

    def _job_row(self, job_id: int) -> JobPlace:
        with self._hall.db.read() as session:
            job = session.get(PrintJob, job_id)
            if job is None:
                raise NotFound("print_job", job_id)
            # Read inside the session: its rollback on close expires the row.
            return JobPlace(job.site, job.kiosk, job.ticket_id)

    def _kiosk(self, site_id: str, kiosk_id: str) -> Kiosk:
        kiosk = self._hall.site(site_id).kiosk(kiosk_id)
        if kiosk is None:
            raise NotFound("kiosk", kiosk_id)
        return kiosk

