"""Small hand-built layout objects for the domain tests: only the fields a test cares about vary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from layout.model import (
    Delegation,
    OpeningPeriod,
    Overflow,
    Priority,
    PriorityClass,
    Queue,
    Service,
    Site,
    Window,
)
from server.domain.ordering import WaitingTicket

# 08:30 in Shanghai on a Thursday; a normal working morning.
MORNING = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)

WEEKDAY_HOURS = (
    OpeningPeriod(days=(1, 2, 3, 4, 5), opens=time(8, 30), closes=time(12, 0)),
    OpeningPeriod(days=(1, 2, 3, 4, 5), opens=time(13, 30), closes=time(17, 30)),
)

ELDERLY = PriorityClass(id="elderly", name="老年人")


def make_queue(queue_id: str, prefix: str = "A", kind: str = "subject") -> Queue:
    return Queue(id=queue_id, name=f"{queue_id}队列", prefix=prefix, kind=kind)  # type: ignore[arg-type]


def make_window(
    window_id: str, queues: tuple[str, ...], overflow: tuple[Overflow, ...] = (), kind: str = "subject"
) -> Window:
    return Window(
        id=window_id,
        number=window_id.removeprefix("w"),
        name=f"{window_id}号窗口",
        zone="hall",
        kind=kind,  # type: ignore[arg-type]
        queues=queues,
        overflow=overflow,
    )


def make_service(service_id: str, queue: str | None, department: str = "market") -> Service:
    return Service(id=service_id, name=f"{service_id}事项", department=department, queue=queue)


def make_delegation(
    services: tuple[str, ...],
    queue: str = "general",
    valid_from: date = date(2024, 7, 1),
    valid_until: date = date(2027, 6, 30),
    authority: str = "accept",
) -> Delegation:
    return Delegation(
        id=f"delegation-{queue}",
        department="archives",
        services=services,
        queue=queue,
        valid_from=valid_from,
        valid_until=valid_until,
        authority=authority,  # type: ignore[arg-type]
    )


def make_priority(priority_calls: int = 2, normal_calls: int = 1, with_classes: bool = True) -> Priority:
    return Priority(
        classes=(ELDERLY,) if with_classes else (),
        priority_calls=priority_calls,
        normal_calls=normal_calls,
    )


def make_site(**fields: object) -> Site:
    values: dict[str, object] = {
        "id": "county",
        "name": "县政务服务中心",
        "level": "county",
        "timezone": "Asia/Shanghai",
        "hours": WEEKDAY_HOURS,
    }
    values.update(fields)
    return Site(**values)  # type: ignore[arg-type]


def make_ticket(
    ticket_id: str, queue: str = "a", minute: float = 0, priority_class: str | None = None
) -> WaitingTicket:
    """A waiting ticket issued ``minute`` minutes after MORNING."""
    return WaitingTicket(
        id=ticket_id,
        queue=queue,
        issued_at=MORNING + timedelta(minutes=minute),
        priority_class=priority_class,
    )
