"""Login throttling: back-off per account and per address, answered 429 ``login_throttled`` with Retry-After
before any password is checked; a success clears the account's count; counts shared through Redis and kept
in the process when Redis is down; password checks bounded so that guessing cannot crowd out the hall."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from server import auth
from server.app import stop
from server.login_guard import LoginGuard, LoginThrottled
from tests.conftest import create_staff, make_app

START = dt.datetime(2026, 3, 2, 2, 0)
PASSWORD = "secret-pass-1"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(database_url, clock):
    app = make_app(database_url, CLOCK=clock)
    yield app
    stop(app)


def attempt(app, username: str = "clerk1", password: str = "wrong-password", address: str = "10.0.0.1"):
    return app.test_client().post("/api/v1/auth/login", json={"username": username, "password": password},
                                  environ_base={"REMOTE_ADDR": address})


def test_after_40_failures_the_41st_attempt_is_refused_even_with_the_right_password(app, clock):
    create_staff(app)
    statuses = [attempt(app).status_code for _ in range(40)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}, statuses
    refused = attempt(app, password=PASSWORD)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "login_throttled"
    assert " / " in refused.get_json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    clock.advance(int(refused.headers["Retry-After"]))
    assert attempt(app, password=PASSWORD).status_code == 200, "once the back-off has passed"


def fail_until_throttled(app, most: int = 25) -> int:
    """Failed attempts until one is refused with 429 (at most ``most``); how many failed first."""
    for failures in range(most):
        if attempt(app).status_code == 429:
            return failures
    raise AssertionError(f"no throttling after {most} failures")


def test_each_further_failure_doubles_the_wait(app, clock):
    create_staff(app)
    waits = []
    for _ in range(5):
        fail_until_throttled(app)
        waits.append(int(attempt(app).headers["Retry-After"]))
        clock.advance(waits[-1])
    assert waits == [1, 2, 4, 8, 16]


def test_one_address_guessing_many_accounts_is_throttled_and_another_address_is_not(app):
    create_staff(app)
    assert [attempt(app, username=f"user{n}").status_code for n in range(20)] == [401] * 20
    refused = attempt(app, username="clerk1", password=PASSWORD)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "login_throttled"
    assert attempt(app, username="clerk1", password=PASSWORD, address="10.0.0.2").status_code == 200


def test_a_success_clears_the_account_s_count(app, clock):
    create_staff(app)
    assert [attempt(app).status_code for _ in range(4)] == [401] * 4
    assert attempt(app, password=PASSWORD).status_code == 200
    assert fail_until_throttled(app) == 5, "after a success the account has its 5 free failures again"


def test_failures_are_forgotten_a_window_after_the_last_one(app, clock):
    create_staff(app)
    assert fail_until_throttled(app) == 5
    clock.advance(86_400 + 1)
    assert [attempt(app).status_code for _ in range(5)] == [401] * 5


def test_a_throttled_attempt_costs_no_password_check(app, monkeypatch):
    create_staff(app)
    for _ in range(5):
        attempt(app)
    checks = []
    monkeypatch.setattr(auth, "check_password_hash", lambda *args: checks.append(args) or False)
    assert attempt(app, password=PASSWORD).status_code == 429
    assert checks == []


@pytest.mark.redis
def test_with_redis_every_process_sees_the_same_counts(redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    # Two guards on one Redis are what two server processes have (an app per process would also share the
    # process-wide Socket.IO object, which the other tests' test clients need without a message queue).
    first, second = (LoginGuard({"REDIS_URL": redis_url}, clock=lambda: 1000.0) for _ in range(2))
    try:
        for _ in range(5):
            first.check("10.0.0.1", "anna")
            first.failed("10.0.0.1", "anna")
        with pytest.raises(LoginThrottled):
            second.check("10.0.0.2", "anna")
        second.succeeded("anna")
        first.check("10.0.0.2", "anna")  # the success in the other process cleared the account's count
    finally:
        redis.Redis.from_url(redis_url).flushdb()


def test_when_redis_does_not_answer_the_process_counts_by_itself(caplog):
    guard = LoginGuard({"REDIS_URL": "redis://127.0.0.1:1/0"}, clock=lambda: 1000.0)  # nothing listens on port 1
    started = time.monotonic()
    for _ in range(5):
        guard.check("10.0.0.1", "anna")
        guard.failed("10.0.0.1", "anna")
    with pytest.raises(LoginThrottled):
        guard.check("10.0.0.1", "anna")
    assert time.monotonic() - started < 2, "one failed Redis call, then memory for a while"
    assert "Redis unavailable" in caplog.text


def test_when_every_password_check_slot_is_busy_a_login_is_refused_at_once(database_url, monkeypatch):
    app = make_app(database_url, LOGIN_CHECKS_AT_ONCE=1, LOGIN_CHECKS_WAITING=0)
    try:
        create_staff(app)
        inside, release = threading.Event(), threading.Event()

        def slow_check(stored, password):
            inside.set()
            release.wait(10)
            return False

        monkeypatch.setattr(auth, "check_password_hash", slow_check)
        first = threading.Thread(target=attempt, args=(app,))
        first.start()
        assert inside.wait(10)
        busy = attempt(app, password=PASSWORD, address="10.0.0.9")
        release.set()
        first.join(10)
        assert busy.status_code == 503 and busy.get_json()["error"]["code"] == "login_busy"
        assert busy.headers["Retry-After"] == "1"
    finally:
        stop(app)
