"""Cases in the database: looked up by number or id (with a row lock when a handler changes one), listed
for the back office, and their history. Numbers come from the per-(site, day) counter row in one statement
(``store.next_counter``) and a unique index holds them unique per site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.cases import ACCEPTED, FINAL
from server.domain.tickets import OPEN_STATUSES
from server.models import Case, CaseEvent, Ticket


class SqlCaseStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_number(self, site: str, number: str, lock: bool = False) -> Case | None:
        statement = select(Case).where(Case.site == site, Case.number == number)
        if lock:
            statement = statement.with_for_update()
        return self.session.scalars(statement).first()

    def by_id(self, case_id: str, lock: bool = False) -> Case | None:
        return self.session.get(Case, case_id, with_for_update=lock or None, populate_existing=lock)

    def open_pickup(self, case_id: str, day: dt.date) -> Ticket | None:
        """Today's pickup ticket of the case still in line or at the window (read under the case's row lock)."""
        return self.session.scalars(select(Ticket).where(Ticket.case_id == case_id, Ticket.day == day,
                                                         Ticket.status.in_(OPEN_STATUSES))).first()

    def history(self, case_ids: Sequence[str]) -> dict[str, list[CaseEvent]]:
        found: dict[str, list[CaseEvent]] = {case_id: [] for case_id in case_ids}
        if not case_ids:
            return found
        for event in self.session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(list(case_ids)))
                                          .order_by(CaseEvent.id)):
            found[event.case_id].append(event)
        return found

    def listed(self, site: str, statuses: Sequence[str], department: str | None, limit: int = 500) -> list[Case]:
        """The cases still worked on, nearest deadline first, then the handed-out ones, newest first: at most
        ``limit``, so a year of handed-out cases never pushes today's out of the list."""
        found: list[Case] = []
        for chosen, order in (([s for s in statuses if s not in FINAL], (Case.deadline, Case.number)),
                              ([s for s in statuses if s in FINAL], (Case.number.desc(),))):
            if not chosen or len(found) >= limit:
                continue
            statement = select(Case).where(Case.site == site, Case.status.in_(chosen))
            if department is not None:
                statement = statement.where(Case.department == department)
            found += self.session.scalars(statement.order_by(*order).limit(limit - len(found)))
        return found

    def overdue(self, site: str, today: dt.date) -> list[Case]:
        """Cases not decided by their deadline."""
        return list(self.session.scalars(select(Case).where(Case.site == site, Case.status == ACCEPTED,
                                                            Case.deadline < today).order_by(Case.number)))

    def pickup_numbers(self, case_ids: Sequence[str], day: dt.date) -> dict[str, str]:
        if not case_ids:
            return {}
        rows = self.session.execute(select(Ticket.case_id, Ticket.number).where(
            Ticket.case_id.in_(list(case_ids)), Ticket.day == day, Ticket.status.in_(OPEN_STATUSES)))
        return {case_id: number for case_id, number in rows}
