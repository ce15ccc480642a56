"""IssueTicket with an idempotency key, through the bus on the in-memory unit of work: a repeated key
answers the first ticket and issues, announces and prints nothing more; a refused issue gives its key back."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from layout.model import PrinterConfig
from server.domain import commands, errors
from server.domain.events import TicketIssued
from server.service_layer.context import HallContext
from server.service_layer.handlers import HANDLERS
from server.service_layer.messagebus import MessageBus
from tests.fakes.fake_hall import FakeUnitOfWork
from tests.support.small_hall import small_hall

MONDAY_9 = dt.datetime(2026, 1, 5, 1, 0)


class Hall:
    def __init__(self, layout=None) -> None:
        ids = (f"id-{n:04d}" for n in itertools.count(1))
        self.context = HallContext(layout or small_hall(PrinterConfig(type="dummy")), clock=lambda: MONDAY_9,
                                   ignore_hours=True, new_id=lambda: next(ids))
        self.uow = FakeUnitOfWork()
        self.printed: list[TicketIssued] = []
        self.bus = MessageBus(self.uow, self.context, HANDLERS,
                              reactions={TicketIssued: [self.printed.append]})

    def issue(self, key: str | None, service: str = "company-setup", **values) -> dict:
        command = commands.IssueTicket("hall", service, kiosk="k1", idempotency_key=key, **values)
        return self.bus.handle(command)


def test_a_repeated_key_answers_the_first_ticket_and_issues_nothing_more():
    hall = Hall()
    first = hall.issue("key-1")

    again = hall.issue("key-1")

    assert again.pop("replayed") is True and "replayed" not in first
    assert (again["id"], again["number"]) == (first["id"], first["number"])
    assert again["print_job"] == first["print_job"]
    assert len(hall.uow.repository.tickets) == 1
    assert len(hall.printed) == 1, "printed once"
    assert hall.issue("key-2")["number"] == "A002"


def test_a_repeated_key_for_another_request_is_refused():
    hall = Hall()
    hall.issue("key-1")
    with pytest.raises(errors.BadRequest) as refused:
        hall.issue("key-1", service="estate-first")
    assert refused.value.code == "idempotency_key_reused"
    assert len(hall.uow.repository.tickets) == 1


def test_an_issue_refused_after_the_key_was_claimed_gives_the_key_back():
    site = small_hall().sites[0]
    capped = tuple(replace(s, daily_cap=1) if s.id == "company-setup" else s for s in site.services)
    hall = Hall(small_hall(PrinterConfig(type="dummy"), services=capped))
    hall.issue("key-1")

    with pytest.raises(errors.DailyCapReached):
        hall.issue("key-2")

    assert ("hall", "key-2") not in hall.uow.repository.idempotency_keys
    assert hall.issue("key-1")["replayed"] is True
