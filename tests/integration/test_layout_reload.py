"""Reloading the layout of a running hall: two gunicorn processes on one PostgreSQL with Redis between
them. SIGHUP (systemctl reload) with a broken file keeps every process serving its running layout, with
the same worker; with a good changed file every process serves the new one. ``flask --app server layout
reload`` says what happened."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis as redis_client
import requests

from server.layout_reload import CHANNEL
from server.message_queue import hall_channel
from tests.support.live_server import ROOT, LiveServer, wait_until
from tests.support.own_redis import OwnRedis

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ORIGINAL = (ROOT / "tests" / "perf" / "big_hall.yaml").read_text(encoding="utf-8")
NAME = "name: 基准测试政务服务大厅\n"
RENAMED = ORIGINAL.replace(NAME, "name: 基准测试政务服务大厅（新）\n", 1)
# Two problems: a window serving a queue that does not exist, and a timezone that does not exist.
BROKEN = ORIGINAL.replace("    queues:\n    - q1\n", "    queues:\n    - no-such-queue\n", 1).replace(
    "timezone: Asia/Shanghai", "timezone: Mars/Olympus", 1)


@pytest.fixture
def hall(postgres_url, tmp_path):
    """(layout file, [server a, server b], redis url)."""
    assert RENAMED != ORIGINAL and BROKEN.count("no-such-queue") == 1 and "Mars/Olympus" in BROKEN
    layout = tmp_path / "layout.yaml"
    layout.write_text(ORIGINAL, encoding="utf-8")
    redis = OwnRedis().start()
    env = {"HALL_REDIS_URL": redis.url}
    servers = [LiveServer(postgres_url, layout=str(layout), extra_env=env, log_path=tmp_path / f"{name}.log")
               for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        listeners, requests = redis_client.Redis.from_url(redis.url), f"{hall_channel(postgres_url)}:{CHANNEL}"
        wait_until(lambda: dict(listeners.pubsub_numsub(requests)).get(requests.encode()) == 2, 10, 0.05,
                   "both processes listening for reloads")
        yield layout, servers, redis.url
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def health(server: LiveServer) -> dict:
    return requests.get(f"{server.url}/healthz", timeout=5).json()


def site_name(server: LiveServer) -> str:
    response = requests.get(f"{server.url}/api/v1/sites", timeout=5)
    assert response.status_code == 200
    return response.json()[0]["name"]


def hang_up(server: LiveServer) -> None:
    os.kill(server.process.pid, signal.SIGHUP)  # what `systemctl reload yichuang@PORT` does


def reload_command(layout: Path, redis_url: str | None, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HALL_LAYOUT": str(layout), "HALL_DATABASE_URL": database_url,
           "HALL_SECRET_KEY": "layout-reload-test-secret-key-0123456789abcdef"}
    env.pop("HALL_REDIS_URL", None)
    if redis_url:
        env["HALL_REDIS_URL"] = redis_url
    command = [sys.executable, "-m", "flask", "--app", "server", "layout", "reload", "--wait", "15"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_a_hangup_with_a_broken_file_keeps_every_process_serving_the_running_layout(hall):
    layout, servers, _redis = hall
    before = [health(server) for server in servers]
    layout.write_text(BROKEN, encoding="utf-8")
    hang_up(servers[0])

    server_a = servers[0]
    refused = wait_until(lambda: (h := health(server_a))["layout"].get("last_reload") and h, 15, 0.1,
                         "process a to try the file")
    last_reload = refused["layout"]["last_reload"]
    assert last_reload["ok"] is False and last_reload["problems"] == 2
    log = server_a.log_path.read_text(encoding="utf-8")
    assert f"{layout}: sites[0].timezone: " in log and "no-such-queue" in log, "each problem: file: path: reason"
    assert "the running layout stays" in log
    for server, earlier in zip(servers, before, strict=True):
        now = health(server)
        assert server.process.poll() is None, "the server is still running"
        assert now["pid"] == earlier["pid"], "the same worker: no restart, no screen reconnected"
        assert now["layout"]["fingerprint"] == earlier["layout"]["fingerprint"]
        assert site_name(server) == "基准测试政务服务大厅"


def test_a_hangup_with_a_good_changed_file_switches_every_process_to_it(hall):
    layout, servers, _redis = hall
    before = [health(server) for server in servers]
    assert before[0]["layout"]["fingerprint"] == before[1]["layout"]["fingerprint"]
    layout.write_text(RENAMED, encoding="utf-8")
    hang_up(servers[0])  # one process told; it tells the other

    def switched() -> bool:
        return all(health(server)["layout"]["fingerprint"] != before[0]["layout"]["fingerprint"]
                   for server in servers)

    wait_until(switched, 15, 0.1, "both processes on the new layout")
    after = [health(server) for server in servers]
    assert after[0]["layout"]["fingerprint"] == after[1]["layout"]["fingerprint"], "the same new layout"
    for server, earlier, now in zip(servers, before, after, strict=True):
        assert now["pid"] == earlier["pid"], "switched in place, no worker restart"
        assert site_name(server) == "基准测试政务服务大厅（新）"
        assert requests.post(f"{server.url}/api/v1/sites/big/tickets", json={"service": "s0-1"},
                             timeout=5).status_code == 201


def test_the_reload_command_refuses_a_broken_file_then_switches_every_process_to_a_good_one(hall,
                                                                                            postgres_url):
    layout, servers, redis_url = hall
    layout.write_text(BROKEN, encoding="utf-8")
    refused = reload_command(layout, redis_url, postgres_url)
    assert refused.returncode == 1, refused.stderr
    problems = [line for line in refused.stderr.splitlines() if line.startswith(f"{layout}: ")]
    assert len(problems) == 2, refused.stderr
    assert "the running layout stays" in refused.stderr
    assert all(site_name(server) == "基准测试政务服务大厅" for server in servers)

    layout.write_text(RENAMED, encoding="utf-8")
    switched = reload_command(layout, redis_url, postgres_url)
    assert switched.returncode == 0, switched.stdout + switched.stderr
    assert switched.stdout.startswith("OK: 1 sites, ")
    assert switched.stdout.count("switched to layout") == 2
    assert "2 of 2 server processes serve layout" in switched.stdout
    assert all(site_name(server) == "基准测试政务服务大厅（新）" for server in servers)

    without_redis = reload_command(layout, None, postgres_url)
    assert without_redis.returncode == 2 and "systemctl reload yichuang@PORT" in without_redis.stderr
