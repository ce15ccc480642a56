"""deploy/gunicorn.conf.py runs exactly one worker per process: Socket.IO sessions live in one process, so
more workers (HALL_WORKERS, --workers) would break the screens silently; gunicorn refuses them at start."""

from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest

from tests.support.live_server import ROOT, free_port

CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def start_gunicorn(tmp_path, *arguments: str, **environment: str) -> subprocess.CompletedProcess:
    """gunicorn with the shipped config; a refused start ends by itself, well within the timeout."""
    env = {**os.environ, "HALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}", "HALL_ASYNC_MODE": "gevent",
           "HALL_PORT": str(free_port()), **environment}
    env.pop("HALL_REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG), *arguments, "server.wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"gunicorn kept running instead of refusing to start:\n{stderr[-2000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def assert_refused_with_the_reason(result: subprocess.CompletedProcess) -> None:
    assert result.returncode != 0
    assert "one gunicorn worker per process" in result.stderr
    assert "每个 gunicorn 进程只能有一个 worker" in result.stderr
    assert "address hash" in result.stderr and "yichuang@PORT" in result.stderr
    assert "Booting worker" not in result.stderr, "no worker was started"


@pytest.mark.parametrize("workers", ["2", "4", "0", "two"])
def test_hall_workers_other_than_one_is_refused(tmp_path, workers):
    result = start_gunicorn(tmp_path, HALL_WORKERS=workers)
    assert_refused_with_the_reason(result)
    assert f"HALL_WORKERS={workers!r}" in result.stderr
    assert "Traceback" not in result.stderr, "a clear message, not a stack trace"


@pytest.mark.parametrize("option", [["--workers", "2"], ["-w", "3"]])
def test_more_workers_on_the_command_line_is_refused(tmp_path, option):
    assert_refused_with_the_reason(start_gunicorn(tmp_path, *option))


def test_the_shipped_settings_run_one_worker_and_accept_it(monkeypatch):
    monkeypatch.delenv("HALL_WORKERS", raising=False)
    settings = runpy.run_path(str(CONFIG))
    assert settings["workers"] == 1
    assert settings["worker_class"] == "gevent"
    assert settings["graceful_timeout"] < 20, "within systemd's TimeoutStopSec"
    settings["on_starting"](SimpleNamespace(cfg=SimpleNamespace(workers=1)))
    with pytest.raises(RuntimeError, match="one gunicorn worker per process"):
        settings["on_starting"](SimpleNamespace(cfg=SimpleNamespace(workers=2)))
