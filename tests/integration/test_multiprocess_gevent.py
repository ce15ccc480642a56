"""psycopg 3 under gevent: a server process waits for PostgreSQL without blocking its other requests.

psycopg picks its wait function on import: after gevent's patching (the gunicorn gevent worker) it polls
through the hub; before it, its C wait would block the whole process for each query.
``server.psycopg_gevent.cooperative_psycopg_waits`` makes the late case cooperative too."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.support.live_server import ROOT, LiveServer, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OVERLAP_SCRIPT = textwrap.dedent("""
    import sys, time
    if sys.argv[2] == "psycopg-first":
        import psycopg  # the unlucky order: psycopg chooses its C wait before gevent patches select
    from gevent import monkey
    monkey.patch_all()
    import gevent
    from sqlalchemy import text
    from server.db import Database

    database = Database(sys.argv[1])

    def slow_query():
        with database.read() as session:
            session.execute(text("SELECT pg_sleep(0.4)"))

    slow_query()  # connect and warm the pool
    started = time.monotonic()
    gevent.joinall([gevent.spawn(slow_query) for _ in range(4)], raise_error=True)
    from psycopg import waiting
    print(f"{time.monotonic() - started:.3f} {waiting.wait.__name__}")
""")


@pytest.mark.parametrize("order", ["gevent-first", "psycopg-first"])
def test_four_slow_queries_in_one_gevent_process_overlap(postgres_url, order):
    result = subprocess.run([sys.executable, "-c", OVERLAP_SCRIPT, postgres_url, order], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    seconds, wait_function = result.stdout.split()
    assert wait_function != "wait_c", "psycopg's blocking C wait is in use"
    assert float(seconds) < 1.0, f"4 × 0.4 s queries took {seconds}s: they ran one after another"


HIGH_FILE_NUMBER_SCRIPT = textwrap.dedent("""
    import os, resource, sys
    from gevent import monkey
    monkey.patch_all()
    import gevent
    from sqlalchemy import text
    from server.db import Database

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]  # a worker holding many sockets
    database = Database(sys.argv[1])
    with database.read() as session:
        connection = session.connection().connection.dbapi_connection
        answer = gevent.spawn(lambda: session.execute(text("SELECT 41 + 1")).scalar()).get(timeout=10)
        from psycopg import waiting
        print(connection.fileno(), answer, waiting.wait.__name__)
""")


def test_a_database_connection_with_a_file_number_over_1024_is_waited_on(postgres_url):
    """select() refuses file numbers from 1024 on: the cooperative wait must not depend on it."""
    result = subprocess.run([sys.executable, "-c", HIGH_FILE_NUMBER_SCRIPT, postgres_url], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    fileno, answer, wait_function = result.stdout.split()
    assert int(fileno) >= 1024, "the test did not reach a high file number"
    assert (answer, wait_function) == ("42", "gevent_wait")


def test_a_request_waiting_on_a_database_lock_does_not_stall_its_process(postgres_url, tmp_path):
    server = LiveServer(postgres_url, layout=str(ROOT / "tests" / "perf" / "big_hall.yaml"),
                        log_path=tmp_path / "server.log").start()
    blocker = create_engine(postgres_url)
    try:
        answers: list[requests.Response] = []
        with blocker.connect() as connection:
            # Every ticket takes its number from the counters table: hold it.
            connection.execute(text("LOCK TABLE counters IN ACCESS EXCLUSIVE MODE"))
            issuing = threading.Thread(target=lambda: answers.append(requests.post(
                f"{server.url}/api/v1/sites/big/tickets", json={"service": "s0-1"}, timeout=30)))
            issuing.start()
            wait_until(lambda: connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).scalar() > 0,
                10, 0.02, "the ticket request waiting for the lock")
            started = time.monotonic()
            health = requests.get(f"{server.url}/healthz", timeout=10)
            layout = requests.get(f"{server.url}/api/v1/sites/big/queues", timeout=10)
            elapsed = time.monotonic() - started
            assert health.status_code == 200 and layout.status_code == 200
            assert elapsed < 0.5, f"other requests waited {elapsed:.2f}s behind the blocked one"
            assert not answers, "the ticket request is still waiting"
            connection.rollback()
        issuing.join(timeout=30)
        assert answers and answers[0].status_code == 201, answers
    finally:
        blocker.dispose()
        server.stop()
