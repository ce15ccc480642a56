"""Print jobs: a new one for a ticket (a reprint), and a job's outcome, each a ``print_job`` event."""

from __future__ import annotations

from server.domain.commands import AddPrintJob, ChangePrintJob
from server.domain.errors import NoPrinter, NotFound
from server.domain.events import PrintJobChanged
from server.models import PrintJob
from server.service_layer.context import HallContext, iso
from server.service_layer.unit_of_work import UnitOfWork

REASON_MAX = 200  # the column's width


def job_view(job: PrintJob, number: str | None) -> dict:
    return {"id": job.id, "site": job.site, "kiosk": job.kiosk, "ticket_id": job.ticket_id, "ticket": number,
            "status": job.status, "reason": job.reason, "attempts": job.attempts,
            "created_at": iso(job.created_at), "updated_at": iso(job.updated_at)}


def add_print_job(command: AddPrintJob, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    kiosk = site.kiosk(command.kiosk)
    if kiosk is None:
        raise NotFound("kiosk", command.kiosk)
    if kiosk.printer is None:
        raise NoPrinter()
    repo = uow.repository
    number = repo.ticket_number(command.ticket_id)
    if number is None:
        raise NotFound("ticket", command.ticket_id)
    now = ctx.now()
    job = PrintJob(site=site.id, kiosk=kiosk.id, ticket_id=command.ticket_id, status="pending", attempts=0,
                   created_at=now, updated_at=now)
    repo.add(job)
    repo.flush()
    uow.record(PrintJobChanged(site.id, kiosk=kiosk.id, job=job.id, ticket_id=command.ticket_id, ticket=number,
                               status="pending", reason=None))
    return job_view(job, number)


def change_print_job(command: ChangePrintJob, uow: UnitOfWork, ctx: HallContext) -> dict | None:
    """The job's new view, or None when it was not in ``only_from`` (its fate was decided already) or
    nothing changes."""
    site = ctx.site(command.site)
    reason = None if command.reason is None else " ".join(command.reason.split())[:REASON_MAX]
    repo = uow.repository
    job = repo.print_job(command.job, lock=True)
    if job is None or job.site != site.id:
        raise NotFound("print_job", command.job)
    if command.only_from is not None and job.status not in command.only_from:
        return None
    if job.status == command.status and job.reason == reason:
        return None
    job.status, job.reason, job.updated_at = command.status, reason, ctx.now()
    if command.attempt:
        job.attempts += 1
    number = repo.ticket_number(job.ticket_id)
    uow.record(PrintJobChanged(site.id, kiosk=job.kiosk, job=job.id, ticket_id=job.ticket_id, ticket=number,
                               status=command.status, reason=reason, printer_state=command.printer_state))
    return job_view(job, number)
