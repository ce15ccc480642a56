"""The read side of cases: the holder's tracking view, the back office's lists, one case for a window."""

from __future__ import annotations

from sqlalchemy import select

from server.case_store import SqlCaseStore
from server.db import Database
from server.domain.cases import STATUSES, CaseNotFound
from server.domain.errors import NotFound
from server.models import Case, Ticket
from server.service_layer.case_views import holder_case_view, staff_case_view
from server.service_layer.context import HallContext


class CaseQueries:
    def __init__(self, db: Database, context: HallContext) -> None:
        self._db, self._ctx = db, context

    def holder(self, case_id: str) -> dict:
        """GET /cases/<id>: the id is the proof of holding the case."""
        with self._db.read() as session:
            store = SqlCaseStore(session)
            case = store.by_id(case_id)
            if case is None:
                raise CaseNotFound(case_id)
            site = self._ctx.site(case.site)
            return holder_case_view(site, case, store.history([case.id])[case.id], self._ctx.today(site))

    def listed(self, site_id: str, statuses: tuple[str, ...], department: str | None) -> list[dict]:
        site = self._ctx.site(site_id)
        today = self._ctx.today(site)
        with self._db.read() as session:
            store = SqlCaseStore(session)
            cases = store.listed(site.id, statuses or STATUSES, department)
            ids = [case.id for case in cases]
            history, pickups = store.history(ids), store.pickup_numbers(ids, today)
            return [staff_case_view(site, case, history[case.id], today, pickups.get(case.id)) for case in cases]

    def one(self, site_id: str, number: str) -> dict:
        site = self._ctx.site(site_id)
        with self._db.read() as session:
            case = SqlCaseStore(session).by_number(site.id, number)
            if case is None:
                raise CaseNotFound(number)
            return self._staff(session, site, case)

    def of_ticket(self, site_id: str, ticket_id: str) -> dict:
        """The case a pickup ticket collects (the 综合出件 window's counter shows it)."""
        site = self._ctx.site(site_id)
        with self._db.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.site != site.id:
                raise NotFound("ticket", ticket_id)
            case = session.get(Case, ticket.case_id) if ticket.case_id else None
            if case is None:
                raise CaseNotFound(ticket.number)
            return self._staff(session, site, case)

    def _staff(self, session, site, case: Case) -> dict:
        store, today = SqlCaseStore(session), self._ctx.today(site)
        return staff_case_view(site, case, store.history([case.id])[case.id], today,
                               store.pickup_numbers([case.id], today).get(case.id))

    def department_of(self, site_id: str, number: str) -> str | None:
        with self._db.read() as session:
            return session.scalar(select(Case.department).where(Case.site == site_id, Case.number == number))

    def phone(self, case_id: str) -> tuple[str, str, str] | None:
        """(site, number, phone) for the notifier; None without a phone."""
        with self._db.read() as session:
            row = session.execute(select(Case.site, Case.number, Case.applicant_phone, Case.service)
                                  .where(Case.id == case_id)).first()
        if row is None or not row.applicant_phone:
            return None
        return row.site, row.number, row.applicant_phone
