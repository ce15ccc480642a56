"""nginx with the shipped site config (deploy/nginx/yichuang.conf) in front of a real server: a body over the
limit gets the API's JSON 413, and a client whose request headers or body stall is dropped instead of
holding a connection. The test runs the config with its 10 s timeouts shortened to 1 s."""

from __future__ import annotations

import re
import socket
import subprocess
import time

import pytest
import requests

from tests.integration.test_multiprocess import NGINX, nginx_config
from tests.support.live_server import ROOT, LiveServer, free_port, wait_until

SITE_CONFIG = ROOT / "deploy" / "nginx" / "yichuang.conf"
TICKETS = "/api/v1/sites/county/tickets"


def shipped_setting(name: str) -> str:
    found = re.findall(rf"^\s*{name}\s+([^;]+);", SITE_CONFIG.read_text(), re.MULTILINE)
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("nginx-limits")
    server = LiveServer(f"sqlite:///{folder / 'hall.db'}", log_path=folder / "server.log",
                        extra_env={"HALL_PROXY_HOPS": "1"})
    server.start()
    port = free_port()
    config = nginx_config(folder, port, [server.port, server.port])
    site = folder / "yichuang.conf"
    text = site.read_text()
    for name in ("client_header_timeout", "client_body_timeout"):
        text, count = re.subn(rf"{name}\s+10s;", f"{name} 1s;", text)
        assert count == 1, name
    site.write_text(text)
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(folder)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    subprocess.run([NGINX, "-c", str(config), "-p", str(folder)], check=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url), 10, 0.05, "nginx")
        yield url, port
    finally:
        subprocess.run([NGINX, "-c", str(config), "-p", str(folder), "-s", "quit"], check=False)
        wait_until(lambda: not (folder / "nginx.pid").exists(), 10, 0.05, "nginx to stop")
        server.stop()


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_the_shipped_config_limits_bodies_to_the_servers_limit_and_times_out_slow_clients():
    assert shipped_setting("client_max_body_size") == "64k"
    assert shipped_setting("client_header_timeout") == "10s"
    assert shipped_setting("client_body_timeout") == "10s"


def test_a_body_over_the_limit_gets_the_json_error_from_nginx(proxied):
    url, _port = proxied
    body = b'{"service": "company-registration", "note": "' + b"x" * 2_000_000 + b'"}'  # over the old 1m too
    response = requests.post(f"{url}{TICKETS}", data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "payload_too_large"
    assert requests.get(f"{url}/api/v1/sites/county/queues", timeout=5).status_code == 200


def test_a_body_under_the_limit_reaches_the_server(proxied):
    url, _port = proxied
    body = b'{"service": "company-registration", "note": "' + b"x" * 60_000 + b'"}'
    response = requests.post(f"{url}{TICKETS}", data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 201, response.text
    assert response.headers["X-Frame-Options"] == "DENY", "the server's own headers pass through"


def closed_within(connection: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether nginx closes the stalled connection (or answers it) within ``seconds``."""
    connection.settimeout(seconds)
    started = time.monotonic()
    received = b""
    try:
        while chunk := connection.recv(4096):
            received += chunk
    except TimeoutError:
        return False, received
    except ConnectionResetError:
        pass
    return time.monotonic() - started < seconds, received


@pytest.mark.parametrize("stalled", [
    b"POST /api/v1/sites/county/tickets HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\n",
    b"POST /api/v1/sites/county/tickets HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\n"
    b"Content-Length: 200\r\n\r\n{\"service\": ",
], ids=["headers", "body"])
def test_a_client_that_stalls_is_dropped(proxied, stalled):
    _url, port = proxied
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(stalled)
        closed, received = closed_within(connection, 5)
    assert closed, "nginx still waits for the rest of the request"
    assert b"201" not in received
