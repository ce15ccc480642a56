"""A real server in a subprocess (gunicorn, gevent worker: the production stack) for browser, agent
and crash tests. ``restart()`` stops it and starts it again on the same port and database."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
# The server refuses a key under 32 bytes from the environment; this one is only ever used by tests.
LIVE_SECRET_KEY = "live-test-secret-key-for-test-servers-only-01234"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def device_tokens_file(layout: str | None, database_url: str,
                       folder: Path | None = None) -> tuple[Path, dict]:
    """A device token file for the layout's kiosks, agents and screens (the servers of one hall, i.e. of one
    database, share it, as they would in production), and its tokens."""
    from layout.loader import load_layout
    from server.config import DEFAULT_LAYOUT
    from server.device_tokens import issue_missing

    folder = folder or Path(tempfile.gettempdir())
    name = hashlib.sha256(f"{layout}|{database_url}".encode()).hexdigest()[:16]
    path = folder / f"device_tokens-{name}.json"
    return path, issue_missing(load_layout(layout or str(DEFAULT_LAYOUT)), path)


def wait_until(predicate, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class LiveServer:
    def __init__(self, database_url: str, layout: str | None = None, port: int | None = None,
                 workers: int = 1, extra_env: dict | None = None, log_path: Path | None = None,
                 prefix: tuple[str, ...] = ()) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "HALL_DATABASE_URL": database_url, "HALL_IGNORE_HOURS": "1",
            "HALL_ISSUE_RATE_LIMIT": "0", "HALL_ASYNC_MODE": "gevent", "HALL_SECRET_KEY": LIVE_SECRET_KEY,
            "HALL_HOST": "127.0.0.1", "HALL_PORT": str(self.port), "PYTHONUNBUFFERED": "1",
            **({"HALL_LAYOUT": layout} if layout else {}), **(extra_env or {}),
        }
        self.device_tokens: dict[str, str] = {}
        if "HALL_DEVICE_TOKENS" not in (extra_env or {}):
            tokens_path, self.device_tokens = device_tokens_file(layout, database_url,
                                                                 log_path.parent if log_path else None)
            self.env["HALL_DEVICE_TOKENS"] = str(tokens_path)
        self.workers = workers
        self.log_path = log_path
        self.prefix = prefix  # a command the server runs under, e.g. ("faketime", "-f", "@2026-12-01 15:59:30")
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> LiveServer:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 (closed below)
        self.process = subprocess.Popen(
            [*self.prefix, sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "server.wsgi:app"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        if log is not subprocess.DEVNULL:
            log.close()  # the child holds its own copy
        wait_until(self._healthy, timeout, 0.1, f"server on {self.url}")
        return self

    def _healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"server exited with {self.process.returncode}; log: {self.log_path}")
        try:
            return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.process = None

    def restart(self, kill: bool = False) -> LiveServer:
        self.stop(kill=kill)
        return self.start()

    def token(self, site: str, kind: str, ident: str) -> str:
        """The device token of a kiosk, display or window screen (kind: kiosk, display, window)."""
        return self.device_tokens[f"{site}/{kind}/{ident}"]

    def add_user(self, username: str, password: str, role: str = "clerk") -> None:
        subprocess.run([sys.executable, "-m", "flask", "--app", "server", "user", "add", username, "--role", role],
                       input=f"{password}\n", text=True, cwd=ROOT, env=self.env, check=True,
                       capture_output=True)

    def login(self, username: str, password: str) -> dict:
        response = requests.post(f"{self.url}/api/v1/auth/login", json={"username": username,
                                                                         "password": password}, timeout=5)
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
