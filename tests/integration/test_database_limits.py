"""Bounded database waits, in process: a lock held elsewhere turns into 503 ``database_busy`` after the
configured time (SQLite's write lock, a PostgreSQL row lock), the PostgreSQL sessions carry their
timeouts, and /healthz proves that the database takes a write, not only that it answers."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, event, text

from server.app import stop
from server.database_limits import DatabaseLimits, limits_from_environment
from server.wiring import hall
from tests.conftest import create_staff, make_app

TICKETS = "/api/v1/sites/hall/tickets"
W = "/api/v1/sites/hall/windows"
QUICK = DatabaseLimits(busy=0.5, connect=2, lock=0.5, statement=2, answer=4)


def test_sqlite_a_write_lock_held_elsewhere_answers_503_database_busy_after_the_busy_timeout(tmp_path):
    database = tmp_path / "hall.db"
    app = make_app(f"sqlite:///{database}", DATABASE_LIMITS=QUICK)
    client = app.test_client()
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        response = client.post(TICKETS, json={"service": "company-setup"})
        seconds = time.monotonic() - started
        assert response.status_code == 503 and response.get_json()["error"]["code"] == "database_busy"
        assert 0.45 <= seconds < 1.5, f"answered after {seconds:.2f}s"
        assert client.get("/api/v1/sites/hall/queues").status_code == 200, "reads do not wait for writers"
        holder.rollback()
        assert client.post(TICKETS, json={"service": "company-setup"}).get_json()["number"] == "A001", \
            "the refused write left nothing behind"
    finally:
        holder.close()
        stop(app)


def test_sqlite_a_write_that_finds_the_lock_taken_goes_through_once_it_is_freed_in_time(tmp_path):
    database = tmp_path / "hall.db"
    app = make_app(f"sqlite:///{database}", DATABASE_LIMITS=DatabaseLimits(busy=5))
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(0.3, holder.rollback)
    releaser.start()
    try:
        response = app.test_client().post(TICKETS, json={"service": "company-setup"})
        assert response.status_code == 201, response.get_data(as_text=True)
    finally:
        releaser.join()
        holder.close()
        stop(app)


@pytest.mark.postgres
def test_postgres_sessions_carry_the_statement_and_lock_timeouts_and_keep_the_urls_options(postgres_url):
    app = make_app(postgres_url, DATABASE_LIMITS=QUICK)
    try:
        with hall(app).db.read() as session:
            settings = {name: session.execute(text(f"SHOW {name}")).scalar_one()
                        for name in ("statement_timeout", "lock_timeout", "search_path")}
        assert settings["statement_timeout"] == "2s" and settings["lock_timeout"] == "500ms"
        assert settings["search_path"].startswith("t_"), "the URL's own options (the test's schema) stay"
    finally:
        stop(app)


@pytest.mark.postgres
def test_postgres_a_call_next_behind_a_row_lock_held_elsewhere_answers_503_database_busy(postgres_url):
    app = make_app(postgres_url, DATABASE_LIMITS=QUICK)
    client = app.test_client()
    headers = create_staff(app)
    assert client.post(f"{W}/w1/open", headers=headers).status_code == 200
    client.post(TICKETS, json={"service": "company-setup"})
    other = create_engine(postgres_url)
    try:
        with other.connect() as connection:
            connection.execute(text("SELECT * FROM window_states WHERE \"window\" = 'w1' FOR UPDATE"))
            started = time.monotonic()
            response = client.post(f"{W}/w1/call-next", headers=headers)
            seconds = time.monotonic() - started
            assert response.status_code == 503 and response.get_json()["error"]["code"] == "database_busy"
            assert seconds < 1.5, f"answered after {seconds:.2f}s"
            assert client.post(f"{W}/w2/open", headers=headers).status_code == 200, "other windows go on"
            connection.rollback()
        called = client.post(f"{W}/w1/call-next", headers=headers)
        assert called.status_code == 200 and called.get_json()["number"] == "A001"
    finally:
        other.dispose()
        stop(app)


@pytest.mark.postgres
def test_healthz_is_down_when_the_database_answers_but_cannot_write(postgres_url):
    stop(make_app(postgres_url))  # the schema, created by a server that may write
    read_only = postgres_url.replace("options=", "options=-cdefault_transaction_read_only%3Don%20")
    app = make_app(read_only)
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503, response.get_json()
        assert response.get_json()["status"] == "down"
        with hall(app).db.read() as session:
            assert session.execute(text("SELECT 1")).scalar_one() == 1, "a read-only check would have said ok"
    finally:
        stop(app)


def test_database_limits_come_from_the_environment_and_refuse_nonsense(monkeypatch):
    monkeypatch.setenv("HALL_DATABASE_BUSY_TIMEOUT", "1.5")
    monkeypatch.setenv("HALL_DATABASE_STATEMENT_TIMEOUT", "4")
    limits = limits_from_environment()
    assert limits.busy == 1.5 and limits.statement == 4 and limits.answer_seconds == 6
    parameters = limits.postgres_parameters("-csearch_path=x")
    assert parameters["options"] == "-csearch_path=x -c statement_timeout=4000 -c lock_timeout=3000"
    assert parameters["connect_timeout"] == 3 and parameters["keepalives"] == 1
    monkeypatch.setenv("HALL_DATABASE_LOCK_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="HALL_DATABASE_LOCK_TIMEOUT"):
        limits_from_environment()


def _backends(engine) -> list[int]:
    """The server processes of every connection ``engine`` makes from now on."""
    engine.dispose()
    pids: list[int] = []
    event.listen(engine, "connect", lambda dbapi_connection, _record: pids.append(dbapi_connection.info.backend_pid))
    return pids


def _end_backends(postgres_url: str, pids: list[int]) -> None:
    """End those server processes, as a database restart would."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(:pids) AS pid"),
                                       {"pids": pids}).scalars().all()
    finally:
        admin.dispose()
    assert ended and all(ended)


def test_postgres_a_pooled_connection_lost_while_idle_is_replaced_before_a_request_uses_it(postgres_url,
                                                                                            monkeypatch):
    app = make_app(postgres_url)
    client = app.test_client()
    pids = _backends(hall(app).db.engine)
    try:
        assert client.post(TICKETS, json={"service": "company-setup"}).status_code == 201  # a pooled connection
        monkeypatch.setattr("server.db.PING_AFTER_IDLE_SECONDS", 0.0)  # as after ten idle seconds
        _end_backends(postgres_url, pids)
        response = client.post(TICKETS, json={"service": "company-setup"})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["number"] == "A002"
    finally:
        stop(app)


def test_postgres_a_connection_in_steady_use_is_not_pinged(postgres_url):
    app = make_app(postgres_url)
    client = app.test_client()
    pings = []
    engine = hall(app).db.engine
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(connection) or original(connection)
    try:
        for _ in range(3):
            assert client.post(TICKETS, json={"service": "company-setup"}).status_code == 201
        assert pings == []
    finally:
        engine.dialect.do_ping = original
        stop(app)
