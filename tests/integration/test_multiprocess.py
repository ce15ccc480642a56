"""Several server processes on one PostgreSQL database with Redis between them: a screen on one process
hears the calls made on another, /metrics agrees across processes, and nginx with the shipped site config
(deploy/nginx/yichuang.conf: a hash of the client address, WebSocket upgrade) keeps sessions sticky and moves screens to the
surviving process when one dies."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.perf.clients import DisplayClient, FailoverSession, staff_token
from tests.support.live_server import ROOT, LiveServer, free_port, wait_until

pytestmark = pytest.mark.slow

LAYOUT = str(ROOT / "tests" / "perf" / "big_hall.yaml")
SITE = "big"
CLERK, CLERK_PASSWORD = "multi-clerk", "multi-clerk-password"


@pytest.fixture
def two_processes(postgres_url, redis_url, tmp_path):
    env = {"HALL_REDIS_URL": redis_url.rsplit("/", 1)[0] + "/11"}
    servers = [LiveServer(postgres_url, layout=LAYOUT, extra_env=env, log_path=tmp_path / f"{name}.log")
               for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        servers[0].add_user(CLERK, CLERK_PASSWORD)
        yield servers
    finally:
        for server in servers:
            server.stop()


def issue(url: str, service: str = "s0-1") -> dict:
    response = requests.post(f"{url}/api/v1/sites/{SITE}/tickets", json={"service": service}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def call(url: str, headers: dict, window: str = "w10") -> dict:
    base = f"{url}/api/v1/sites/{SITE}/windows/{window}"
    opened = requests.post(f"{base}/open", headers=headers, timeout=5)
    assert opened.status_code == 200, opened.text
    response = requests.post(f"{base}/call-next", headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_screen_on_process_b_hears_a_call_made_on_process_a(two_processes):
    server_a, server_b = two_processes
    headers = server_a.login(CLERK, CLERK_PASSWORD)
    screen = DisplayClient(server_b.url, SITE, "lobby", token=staff_token(headers)).start()
    try:
        ticket = issue(server_a.url)
        called = call(server_a.url, headers)
        assert called["id"] == ticket["id"]
        wait_until(lambda: screen.seen([ticket["id"]]), 5, 0.02, "the call on the screen at B")
        event = screen.calls[ticket["id"]]
        assert event["ticket"] == ticket["number"] and event["window"] == "w10" and event["window_number"] == "10"
        assert screen.snapshots == 1, "delivered live, not by a resubscription"
    finally:
        screen.stop()


def test_metrics_read_the_same_hall_from_every_process(two_processes):
    server_a, server_b = two_processes
    for _ in range(3):
        issue(server_a.url, "s0-1")
    call(server_b.url, server_b.login(CLERK, CLERK_PASSWORD))
    for server in (server_a, server_b):
        text = requests.get(f"{server.url}/metrics", timeout=5).text
        assert 'yichuang_tickets_issued_total{site="big",queue="q0"} 3' in text
        assert 'yichuang_waiting{site="big",queue="q0"} 2' in text
        assert 'yichuang_calls_total{site="big"} 1' in text
        assert 'yichuang_wait_seconds_count{site="big",queue="q0"} 1' in text


# -- nginx ----------------------------------------------------------------------------------------------
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_config(folder: Path, listen_port: int, upstream_ports: list[int]) -> Path:
    """The shipped site config, pointed at the test's ports and folders, inside a minimal nginx.conf."""
    site = (ROOT / "deploy" / "nginx" / "yichuang.conf").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    site = site.replace("/var/cache/nginx/yichuang", str(folder / "cache"))
    site = site.replace("127.0.0.1:5001", f"127.0.0.1:{upstream_ports[0]}")
    site = site.replace("127.0.0.1:5002", f"127.0.0.1:{upstream_ports[1]}")
    (folder / "yichuang.conf").write_text(site)
    temp_paths = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = folder / "nginx.conf"
    config.write_text(f"""
user root root;
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder / 'access.log'};
{temp_paths}
    include {folder / 'yichuang.conf'};
}}
""")
    return config


@pytest.fixture
def nginx(two_processes, tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    folder = tmp_path / "nginx"
    folder.mkdir()
    port = free_port()
    config = nginx_config(folder, port, [server.port for server in two_processes])
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(folder)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    subprocess.run([NGINX, "-c", str(config), "-p", str(folder)], check=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url), 10, 0.05, "nginx")
        yield url
    finally:
        subprocess.run([NGINX, "-c", str(config), "-p", str(folder), "-s", "quit"], check=False)
        pid_file = folder / "nginx.pid"
        wait_until(lambda: not pid_file.exists(), 10, 0.05, "nginx to stop")


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_through_nginx_a_polling_screen_upgrades_and_moves_to_the_survivor(two_processes, nginx):
    # Default transports: long-polling first, then the WebSocket upgrade — only works if sticky.
    login = FailoverSession([nginx]).post("/api/v1/auth/login", json={
        "username": CLERK, "password": CLERK_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {login['token']}"}
    screen = DisplayClient(nginx, SITE, "lobby", transports=("polling", "websocket"), gap_hold=0.3,
                           token=login["token"]).start()
    polling_only = DisplayClient(nginx, SITE, "lobby", transports=("polling",), token=login["token"]).start()
    try:
        wait_until(lambda: screen.sio.transport() == "websocket", 5, 0.05, "the WebSocket upgrade through nginx")
        first = issue(nginx)
        assert call(nginx, headers)["id"] == first["id"]
        wait_until(lambda: screen.seen([first["id"]]) and polling_only.seen([first["id"]]), 5, 0.02,
                   "the call on both screens through nginx")

        # Every client here comes from 127.0.0.1, so the address hash sent them all to one process: kill it.
        serving = max(two_processes, key=lambda server: _clients(server.url))
        assert _clients(serving.url) >= 2
        serving.stop(kill=True)
        wait_until(lambda: screen.connects >= 2 and screen.snapshots >= 2, 15, 0.05, "the screen resubscribed")
        finish = requests.post(f"{nginx}/api/v1/sites/{SITE}/windows/w10/finish", json={"outcome": "handled"},
                               headers=headers, timeout=5)
        assert finish.status_code == 200, finish.text
        second = issue(nginx)
        assert call(nginx, headers)["id"] == second["id"]
        wait_until(lambda: screen.seen([second["id"]]) and polling_only.seen([second["id"]]), 10, 0.02,
                   "a call after the failover on both screens")
    finally:
        screen.stop()
        polling_only.stop()


def _clients(url: str) -> int:
    for line in requests.get(f"{url}/metrics", timeout=5).text.splitlines():
        if line.startswith("yichuang_process_socketio_clients{"):
            return int(line.rsplit(" ", 1)[1])
    return 0


def test_nginx_caches_static_files_but_not_the_api(two_processes, nginx):
    first = requests.get(f"{nginx}/vendor/socket.io.min.js", timeout=5)
    second = requests.get(f"{nginx}/vendor/socket.io.min.js", timeout=5)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache-Status"] == "MISS" and second.headers["X-Cache-Status"] == "HIT"
    assert "max-age=300" in second.headers["Cache-Control"]
    # The API is never cached.
    assert "X-Cache-Status" not in requests.get(f"{nginx}/api/v1/sites", timeout=5).headers


def test_concurrent_issues_on_two_processes_never_share_a_number(two_processes, postgres_url):
    urls = [server.url for server in two_processes]
    issued: list[dict] = []
    lock = threading.Lock()

    def kiosk(index: int) -> None:
        for _ in range(25):
            ticket = issue(urls[index % 2], "s3-1")
            with lock:
                issued.append(ticket)

    threads = [threading.Thread(target=kiosk, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    numbers = sorted(ticket["number"] for ticket in issued)
    assert numbers == [f"D{n:03d}" for n in range(1, 151)]
    # Counts are read when the seq is taken: the last `waiting` event knows every ticket, whoever won.
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        last = connection.execute(text("SELECT payload FROM site_events WHERE kind = 'waiting' "
                                       "ORDER BY seq DESC LIMIT 1")).scalar_one()
        seqs = connection.execute(text("SELECT seq FROM site_events ORDER BY seq")).scalars().all()
    engine.dispose()
    assert json.loads(last)["waiting"]["q3"] == 150
    assert seqs == list(range(1, len(seqs) + 1)), "gapless across both processes"
