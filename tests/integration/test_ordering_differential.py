"""The call-next rule exists twice: in Python (``server.domain.ordering``, ``server.domain.eta``), which
has the property tests, and in SQL (``store.claim_next``, ``store.count_ahead``), which is what the hall
runs. Over random halls, on SQLite and on PostgreSQL, both copies must call the same ticket every time
and tell every waiting person the same number of people ahead.

Tickets are rows in a schema built by the migrations. Issue times sit on a 30-second grid (with the odd
microsecond off it), so that equal issue times are common (the id breaks the tie) and tickets land
exactly on an overflow cutoff. Ids are shaped like ``secrets.token_urlsafe(16)``: mixed case, digits,
'-' and '_', which sort differently by code point (Python) than by an English collation. PostgreSQL
runs twice: on the server's default database and on a database created with an English (ICU en-US)
collation, the kind a production server initialised with ``en_US.UTF-8`` has.

Some tickets were missed and put back in line (``requeued_at``, on the same grid, so a requeue often ties
with another ticket's issue), and some waiting rows belong to an earlier local day (a day not closed
yet): neither copy may call or count them. Some windows work under a manager's assignment (弹性窗口): they
serve the assigned queues, in that order, in place of their own. Some tickets are booked (预约, checked in on
time: a row linked to an appointment), which both copies call before the walk-ins of their lane and count
accordingly.
"""

from __future__ import annotations

import datetime as dt
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, insert, select, text

from layout.model import Overflow, Priority, PriorityClass, Window
from server import store
from server.db import Database
from server.domain.eta import people_ahead
from server.domain.ordering import WaitingTicket, choose, next_position, plan_call
from server.models import Ticket
from server.schema import upgrade
from tests.conftest import ON_CI, POSTGRES_URL
from tests.unit.domain_factories import MORNING, make_window

SITE = "county"
OTHER_SITE = "city"
TODAY = MORNING.date()
YESTERDAY = TODAY - dt.timedelta(days=1)
CLERK_ID = 7
QUEUES = ("a", "b", "c", "d")
CLASSES = (PriorityClass(id="elderly", name="老年人"), PriorityClass(id="disabled", name="残疾人"))
GRID = dt.timedelta(seconds=30)
AFTER_MINUTES = (0, 0.5, 1, 2, 5)  # overflow thresholds on the grid
SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_ALPHABET = string.ascii_letters + string.digits + "-_"  # what secrets.token_urlsafe draws from
ID_LENGTH = 22  # len(secrets.token_urlsafe(16))
DIFFERENTIAL = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass(frozen=True)
class Call:
    window: int  # index into Scenario.windows
    now: dt.datetime  # aware, in UTC or in Shanghai time
    check_counts: bool  # compare every waiting ticket's people-ahead count after this call


@dataclass(frozen=True)
class Decoy:
    """A row the hall must never call: another site's waiting ticket, one of ours that is not waiting, or
    one left waiting by an earlier day."""

    ticket: WaitingTicket
    site: str
    status: str


@dataclass(frozen=True)
class Scenario:
    windows: tuple[Window, ...]
    priority: Priority
    positions: tuple[int, ...]
    waiting: tuple[WaitingTicket, ...]
    decoys: tuple[Decoy, ...]
    calls: tuple[Call, ...]
    assigned: tuple[tuple[str, ...] | None, ...] = ()  # per window: a manager's assignment (弹性窗口), or None


def grid_times(steps: int, odd_microseconds: tuple[int, ...]) -> st.SearchStrategy[dt.datetime]:
    """Aware UTC moments on the 30-second grid after MORNING, now and then a microsecond off it."""
    return st.builds(lambda step, microseconds: MORNING + step * GRID + dt.timedelta(microseconds=microseconds),
                     st.integers(0, steps), st.sampled_from(odd_microseconds))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    queues = QUEUES[: draw(st.integers(1, len(QUEUES)))]
    # Thresholds on the grid (tickets sit exactly on the cutoff) and anything in between.
    after_minutes = st.one_of(st.sampled_from(AFTER_MINUTES), st.floats(0, 6, allow_nan=False, allow_infinity=False))
    windows = []
    for index in range(draw(st.integers(1, 3))):
        own = draw(st.lists(st.sampled_from(queues), max_size=2))
        helped = draw(st.lists(st.builds(Overflow, st.sampled_from(queues), after_minutes), max_size=3))
        windows.append(make_window(f"w{index + 1}", tuple(own), tuple(helped)))
    priority_calls, normal_calls = draw(st.tuples(st.integers(0, 3), st.integers(0, 3))
                                        .filter(lambda ratio: sum(ratio) > 0))
    priority = Priority(classes=CLASSES[: draw(st.integers(0, len(CLASSES)))],
                        priority_calls=priority_calls, normal_calls=normal_calls)
    positions = tuple(draw(st.integers(0, 7)) for _ in windows)

    # Some ids share a stem so that the tie-break is decided deep inside the string.
    stems = draw(st.lists(st.text(ID_ALPHABET, max_size=ID_LENGTH - 1), min_size=1, max_size=3))
    ids = st.builds(lambda stem, tail: stem + tail[len(stem):], st.sampled_from(stems),
                    st.text(ID_ALPHABET, min_size=ID_LENGTH, max_size=ID_LENGTH))
    # Priority tickets may wait in a site without classes (classes removed from the layout mid-day).
    klass = st.sampled_from((None, None, *(c.id for c in CLASSES)))
    # A few issue times for the whole hall: tickets printed in the same instant are common.
    issue_times = draw(st.lists(grid_times(12, (0, 0, 0, 1, 999_999)), min_size=1, max_size=5))
    # A requeue comes after the issue, on the grid (so it ties with issues) or a microsecond off it.
    requeues = st.one_of(st.none(), st.none(), grid_times(24, (0, 0, 1)))

    def ticket(ident: str, queue: str, issued: dt.datetime, priority: str | None,
               requeued: dt.datetime | None, booked: bool) -> WaitingTicket:
        requeued = requeued if requeued is None or requeued >= issued else None
        return WaitingTicket(ident, queue, issued, priority, day=TODAY, requeued_at=requeued, booked=booked)

    # A booked ticket may carry a class too (the layout's 预约 class), or none.
    booked = st.sampled_from((False, False, True))
    tickets = st.builds(ticket, ids, st.sampled_from(queues), st.sampled_from(issue_times), klass, requeues, booked)
    waiting = draw(st.lists(tickets, max_size=14, unique_by=lambda ticket: ticket.id))
    taken = {ticket.id for ticket in waiting}
    places = st.sampled_from(((OTHER_SITE, "waiting", TODAY), (SITE, "called", TODAY), (SITE, "done", TODAY),
                              (SITE, "transferred", TODAY), (SITE, "waiting", YESTERDAY)))

    def decoy(ticket: WaitingTicket, place: tuple[str, str, dt.date]) -> Decoy:
        site, status, day = place
        return Decoy(replace(ticket, day=day), site, status)

    decoys = draw(st.lists(st.builds(decoy, tickets.filter(lambda ticket: ticket.id not in taken), places),
                           max_size=3, unique_by=lambda decoy: decoy.ticket.id))
    def calls_of(window: int) -> st.SearchStrategy[Call]:
        # Any moment on the grid, or one of this window's thresholds after an issue time: that ticket is
        # then exactly on the cutoff (or a microsecond inside it).
        thresholds = tuple(overflow.after_minutes for overflow in windows[window].overflow) or AFTER_MINUTES
        on_a_cutoff = st.builds(lambda issued, minutes, microseconds: issued + dt.timedelta(
            minutes=minutes, microseconds=microseconds), st.sampled_from(issue_times), st.sampled_from(thresholds),
            st.sampled_from((0, 0, 1)))
        moments = st.builds(lambda moment, zone: moment.astimezone(zone),
                            st.one_of(grid_times(40, (0, 0, 1)), on_a_cutoff), st.sampled_from((dt.UTC, SHANGHAI)))
        return st.builds(Call, st.just(window), moments, st.booleans())

    calls = draw(st.lists(st.integers(0, len(windows) - 1).flatmap(calls_of), min_size=1, max_size=12))
    # Some windows serve queues a manager assigned, in the assignment's order, in place of their own.
    assigned = tuple(draw(st.one_of(st.none(), st.lists(st.sampled_from(queues), min_size=1, max_size=3,
                                                          unique=True).map(tuple))) for _ in windows)
    return Scenario(tuple(windows), priority, positions, tuple(waiting), tuple(decoys), tuple(calls), assigned)


def naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def row(ticket: WaitingTicket, number: int, site: str = SITE, status: str = "waiting") -> dict:
    return {"id": ticket.id, "site": site, "number": f"A{number:03d}", "day": ticket.day,
            "service": "licence", "queue": ticket.queue, "priority_class": ticket.priority_class,
            "status": status, "issued_at": naive_utc(ticket.issued_at),
            "requeued_at": None if ticket.requeued_at is None else naive_utc(ticket.requeued_at), "recalls": 0,
            "appointment_id": f"appt-{ticket.id}" if ticket.booked else None}


def assert_counts_agree(database: Database, waiting: list[WaitingTicket], moment: str,
                        stale: list[WaitingTicket]) -> None:
    """Python counts among today's waiting and the earlier days' rows (``stale``), as the database does."""
    with database.read() as session:
        for ticket in waiting:
            expected = people_ahead(ticket, waiting + stale)
            counted = store.count_ahead(session, session.get(Ticket, ticket.id))
            assert counted == expected, (
                f"{moment}: {ticket} has {expected} people ahead in Python, {counted} in the database")


def run_hall(database: Database, scenario: Scenario) -> None:
    with database.write() as session:
        session.execute(delete(Ticket))
        rows = [row(ticket, number) for number, ticket in enumerate(scenario.waiting)]
        rows += [row(decoy.ticket, 900 + number, decoy.site, decoy.status)
                 for number, decoy in enumerate(scenario.decoys)]
        if rows:
            session.execute(insert(Ticket), rows)
    waiting = list(scenario.waiting)
    stale = [decoy.ticket for decoy in scenario.decoys if decoy.site == SITE and decoy.status == "waiting"]
    positions = list(scenario.positions)
    assert_counts_agree(database, waiting, "before the first call", stale)
    for number, call in enumerate(scenario.calls, start=1):
        window = scenario.windows[call.window]
        assigned = scenario.assigned[call.window] if scenario.assigned else None
        plan = plan_call(window, scenario.priority, positions[call.window], call.now, day=TODAY, queues=assigned)
        expected = choose(plan, waiting + stale)
        assert expected not in stale, f"call {number}: Python calls {expected}, a ticket of an earlier day"
        with database.write() as session:
            claimed = store.claim_next(session, SITE, plan, window.id, CLERK_ID, naive_utc(call.now))
            called = None if claimed is None else (claimed.id, claimed.status, claimed.window,
                                                   claimed.clerk_id, claimed.called_at)
        wanted = None if expected is None else (expected.id, "called", window.id, CLERK_ID, naive_utc(call.now))
        assert called == wanted, (
            f"call {number} ({plan}): Python calls {expected}, the database called {called}")
        if expected is not None:
            waiting.remove(expected)
            positions[call.window] = next_position(positions[call.window], scenario.priority,
                                                   plan.prefer_priority, expected.is_priority)
        if call.check_counts:
            assert_counts_agree(database, waiting, f"after call {number}", stale)
    assert_counts_agree(database, waiting, "after the last call", stale)
    with database.read() as session:
        still_waiting = set(session.scalars(select(Ticket.id).where(Ticket.site == SITE,
                                                                    Ticket.status == "waiting")))
    assert still_waiting == {ticket.id for ticket in waiting + stale}


def migrated(url: str) -> Iterator[Database]:
    database = Database(url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def database(database_url) -> Iterator[Database]:
    """One migrated database per test function; each example clears the tickets table."""
    yield from migrated(database_url)


def _create_english_database(admin, name: str) -> None:
    attempts = (f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'",  # 15+
                f"CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'en_US.UTF-8' LC_CTYPE 'en_US.UTF-8'")
    errors = []
    for statement in attempts:
        try:
            with admin.connect() as connection:
                connection.execute(text(statement))
            return
        except Exception as exc:  # this server lacks ICU or the libc locale; try the other way
            errors.append(exc)
    raise RuntimeError(f"no English collation on this server: {errors}")


@pytest.fixture
def english_database() -> Iterator[Database]:
    """A database of its own whose default collation is English, dropped afterwards."""
    name = f"hall_en_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        _create_english_database(admin, name)
    except Exception as exc:
        admin.dispose()
        if ON_CI:
            pytest.fail(f"PostgreSQL with an English collation must be available on CI: {exc}")
        pytest.skip(f"PostgreSQL with an English collation not available: {exc}")
    try:
        for database in migrated(admin.url.set(database=name).render_as_string(hide_password=False)):
            with database.read() as session:
                # Otherwise this database would not test what it claims to: code points put 'B' first.
                assert session.scalar(text("SELECT 'a' < 'B'")) is True
            yield database
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@DIFFERENTIAL
@given(scenario=scenarios())
def test_the_database_calls_the_ticket_python_chooses_and_counts_the_same_people_ahead(database, scenario):
    run_hall(database, scenario)


@pytest.mark.postgres
@DIFFERENTIAL
@given(scenario=scenarios())
def test_a_postgres_database_with_an_english_collation_still_orders_ids_by_code_point(
        english_database, scenario):
    run_hall(english_database, scenario)
