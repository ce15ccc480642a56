"""Operations: /healthz and /metrics, and the faults a hall meets — PostgreSQL gone (a clear 503, nothing
half-written), Redis gone or frozen (calls still commit quickly, /healthz says degraded, screens catch up),
a screen that stops reading (never slows a clerk)."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
import websocket
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from server.app import stop
from server.domain.commands import RecordPrinterState
from server.schema import alembic_config
from server.wiring import hall
from tests.conftest import create_staff, make_app
from tests.perf.clients import DisplayClient, staff_token
from tests.support.live_server import ROOT, LiveServer, free_port, wait_until

LAYOUT = str(ROOT / "tests" / "perf" / "big_hall.yaml")
W = "/api/v1/sites/hall/windows"


# -- /healthz and /metrics in process ---------------------------------------------------------------------
def test_healthz_answers_ok_with_the_database_and_no_redis_configured(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["checks"] == {"database": "ok", "redis": "not configured"}


def parse_metrics(body: str) -> dict[str, float]:
    samples = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def test_metrics_count_tickets_calls_waits_and_printer_states(app, client, clerk):
    for service in ("company-setup", "company-setup", "company-change", "estate-first"):
        assert client.post("/api/v1/sites/hall/tickets", json={"service": service}).status_code == 201
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    client.post(f"{W}/w1/recall", headers=clerk)
    hall(app).handle(RecordPrinterState("hall", "k1", "paper_out", "缺纸", "2026-01-05T01:00:00Z"))
    hall(app).handle(RecordPrinterState("hall", "k1", "ok", "", "2026-01-05T01:05:00Z"))

    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain; version=0.0.4")
    assert "# TYPE yichuang_wait_seconds histogram" in response.text
    samples = parse_metrics(response.text)
    assert samples['yichuang_tickets_issued_total{site="hall",queue="biz"}'] == 3
    assert samples['yichuang_tickets_issued_total{site="hall",queue="estate"}'] == 1
    assert samples['yichuang_calls_total{site="hall"}'] == 2, "a recall is a call too"
    assert samples['yichuang_waiting{site="hall",queue="biz"}'] == 2
    assert samples['yichuang_windows{site="hall",state="open"}'] == 1
    assert samples['yichuang_wait_seconds_count{site="hall",queue="biz"}'] == 1
    assert samples['yichuang_wait_seconds_bucket{site="hall",queue="biz",le="60"}'] == 1
    assert samples['yichuang_wait_seconds_bucket{site="hall",queue="biz",le="+Inf"}'] == 1
    assert samples['yichuang_printer_state{site="hall",kiosk="k1",state="ok"}'] == 1
    assert not any("paper_out" in name for name in samples), "only the latest state of a printer"
    assert any(name.startswith("yichuang_process_resident_memory_bytes{") and value > 10_000_000
               for name, value in samples.items())


# -- PostgreSQL down --------------------------------------------------------------------------------------
class CuttableLink:
    """A TCP forwarder to PostgreSQL that the test can cut (every connection reset, new ones refused)
    and mend, standing in for a database server that goes away."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None

    def mend(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            if self.listener is not None:
                with contextlib.suppress(OSError):
                    self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept blocked in its thread
                self.listener.close()
                self.listener = None
            for connection in self.connections:
                # shutdown, not just close: close leaves a recv blocked in another thread running.
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    connection.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()


@pytest.fixture
def database_link(postgres_url):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    link = CuttableLink((url.host or "127.0.0.1", url.port or 5432))
    link.mend()
    yield link, url.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False)
    link.cut()


@pytest.mark.postgres
def test_without_postgresql_the_api_answers_503_json_and_nothing_is_half_written(database_link, postgres_url):
    link, linked_url = database_link
    app = make_app(linked_url)
    client = app.test_client()
    headers = create_staff(app)
    assert client.post(f"{W}/w1/open", headers=headers).status_code == 200
    statuses = Counter()
    for index in range(40):
        if index == 15:
            link.cut()
        if index == 30:
            link.mend()
        response = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"})
        statuses[response.status_code] += 1
        if response.status_code != 201:
            assert response.status_code == 503, response.get_data(as_text=True)
            assert response.get_json()["error"]["code"] == "database_unavailable"
        if index == 20:
            health = client.get("/healthz")
            assert health.status_code == 503 and health.get_json()["status"] == "down"
            for path in ("/api/v1/sites/hall/queues", f"{W}/w1"):
                down = client.get(path)
                assert down.status_code == 503 and down.get_json()["error"]["code"] == "database_unavailable"
            called = client.post(f"{W}/w1/call-next", headers=headers)
            assert called.status_code == 503 and called.get_json()["error"]["code"] == "database_unavailable"
    assert statuses[503] >= 14 and statuses[201] >= 24, statuses
    assert client.get("/healthz").get_json()["status"] == "ok"

    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        numbers = connection.execute(text("SELECT number FROM tickets WHERE queue = 'biz' ORDER BY number")).scalars().all()
        counter = connection.execute(text("SELECT value FROM counters WHERE scope = 'queue:biz'")).scalar_one()
        events = connection.execute(text("SELECT seq FROM site_events ORDER BY seq")).scalars().all()
    engine.dispose()
    stop(app)
    assert len(numbers) == statuses[201], "every 201 is stored, every 503 left nothing behind"
    assert counter == len(numbers) and numbers == [f"A{n:03d}" for n in range(1, counter + 1)], \
        "no number was taken by a transaction that did not commit"
    assert events == list(range(1, len(events) + 1)), "the event sequence has no hole"


# -- Redis down or frozen ---------------------------------------------------------------------------------
class OwnRedis:
    """A redis-server of the test's own, on a free port, that the test may kill or freeze."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/10"
        self.process: subprocess.Popen | None = None

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        wait_until(self._answers, 10, 0.05, "redis-server")
        return self

    def _answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis():
    server = OwnRedis().start()
    yield server
    if server.process is not None:
        server.thaw()
    server.kill()


def timed_post(url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.post(url, timeout=10, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.slow
def test_with_redis_down_or_frozen_calls_commit_quickly_and_screens_catch_up(postgres_url, own_redis, tmp_path):
    env = {"HALL_REDIS_URL": own_redis.url, "HALL_ISSUE_RATE_LIMIT": "1000/minute"}
    servers = [LiveServer(postgres_url, layout=LAYOUT, extra_env=env, log_path=tmp_path / f"{name}.log")
               for name in ("a", "b")]
    screens: list[DisplayClient] = []
    try:
        for server in servers:
            server.start()
        server_a, server_b = servers
        server_a.add_user("ops-clerk", "ops-clerk-password")
        headers = server_a.login("ops-clerk", "ops-clerk-password")
        screen_a = DisplayClient(server_a.url, "big", "lobby", token=staff_token(headers)).start()
        screen_b = DisplayClient(server_b.url, "big", "lobby", token=staff_token(headers)).start()
        screens += [screen_a, screen_b]
        base = f"{server_a.url}/api/v1/sites/big/windows/w10"
        assert requests.post(f"{base}/open", headers=headers, timeout=5).status_code == 200

        def issue_and_call() -> tuple[str, float]:
            issued, issue_seconds = timed_post(f"{server_a.url}/api/v1/sites/big/tickets", json={"service": "s0-1"})
            assert issued.status_code == 201, issued.text
            finished = requests.post(f"{base}/finish", json={"outcome": "handled"}, headers=headers, timeout=10)
            assert finished.status_code in (200, 409), finished.text
            called, call_seconds = timed_post(f"{base}/call-next", headers=headers)
            assert called.status_code == 200, called.text
            return called.json()["id"], max(issue_seconds, call_seconds)

        up, _ = issue_and_call()
        wait_until(lambda: screen_b.seen([up]), 5, 0.02, "a call through Redis while it is up")

        own_redis.kill()
        down = []
        for _ in range(3):
            ticket_id, seconds = issue_and_call()
            down.append(ticket_id)
            assert seconds < 0.5, f"with Redis down a request took {seconds:.2f}s"
        health = requests.get(f"{server_a.url}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert health.json()["checks"]["redis"].startswith("down")
        wait_until(lambda: screen_a.seen(down), 5, 0.02, "calls on the screen of the same process")
        assert not screen_b.seen(down[:1]), "B cannot hear A without Redis"

        own_redis.start()
        wait_until(lambda: requests.get(f"{server_a.url}/healthz", timeout=5).json()["status"] == "ok", 10, 0.1,
                   "healthz ok again")
        after = []

        def caught_up() -> bool:
            # A busy hall keeps calling; the first event B hears shows it the gap and it resubscribes.
            after.append(issue_and_call()[0])
            return screen_b.seen(down + after)

        wait_until(caught_up, 30, 1.0, "the screen at B catching up through a snapshot")
        assert screen_b.snapshots >= 2

        own_redis.freeze()
        frozen = [issue_and_call() for _ in range(3)]
        assert frozen[0][1] < 1.5, f"the first request with Redis frozen took {frozen[0][1]:.2f}s"
        assert all(seconds < 0.5 for _, seconds in frozen[1:]), frozen
        wait_until(lambda: screen_a.seen([ticket_id for ticket_id, _ in frozen]), 5, 0.02, "local calls")
        own_redis.thaw()
    finally:
        for screen in screens:
            screen.stop()
        for server in servers:
            server.stop()


# -- a screen that stops reading --------------------------------------------------------------------------
def stalled_screen(url: str, site: str) -> websocket.WebSocket:
    """A Socket.IO client over a raw WebSocket with a tiny receive buffer that subscribes and then never
    reads again, like a frozen browser on a slow network."""
    stalled = websocket.WebSocket(sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 2048),))
    stalled.connect(url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    assert stalled.recv().startswith("0")  # engine.io open
    stalled.send("40")
    assert stalled.recv().startswith("40")  # socket.io connect
    stalled.send("42" + json.dumps(["subscribe", {"site": site}]))
    return stalled


def unsent_bytes(server_port: int, client_port: int) -> int:
    """Bytes the server has queued for the client but the client has not taken (Linux /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, queues = fields[1], fields[2], fields[4]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return int(queues.split(":")[0], 16)
    return 0


@pytest.mark.slow
def test_a_screen_that_stops_reading_never_slows_a_clerk(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'hall.db'}", layout=LAYOUT, log_path=tmp_path / "server.log")
    server.start()
    screen = stalled = None
    try:
        server.add_user("ops-clerk", "ops-clerk-password")
        headers = server.login("ops-clerk", "ops-clerk-password")
        stalled = stalled_screen(server.url, "big")
        screen = DisplayClient(server.url, "big", "lobby", token=staff_token(headers)).start()
        base = f"{server.url}/api/v1/sites/big/windows/w10"
        assert requests.post(f"{base}/open", headers=headers, timeout=5).status_code == 200
        session = requests.Session()
        seconds, called = [], []
        for _ in range(60):
            assert session.post(f"{server.url}/api/v1/sites/big/tickets", json={"service": "s0-1"},
                                timeout=5).status_code == 201
            started = time.monotonic()
            response = session.post(f"{base}/call-next", headers=headers, timeout=5)
            seconds.append(time.monotonic() - started)
            assert response.status_code == 200, response.text
            called.append(response.json()["id"])
            assert session.post(f"{base}/finish", json={"outcome": "handled"}, headers=headers,
                                timeout=5).status_code == 200
        wait_until(lambda: screen.seen(called), 5, 0.02, "every call on the screen that reads")
        assert unsent_bytes(server.port, stalled.sock.getsockname()[1]) > 32_000, "the stalled screen fell behind"
        seconds.sort()
        assert seconds[-1] < 0.5 and seconds[len(seconds) // 2] < 0.1, seconds
    finally:
        if screen is not None:
            screen.stop()
        if stalled is not None:
            stalled.close()
        server.stop()


# -- configuration for production -------------------------------------------------------------------------
def test_db_upgrade_brings_the_schema_to_head_and_says_so(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'fresh.db'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert f"database schema at revision {head}" in result.output


def test_db_upgrade_that_fails_says_why_and_exits_non_zero(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'half.db'}"
    command.upgrade(alembic_config(url), "0009")
    engine = create_engine(url)
    with engine.begin() as connection:  # what 0010 adds is there already: its ALTER TABLE fails
        connection.execute(text("ALTER TABLE tickets ADD COLUMN rating_level INTEGER"))
    engine.dispose()
    app = make_app(url)
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    finally:
        stop(app)  # its schema gate would go on retrying the upgrade in the background
    assert result.exit_code != 0, result.output
    assert "not 0010" in result.output and "rating_level" in result.output


def test_behind_nginx_the_rate_limit_counts_each_kiosk_not_the_proxy(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'hall.db'}", ISSUE_RATE_LIMIT="2/minute", PROXY_HOPS=1)
    client = app.test_client()

    def issue(address: str) -> int:
        return client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [issue("10.0.0.1") for _ in range(3)] == [201, 201, 429]
    assert issue("10.0.0.2") == 201, "another kiosk has its own allowance"


def test_an_account_disabled_in_the_database_loses_access_on_its_next_request(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'hall.db'}")
    client = app.test_client()
    headers = create_staff(app)
    assert client.post(f"{W}/w1/open", headers=headers).status_code == 200
    with hall(app).db.write() as session:
        session.execute(text("UPDATE users SET active = false"))
    refused = client.post(f"{W}/w1/pause", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"
