"""The durations the statistics rank are kept on the ticket row when they happen: the wait at the first
call (a recall or the call of a requeued ticket keeps it; a transfer's successor has none), the service at
the finish; migration 0009 fills them for the tickets already on file. A year's range, whose percentiles
over all keys SQLite reads in each duration's own index, gives the figures of the day it holds."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from alembic import command
from sqlalchemy import select, text

from server.app import stop
from server.db import Database
from server.models import Ticket
from server.schema import alembic_config
from server.wiring import hall
from tests.conftest import create_staff, make_app

MONDAY_9 = dt.datetime(2026, 1, 5, 1, 0)
SITE = "/api/v1/sites/hall"
W = f"{SITE}/windows"


@pytest.fixture
def clock() -> dict:
    return {"now": MONDAY_9}


@pytest.fixture
def app(database_url, clock):
    app = make_app(database_url, CLOCK=lambda: clock["now"])
    yield app
    stop(app)


def at(clock: dict, minute: int) -> None:
    clock["now"] = MONDAY_9 + dt.timedelta(minutes=minute)


def durations(app, ticket_id: str) -> tuple:
    with hall(app).db.read() as session:
        return session.execute(select(Ticket.wait_s, Ticket.service_s).where(Ticket.id == ticket_id)).one()


def post(client, path: str, headers: dict, **body) -> dict:
    response = client.post(path, json=body or None, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_first_call_keeps_the_wait_and_the_finish_the_service(app, clock):
    client, clerk = app.test_client(), create_staff(app)
    ticket = client.post(f"{SITE}/tickets", json={"service": "company-setup"}).get_json()
    post(client, f"{W}/w1/open", clerk)
    at(clock, 10), post(client, f"{W}/w1/call-next", clerk)
    assert durations(app, ticket["id"]) == (600.0, None)
    at(clock, 12), post(client, f"{W}/w1/recall", clerk)
    at(clock, 13), post(client, f"{W}/w1/no-show", clerk)
    at(clock, 14), post(client, f"{SITE}/tickets/{ticket['id']}/requeue", clerk)
    at(clock, 20), post(client, f"{W}/w1/call-next", clerk)
    assert durations(app, ticket["id"]) == (600.0, None), "the first call's wait stays"
    at(clock, 27), post(client, f"{W}/w1/finish", clerk, outcome="accepted")
    assert durations(app, ticket["id"]) == (600.0, 420.0)


def test_a_transfer_s_successor_has_no_wait_of_its_own_and_a_no_show_no_service(app, clock):
    client, clerk = app.test_client(), create_staff(app)
    moved = client.post(f"{SITE}/tickets", json={"service": "company-change"}).get_json()
    at(clock, 1)
    missed = client.post(f"{SITE}/tickets", json={"service": "estate-first"}).get_json()  # after the transfer's place
    post(client, f"{W}/w1/open", clerk), post(client, f"{W}/w3/open", clerk)
    at(clock, 5), post(client, f"{W}/w1/call-next", clerk)
    successor = post(client, f"{W}/w1/transfer", clerk, service="estate-first")["transferred_ticket"]
    at(clock, 8), post(client, f"{W}/w3/call-next", clerk)
    at(clock, 11), post(client, f"{W}/w3/finish", clerk, outcome="handled")
    at(clock, 12), post(client, f"{W}/w3/call-next", clerk)
    post(client, f"{W}/w3/no-show", clerk)
    assert durations(app, moved["id"]) == (300.0, None)
    assert durations(app, successor["id"]) == (None, 180.0)
    assert durations(app, missed["id"]) == (660.0, None)


def test_a_year_gives_the_figures_of_the_one_day_it_holds(app, clock):
    client, clerk = app.test_client(), create_staff(app)
    manager = create_staff(app, "manager1", role="manager")
    for minute in (0, 1, 2, 3, 4):
        at(clock, minute)
        client.post(f"{SITE}/tickets", json={"service": "company-setup"})
    post(client, f"{W}/w1/open", clerk)
    for minute in (10, 16, 25, 40):
        at(clock, minute), post(client, f"{W}/w1/call-next", clerk)
        at(clock, minute + 3 + minute % 4), post(client, f"{W}/w1/finish", clerk, outcome="accepted")
    for by in ("queue", "window"):
        day, year = (client.get(f"{SITE}/stats?from={start}&to=2026-01-05&by={by}", headers=manager).get_json()
                     for start in ("2026-01-05", "2025-01-05"))
        assert year["rows"] == day["rows"] and year["totals"] == day["totals"]
        totals = day["totals"]
        # waits 600, 900 (16 − 1), 1380 (25 − 2), 2220 (40 − 3); services 300 (10 → 15), 180, 240, 180
        assert (totals["wait_p50_s"], totals["wait_p90_s"], totals["wait_max_s"]) == (900, 2220, 2220)
        assert (totals["service_p50_s"], totals["service_p90_s"]) == (180, 300)


@contextmanager
def migrated_to(database_url: str, revision: str):
    """A connection to a new database brought up to ``revision``, and a function that upgrades it further."""
    db = Database(database_url)
    try:
        config = alembic_config(db.engine.url.render_as_string(hide_password=False))
        with db.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

            def upgrade_to(next_revision: str) -> None:
                connection.commit()
                command.upgrade(config, next_revision)
                connection.commit()

            yield connection, upgrade_to
    finally:
        db.dispose()


def test_migration_0009_fills_the_durations_of_the_tickets_on_file(database_url):
    with migrated_to(database_url, "0008") as (connection, upgrade_to):
        rows = [("served", None, "2026-01-05 01:00:00", "2026-01-05 01:10:30", "2026-01-05 01:15:00", "accepted"),
                ("missed", None, "2026-01-05 01:00:00", "2026-01-05 01:02:00", "2026-01-05 01:03:00", None),
                ("moved", "served", "2026-01-05 01:00:00", "2026-01-05 01:20:00", "2026-01-05 01:21:00", "handled"),
                ("waiting", None, "2026-01-05 01:00:00", None, None, None)]
        for ticket, origin, issued, called, finished, outcome in rows:
            connection.execute(text(
                "INSERT INTO tickets (id, site, number, day, service, queue, status, issued_at, called_at, "
                "finished_at, recalls, outcome, origin_id) VALUES (:id, 'hall', 'A001', '2026-01-05', 's', "
                "'q', 'done', :issued, :called, :finished, 0, :outcome, :origin)"),
                {"id": ticket, "issued": dt.datetime.fromisoformat(issued), "origin": origin,
                 "called": called and dt.datetime.fromisoformat(called), "outcome": outcome,
                 "finished": finished and dt.datetime.fromisoformat(finished)})
        upgrade_to("0009")
        found = {ticket: (wait, service) for ticket, wait, service in connection.execute(
            text("SELECT id, wait_s, service_s FROM tickets"))}
    assert found == {
        "served": (630.0, 270.0), "missed": (120.0, None), "moved": (None, 60.0), "waiting": (None, None)}


def test_migration_0010_keeps_each_counted_rating_level_on_its_ticket(database_url):
    with migrated_to(database_url, "0009") as (connection, upgrade_to):
        for ticket in ("rated", "set-aside", "unrated"):
            connection.execute(text(
                "INSERT INTO tickets (id, site, number, day, service, queue, status, issued_at, recalls) "
                "VALUES (:id, 'hall', 'A001', '2026-01-05', 's', 'q', 'done', '2026-01-05 01:00:00', 0)"),
                {"id": ticket})
        connection.execute(text("INSERT INTO rating_forms (version, content, created_at) "
                                "VALUES ('f1', '{}', '2026-01-05 02:00:00')"))
        for ticket, level, aside in (("rated", 4, False), ("set-aside", 1, True)):
            connection.execute(text(
                "INSERT INTO ratings (site, ticket_id, service, level, reasons, channel, form_version, "
                "created_at, set_aside) VALUES ('hall', :ticket, 's', :level, '[]', 'pad', 'f1', "
                "'2026-01-05 02:00:00', :aside)"), {"ticket": ticket, "level": level, "aside": aside})
        upgrade_to("0010")
        found = dict(connection.execute(text("SELECT id, rating_level FROM tickets")).all())
    assert found == {"rated": 4, "set-aside": None, "unrated": None}
