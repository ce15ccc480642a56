"""Fixtures: an app per test on SQLite (a temp file) or PostgreSQL (a schema of its own), its clients,
and a logged-in clerk. PostgreSQL and Redis tests run whenever the servers answer; on CI they must."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from server.app import create_app, start, stop
from server.auth import add_user
from server.wiring import hall
from tests.support.small_hall import small_hall

POSTGRES_URL = os.environ.get("HALL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Each pytest-xdist worker has a Redis database of its own (15, 14): a test that flushes one never wipes
# what a test of the other worker keeps there.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("HALL_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER}")
ON_CI = os.environ.get("CI", "").lower() in ("1", "true")


def _unavailable(what: str, error: Exception):
    if ON_CI:
        pytest.fail(f"{what} must be reachable on CI: {error}")
    pytest.skip(f"{what} not reachable: {error}")


@pytest.fixture
def postgres_url():
    """A URL whose search_path is a fresh schema, dropped afterwards."""
    yield from fresh_postgres_schema()


def fresh_postgres_schema():
    """Yields a URL whose search_path is a fresh schema, and drops the schema afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # any failure to reach the server
        _unavailable("PostgreSQL", exc)
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:
        _unavailable("Redis", exc)
    return REDIS_URL


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_database_url(request, tmp_path_factory):
    """A database shared by the tests of one module (for a fixture that builds a costly scene once)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module') / 'hall.db'}"
    else:
        yield from fresh_postgres_schema()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hall.db'}"
    return request.getfixturevalue("postgres_url")


def make_app(database_url: str, layout=None, **config):
    settings = {
        "TESTING": True, "DATABASE_URL": database_url, "LAYOUT_OBJECT": layout or small_hall(),
        "ASYNC_MODE": "threading", "IGNORE_HOURS": True, "ISSUE_RATE_LIMIT": "0", "SECRET_KEY": "test-secret",
        "REDIS_URL": None, "DEVICE_TOKENS": {},  # not the checkout's instance/device_tokens.json
        "ALERT_SECONDS": 0,  # tests evaluate alerts themselves
        "STAFF_RECHECK_SECONDS": 0,  # and check staff subscriptions again themselves
    }
    settings.update(config)
    return start(create_app(settings))


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    yield app
    stop(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    """The ``flask`` command line of the test app."""
    return app.test_cli_runner()


def create_staff(app, username: str = "clerk1", password: str = "secret-pass-1", role: str = "clerk") -> dict:
    with hall(app).db.write() as session:
        add_user(session, username, password, role)
    response = app.test_client().post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def clerk(app) -> dict:
    """Authorization headers of a logged-in clerk."""
    return create_staff(app)


def staff_subscriber(app, site: str = "hall", **message):
    """A Socket.IO test client subscribed to the site's staff stream (every event, ids included)."""
    from server.extensions import socketio

    headers = create_staff(app, username=f"staff-{uuid.uuid4().hex[:8]}")
    sio = socketio.test_client(app)
    sio.emit("subscribe", {"site": site, "token": headers["Authorization"].removeprefix("Bearer "), **message})
    return sio
